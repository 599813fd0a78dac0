package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A sketch store that keeps hot sketches as objects: {@link #forUpdate} hands out the live sketch
 * (decoded at most once while it stays hot) and marks it dirty; dirty sketches are encoded and
 * written to the wrapped (metered, change-logged, RocksDB) store only when Kafka Streams flushes
 * the store before a commit, or when the cache evicts them. Without it, every execution decodes
 * and re-encodes its bucket's sketch.
 *
 * <p>Why this is exactly-once safe: Kafka Streams calls {@link #flushCache()} on every store while
 * preparing a commit, before it flushes the producer and commits the transaction (the same hook
 * its own record cache uses; {@link CachedStateStore} is an internal interface, so
 * DurationsTopologyTest pins the behaviour: the changelog must hold every bucket as of each commit).
 * The changelog records written here are therefore part of the transaction that commits the input
 * offsets. When a task closes dirty, {@link #clearCache()} drops the unflushed sketches and the
 * state is restored from the changelog, which holds the state as of the last commit.
 *
 * <p>Interactive queries go to the wrapped store: they see the state as of the last commit. The
 * {@link KeyValueStore} reads ({@link #get}, {@link #range}, {@link #all}) are theirs and never touch
 * the hot cache; the owning processor reads through {@link #current} and {@link #allCurrent}.
 */
public final class SketchBucketStore implements KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>,
    CachedStateStore<BucketKey, DDSketchWithExactSummaryStatistics> {

  private static final int MAX_HOT_SKETCHES = 10_000;

  private final KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> inner;
  private final Map<BucketKey, DDSketchWithExactSummaryStatistics> dirty = new LinkedHashMap<>();
  private final LinkedHashMap<BucketKey, DDSketchWithExactSummaryStatistics> hot =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<BucketKey, DDSketchWithExactSummaryStatistics> eldest) {
          if (size() <= MAX_HOT_SKETCHES) {
            return false;
          }
          DDSketchWithExactSummaryStatistics pending = dirty.remove(eldest.getKey());
          if (pending != null) {
            inner.put(eldest.getKey(), pending);
          }
          return true;
        }
      };

  private final Map<String, Runnable> beforeCommit = new LinkedHashMap<>();

  public SketchBucketStore(KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> inner) {
    this.inner = inner;
  }

  /**
   * Sets what {@code owner} runs at each commit, while Kafka Streams prepares it, before the dirty sketches
   * are written (the processors of the task that hold per-commit work: emissions, rollup partials). A
   * processor initialised again replaces its hook.
   */
  public void setBeforeCommit(String owner, Runnable hook) {
    beforeCommit.put(owner, hook);
  }

  /**
   * The sketch store under the decorators Kafka Streams puts around a store it hands to a processor,
   * or {@code null} when the store is a plain one (sketch cache disabled).
   */
  static SketchBucketStore unwrap(StateStore store) {
    StateStore current = store;
    while (true) {
      if (current instanceof SketchBucketStore sketchStore) {
        return sketchStore;
      }
      if (current instanceof WrappedStateStore<?, ?, ?> wrapped) {
        current = wrapped.wrapped();
      } else {
        return null;
      }
    }
  }

  /** The live sketch of {@code key} (a new empty one if none), to add values to; written at the next flush. */
  public DDSketchWithExactSummaryStatistics forUpdate(BucketKey key) {
    DDSketchWithExactSummaryStatistics sketch = hot.get(key);
    if (sketch == null) {
      sketch = inner.get(key);
      if (sketch == null) {
        sketch = DurationSketches.create();
      }
      hot.put(key, sketch);
    }
    dirty.put(key, sketch);
    return sketch;
  }

  /**
   * The current sketch, including unflushed updates, for the processor that owns this store (stream
   * thread only). Callers must not modify it.
   */
  public DDSketchWithExactSummaryStatistics current(BucketKey key) {
    DDSketchWithExactSummaryStatistics sketch = hot.get(key);
    return sketch != null ? sketch : inner.get(key);
  }

  /**
   * Every bucket including unflushed updates, for the processor that owns this store (stream thread
   * only): writes the dirty sketches to the wrapped store first.
   */
  public KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> allCurrent() {
    writeDirty();
    return inner.all();
  }

  /**
   * The sketch as of the last flush (the committed state), from the wrapped store: this is what
   * interactive queries (IQv1, from any thread) read. It never touches the hot cache, which belongs
   * to the stream thread.
   */
  @Override
  public DDSketchWithExactSummaryStatistics get(BucketKey key) {
    return inner.get(key);
  }

  @Override
  public void put(BucketKey key, DDSketchWithExactSummaryStatistics value) {
    hot.remove(key);
    dirty.remove(key);
    inner.put(key, value);
  }

  @Override
  public DDSketchWithExactSummaryStatistics putIfAbsent(BucketKey key, DDSketchWithExactSummaryStatistics value) {
    DDSketchWithExactSummaryStatistics existing = get(key);
    if (existing == null) {
      put(key, value);
    }
    return existing;
  }

  @Override
  public void putAll(List<KeyValue<BucketKey, DDSketchWithExactSummaryStatistics>> entries) {
    entries.forEach(e -> put(e.key, e.value));
  }

  @Override
  public DDSketchWithExactSummaryStatistics delete(BucketKey key) {
    DDSketchWithExactSummaryStatistics cached = hot.remove(key);
    dirty.remove(key);
    DDSketchWithExactSummaryStatistics stored = inner.delete(key);
    return cached != null ? cached : stored;
  }

  /** The committed state, like {@link #get}: safe for interactive queries from any thread. */
  @Override
  public KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> range(BucketKey from, BucketKey to) {
    return inner.range(from, to);
  }

  /** The committed state, like {@link #get}: safe for interactive queries from any thread. */
  @Override
  public KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> all() {
    return inner.all();
  }

  @Override
  public long approximateNumEntries() {
    return inner.approximateNumEntries();
  }

  @Override
  public void flushCache() {
    beforeCommit.values().forEach(Runnable::run);
    writeDirty();
  }

  @Override
  public void clearCache() {
    hot.clear();
    dirty.clear();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<BucketKey, DDSketchWithExactSummaryStatistics> listener,
      boolean sendOldValues) {
    return false;
  }

  private void writeDirty() {
    if (dirty.isEmpty()) {
      return;
    }
    List<KeyValue<BucketKey, DDSketchWithExactSummaryStatistics>> batch = new ArrayList<>(dirty.size());
    for (Iterator<Map.Entry<BucketKey, DDSketchWithExactSummaryStatistics>> it = dirty.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<BucketKey, DDSketchWithExactSummaryStatistics> e = it.next();
      batch.add(KeyValue.pair(e.getKey(), e.getValue()));
      it.remove();
    }
    inner.putAll(batch);
  }

  // StateStore: the wrapped store does the work; this store is the root it registers.

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    clearCache();
    inner.init(context, root);
  }

  @Override
  public void flush() {
    writeDirty();
    inner.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    writeDirty();
    inner.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return inner.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return inner.managesOffsets();
  }

  @Override
  public void close() {
    // Unflushed sketches are not committed state: dropping them is what a crash would do too.
    clearCache();
    inner.close();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    return inner.query(query, positionBound, config);
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }
}
