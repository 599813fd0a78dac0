package io.testpulse.examples.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * JNA mapping of the part of libchdb's C API (chdb-core v26.7.3 {@code chdb.h}) that {@link ChdbSession}
 * uses. The npm package ships no header; the signatures are:
 *
 * <pre>
 * chdb_connection * chdb_connect(int argc, char ** argv);          // NULL on failure; a POINTER TO the handle
 * void              chdb_close_conn(chdb_connection * conn);       // takes that pointer-to-handle
 * chdb_result *     chdb_query_n(chdb_connection conn, const char * query, size_t query_len,
 *                                const char * format, size_t format_len);
 * void              chdb_destroy_query_result(chdb_result * result);  // frees buffer and error too
 * char *            chdb_result_buffer(chdb_result * result);     // not NUL-terminated: use the length
 * size_t            chdb_result_length(chdb_result * result);
 * const char *      chdb_result_error(chdb_result * result);      // NULL on success; owned by the result
 * void              chdb_set_signal_handlers_enabled(int enabled); // call before the first connect
 * const char *      chdb_version(void);                             // 26.7+
 * </pre>
 *
 * {@code size_t} maps to {@code long} (LP64 Linux x86-64, the only platform the package exists for).
 */
interface LibChdb extends Library {

  Pointer chdb_connect(int argc, String[] argv);

  void chdb_close_conn(Pointer connectionHandle);

  Pointer chdb_query_n(Pointer connection, byte[] query, long queryLength, byte[] format, long formatLength);

  void chdb_destroy_query_result(Pointer result);

  Pointer chdb_result_buffer(Pointer result);

  long chdb_result_length(Pointer result);

  Pointer chdb_result_error(Pointer result);

  void chdb_set_signal_handlers_enabled(int enabled);

  String chdb_version();
}
