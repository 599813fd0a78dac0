package io.testpulse.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One bounded memory budget for every RocksDB store of the JVM (SPEC section 8; Kafka Streams' memory
 * management guide): a shared LRU block cache of {@value TestpulseConfig#ROCKSDB_MEMORY_BYTES_CONFIG} bytes
 * holds data, index and filter blocks, and a write-buffer manager charges every store's memtables to the
 * same cache, so the stores of all tasks together never use more than the budget, however many partitions an
 * instance holds. Without it each store gets its own 50 MB cache and up to 3 x 16 MB of memtables: about
 * 20 stores x 6 partitions came to several GB.
 *
 * <p>Set by {@link TestpulseConfig#streamsProperties()} as {@code rocksdb.config.setter}. The cache is
 * created once per JVM with the first store's budget and never closed, as the guide prescribes: every store
 * of every {@code KafkaStreams} in the JVM shares it.
 */
public final class BoundedRocksDBConfig implements RocksDBConfigSetter {

  /** Share of the budget for memtables (the rest, and whatever memtables do not use, caches blocks). */
  static final double MEMTABLE_SHARE = 0.5;
  /** Memtable size per store: flushed earlier than RocksDB's 64 MB default; the manager bounds the total. */
  static final long MEMTABLE_BYTES = 8L * 1024 * 1024;
  static final long BLOCK_BYTES = 16L * 1024;

  private static Cache cache;
  private static WriteBufferManager writeBuffers;

  private static synchronized void open(long budget) {
    if (cache == null) {
      // high-priority pool for index and filter blocks, so data blocks cannot evict them
      cache = new LRUCache(budget, -1, false, 0.1);
      writeBuffers = new WriteBufferManager((long) (budget * MEMTABLE_SHARE), cache);
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object configured = configs.get(TestpulseConfig.ROCKSDB_MEMORY_BYTES_CONFIG);
    open(configured == null ? TestpulseConfig.DEFAULT_ROCKSDB_MEMORY_BYTES : Long.parseLong(configured.toString()));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    table.setBlockSize(BLOCK_BYTES);
    options.setWriteBufferManager(writeBuffers);
    options.setWriteBufferSize(MEMTABLE_BYTES);
    options.setMaxWriteBufferNumber(2);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // the cache and the write-buffer manager are shared by every store: never closed with one of them
  }
}
