package io.testpulse.topology.internals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
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
 * A key-value store that keeps hot values as live objects: the owning processors read them with
 * {@link #forUpdate} (decoded at most once while they stay hot), change them in place and mark them
 * with {@link #changed}; changed values are encoded and written to the wrapped (metered, change-logged,
 * RocksDB) store once per commit, when Kafka Streams flushes its caches, or when they are evicted. A test
 * hit by several executions within a commit costs one changelog record, not one per execution.
 *
 * <p>Just before a commit's writes, the {@linkplain #setBeforeCommit before-commit hook} runs: the engine
 * emits changed tests' stats there, inside the same transaction as the state and the input offsets (see
 * {@link CommitForwarder} and {@link PendingEmits}).
 *
 * <p>Exactly-once: Kafka Streams calls {@link #flushCache()} on every store while preparing a commit, before
 * it flushes the producer and commits the transaction (the hook its own record cache uses; {@link
 * SketchBucketStore} relies on it too). When a task closes dirty, {@link #clearCache()} drops the unflushed
 * values and the state is restored from the changelog as of the last commit. Interactive queries read the
 * wrapped store: the state as of the last commit.
 *
 * @param <K> key
 * @param <V> a mutable value
 */
public final class WriteBehindStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<K, V> {

  private static final int MAX_HOT = 20_000;

  private final KeyValueStore<K, V> inner;
  private final UnaryOperator<V> mutable;
  private final Map<K, V> dirty = new LinkedHashMap<>();
  private Runnable beforeCommit;
  private final java.util.Set<K> emitMarks = new java.util.LinkedHashSet<>();
  private final LinkedHashMap<K, V> hot = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
      if (size() <= MAX_HOT || dirty.containsKey(eldest.getKey())) {
        return false; // a changed value stays until the commit writes it
      }
      return true;
    }
  };

  /** @param mutable turns a value read from the wrapped store into one that may be changed in place */
  public WriteBehindStore(KeyValueStore<K, V> inner, UnaryOperator<V> mutable) {
    this.inner = inner;
    this.mutable = mutable;
  }

  /** The write-behind store under the decorators Kafka Streams puts around a store, or null. */
  @SuppressWarnings("unchecked")
  public static <K, V> WriteBehindStore<K, V> unwrap(StateStore store) {
    StateStore current = store;
    while (true) {
      if (current instanceof WriteBehindStore<?, ?> found) {
        return (WriteBehindStore<K, V>) found;
      }
      if (current instanceof WrappedStateStore<?, ?, ?> wrapped) {
        current = wrapped.wrapped();
      } else {
        return null;
      }
    }
  }

  /**
   * What runs at each commit (in the stream thread, while Kafka Streams prepares it), before the changed
   * values are written: it may read and change values. One hook: the owning processor's.
   */
  public void setBeforeCommit(Runnable hook) {
    this.beforeCommit = hook;
  }

  /** The live value of {@code key} including unflushed changes, or null: stream thread only. */
  public V forUpdate(K key) {
    V value = hot.get(key);
    if (value == null) {
      value = inner.get(key);
      if (value == null) {
        return null;
      }
      value = mutable.apply(value);
      hot.put(key, value);
    }
    return value;
  }

  /**
   * Marks {@code value} as the new value of {@code key}, written at the next commit; {@code emit}: also
   * marks the key for the owning processor's output (see {@link #takeEmitMarks}).
   */
  public void changed(K key, V value, boolean emit) {
    hot.put(key, value);
    dirty.put(key, value);
    if (emit) {
      emitMarks.add(key);
    }
  }

  /** The keys marked for output since the last call (every processor of the task marks them; one emits). */
  public java.util.Set<K> takeEmitMarks() {
    java.util.Set<K> marks = new java.util.LinkedHashSet<>(emitMarks);
    emitMarks.clear();
    return marks;
  }

  /** The committed value, for interactive queries from any thread: never the live objects. */
  @Override
  public V get(K key) {
    return inner.get(key);
  }

  @Override
  public void put(K key, V value) {
    hot.remove(key);
    dirty.remove(key);
    inner.put(key, value);
  }

  @Override
  public V putIfAbsent(K key, V value) {
    V existing = get(key);
    if (existing == null) {
      put(key, value);
    }
    return existing;
  }

  @Override
  public void putAll(List<KeyValue<K, V>> entries) {
    entries.forEach(e -> put(e.key, e.value));
  }

  @Override
  public V delete(K key) {
    V cached = hot.remove(key);
    dirty.remove(key);
    V stored = inner.delete(key);
    return cached != null ? cached : stored;
  }

  /** Committed state, like {@link #get}. */
  @Override
  public KeyValueIterator<K, V> range(K from, K to) {
    return inner.range(from, to);
  }

  /** Committed state, like {@link #get}. */
  @Override
  public KeyValueIterator<K, V> all() {
    return inner.all();
  }

  /** Every value including unflushed changes (stream thread only): writes the changed ones first. */
  public KeyValueIterator<K, V> allCurrent() {
    writeDirty();
    return inner.all();
  }

  @Override
  public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<K, V> prefixScan(
      P prefix, PS prefixKeySerializer) {
    return inner.prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    return inner.approximateNumEntries();
  }

  @Override
  public void flushCache() {
    if (beforeCommit != null) {
      beforeCommit.run();
    }
    writeDirty();
  }

  @Override
  public void clearCache() {
    hot.clear();
    dirty.clear();
    emitMarks.clear();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
    return false;
  }

  private void writeDirty() {
    if (dirty.isEmpty()) {
      return;
    }
    List<KeyValue<K, V>> batch = new ArrayList<>(dirty.size());
    for (Iterator<Map.Entry<K, V>> it = dirty.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<K, V> e = it.next();
      batch.add(KeyValue.pair(e.getKey(), e.getValue()));
      it.remove();
    }
    inner.putAll(batch);
    if (hot.size() > MAX_HOT) {
      // values kept while dirty: trim back to the bound now that they are written
      Iterator<K> keys = hot.keySet().iterator();
      for (int excess = hot.size() - MAX_HOT; excess > 0 && keys.hasNext(); excess--) {
        keys.next();
        keys.remove();
      }
    }
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
    writeDirty(); // after a commit (the hook ran in flushCache, before the transaction committed)
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
    clearCache(); // unflushed values are not committed state: dropping them is what a crash does too
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
