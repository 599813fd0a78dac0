package io.testpulse.examples.clickhouse;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded ClickHouse engine (libchdb, loaded with JNA) for tests. libchdb boots one engine per
 * process and fixes its data path on the first connect, and repeated shutdown and boot is not safe, so
 * there is one session per JVM ({@link #shared}), left open until the JVM exits; tests isolate
 * themselves by database. A connection runs one statement at a time: {@link #query} is synchronized.
 */
final class ChdbSession {

  private static ChdbSession shared;

  private final LibChdb lib;
  private final Pointer connection;

  private ChdbSession(LibChdb lib, Pointer connection) {
    this.lib = lib;
    this.connection = connection;
  }

  /** The JVM's session, connecting on first use to a fresh temporary data path. */
  static synchronized ChdbSession shared(Path libchdb) {
    if (shared == null) {
      LibChdb lib = Native.load(libchdb.toAbsolutePath().toString(), LibChdb.class);
      // chdb_connect would otherwise install ClickHouse's fatal-signal handlers over HotSpot's SIGSEGV
      // handler, and the JVM's first implicit null check in compiled code would kill it (exit 139, no hs_err).
      lib.chdb_set_signal_handlers_enabled(0);
      Path dataDir;
      try {
        dataDir = Files.createTempDirectory("testpulse-chdb");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String[] argv = {"clickhouse", "--path=" + dataDir.toAbsolutePath()};
      Pointer handle = lib.chdb_connect(argv.length, argv);
      if (handle == null || handle.getPointer(0) == null) {
        throw new ChdbException("chdb_connect failed for " + dataDir);
      }
      shared = new ChdbSession(lib, handle.getPointer(0));
    }
    return shared;
  }

  String version() {
    return lib.chdb_version();
  }

  /** Runs one statement and returns its output in {@code format} (e.g. JSONEachRow, TabSeparated). */
  synchronized String query(String sql, String format) {
    byte[] query = sql.getBytes(StandardCharsets.UTF_8);
    byte[] fmt = format.getBytes(StandardCharsets.US_ASCII);
    Pointer result = lib.chdb_query_n(connection, query, query.length, fmt, fmt.length);
    if (result == null) {
      throw new ChdbException("chdb_query_n returned NULL for: " + sql);
    }
    try {
      Pointer error = lib.chdb_result_error(result);
      if (error != null) {
        throw new ChdbException(error.getString(0, StandardCharsets.UTF_8.name()).trim() + "\nin: " + sql);
      }
      long length = lib.chdb_result_length(result);
      Pointer buffer = lib.chdb_result_buffer(result);
      return buffer == null || length == 0 ? ""
          : new String(buffer.getByteArray(0, Math.toIntExact(length)), StandardCharsets.UTF_8);
    } finally {
      lib.chdb_destroy_query_result(result);
    }
  }

  void execute(String sql) {
    query(sql, "TabSeparated");
  }

  long queryLong(String sql) {
    return Long.parseLong(query(sql, "TabSeparated").trim());
  }

  static final class ChdbException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChdbException(String message) {
      super(message);
    }
  }
}
