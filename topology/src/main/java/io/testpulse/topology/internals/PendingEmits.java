package io.testpulse.topology.internals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keys changed since they were last written to an output topic, written out once per emit interval
 * instead of once per change. The obligation survives a crash without a write per change: at each commit
 * the keys first marked since the previous commit go to the change-logged pending store as ONE chunk
 * record (in the same transaction as the state they follow from); an emission deletes the chunks. A task
 * that starts reads its chunks back. Cost: about two records per commit, whatever the number of keys.
 *
 * <p>{@link #commit} must run while Kafka Streams prepares a commit (a store's cache flush, see
 * {@link WriteBehindStore#setBeforeCommit}); {@code interval} 0 emits at every commit.
 *
 * @param <K> the key of what is emitted
 */
final class PendingEmits<K> {

  private final KeyValueStore<Long, byte[]> store;
  private final Serde<K> keySerde;
  private final long intervalMs;
  private final Map<K, String> pending = new LinkedHashMap<>();
  private final Map<K, String> sinceCommit = new LinkedHashMap<>();
  private final List<Long> chunks = new ArrayList<>();
  private long nextChunk;
  private long lastEmit;

  PendingEmits(KeyValueStore<Long, byte[]> store, Serde<K> keySerde, long intervalMs, long now) {
    this.store = store;
    this.keySerde = keySerde;
    this.intervalMs = intervalMs;
    this.lastEmit = now;
    try (KeyValueIterator<Long, byte[]> all = store.all()) {
      while (all.hasNext()) {
        var chunk = all.next();
        chunks.add(chunk.key);
        nextChunk = Math.max(nextChunk, chunk.key + 1);
        decode(chunk.value, pending);
      }
    }
  }

  /** Marks {@code key} as changed, with a string the emission needs (may be empty, never null). */
  void mark(K key, String attachment) {
    if (pending.putIfAbsent(key, attachment) == null) {
      sinceCommit.put(key, attachment);
    }
  }

  /** Keys waiting to be emitted. */
  int size() {
    return pending.size();
  }

  /** At a commit: emits every pending key if the interval has passed, else persists the keys marked since the last commit. */
  void commit(long now, BiConsumer<K, String> emit) {
    if (now - lastEmit >= intervalMs) {
      lastEmit = now;
      if (pending.isEmpty()) {
        return;
      }
      List<Map.Entry<K, String>> batch = new ArrayList<>(pending.entrySet());
      pending.clear();
      sinceCommit.clear();
      for (Map.Entry<K, String> e : batch) {
        emit.accept(e.getKey(), e.getValue());
      }
      chunks.forEach(store::delete);
      chunks.clear();
    } else if (!sinceCommit.isEmpty()) {
      store.put(nextChunk, encode(sinceCommit));
      chunks.add(nextChunk++);
      sinceCommit.clear();
    }
  }

  private byte[] encode(Map<K, String> keys) {
    List<byte[]> parts = new ArrayList<>(keys.size() * 2);
    int size = 4;
    for (Map.Entry<K, String> e : keys.entrySet()) {
      byte[] k = keySerde.serializer().serialize(null, e.getKey());
      byte[] a = e.getValue().getBytes(StandardCharsets.UTF_8);
      parts.add(k);
      parts.add(a);
      size += 8 + k.length + a.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(keys.size());
    for (byte[] part : parts) {
      out.putInt(part.length).put(part);
    }
    return out.array();
  }

  private void decode(byte[] chunk, Map<K, String> into) {
    ByteBuffer in = ByteBuffer.wrap(chunk);
    int n = in.getInt();
    for (int i = 0; i < n; i++) {
      byte[] k = new byte[in.getInt()];
      in.get(k);
      byte[] a = new byte[in.getInt()];
      in.get(a);
      into.putIfAbsent(keySerde.deserializer().deserialize(null, k), new String(a, StandardCharsets.UTF_8));
    }
  }
}
