package io.testpulse.interactive;

import io.testpulse.topology.StoreHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Interactive queries against this instance's own store partitions, never forwarding: key lookups
 * through IQv1 (see {@link #get}), scans through IQv2. Active partitions first ({@link StateQueryRequest#requireActive()}); when a stale read is allowed,
 * a partition the active query could not answer is asked again without that requirement, so a
 * standby replica (or a restoring active) answers, flagged with its offset lag from
 * {@link KafkaStreams#allLocalStorePartitionLags()}.
 */
final class LocalStores {

  static final Duration RETRY_AFTER = TestpulseQueries.RETRY_AFTER;

  private final KafkaStreams streams;

  LocalStores(KafkaStreams streams) {
    this.streams = streams;
  }

  /**
   * One partition's answer to a key lookup on this instance. Read through IQv1
   * ({@link ReadOnlyKeyValueStore#get}), not an IQv2 {@code KeyQuery}: in Kafka Streams 4.3.1 an IQv2
   * query takes the store's position lock and can deadlock with the stream thread writing the same
   * store (KAFKA-19629, seen here under ingest); a plain {@code get} does not take that lock.
   */
  <V> QueryOutcome<StoreRead<V>> get(StoreHandle<String, V> store, String key, int partition, boolean allowStale,
      String servedBy) {
    Read<V> active = read(store, key, partition, false);
    if (active.ok()) {
      return QueryOutcome.ok(new StoreRead<>(active.value(), partition, false, null, servedBy));
    }
    if (allowStale) {
      Read<V> any = read(store, key, partition, true);
      if (any.ok()) {
        return QueryOutcome.ok(new StoreRead<>(any.value(), partition, true, lag(store.name(), partition), servedBy));
      }
    }
    return QueryOutcome.unavailable(store.name() + " partition " + partition + " is not queryable here ("
        + active.why() + ")" + (allowStale ? ", and no local standby could answer" : ""), RETRY_AFTER);
  }

  private record Read<V>(boolean ok, V value, String why) {
  }

  private <V> Read<V> read(StoreHandle<String, V> store, String key, int partition, boolean stale) {
    StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params = StoreQueryParameters
        .fromNameAndType(store.name(), QueryableStoreTypes.<String, V>keyValueStore())
        .withPartition(partition);
    if (stale) {
      params = params.enableStaleStores();
    }
    try {
      return new Read<>(true, streams.store(params).get(key), null);
    } catch (InvalidStateStoreException e) {
      // not hosted here, not running (rebalance, restore), or stopped: the caller answers 503 or asks a standby
      return new Read<>(false, null, e.getClass().getSimpleName());
    }
  }

  /**
   * Every entry with a key in [{@code from}, {@code to}] of the given partitions hosted here, by
   * partition ({@code partitions} null: every partition hosted here). A partition that is not hosted
   * here, or not queryable, is absent from the answer.
   */
  <V> Map<Integer, PartitionScan<V>> range(StoreHandle<String, V> store, String from, String to,
      Set<Integer> partitions, boolean allowStale) {
    RangeQuery<String, V> query = RangeQuery.withRange(from, to);
    Map<Integer, PartitionScan<V>> scans = new TreeMap<>();
    collect(queryPartitions(store.name(), query, partitions, true), scans, store.name(), false);
    if (allowStale && partitions != null && scans.size() < partitions.size()) {
      Set<Integer> rest = new HashSet<>(partitions);
      rest.removeAll(scans.keySet());
      collect(queryPartitions(store.name(), query, rest, false), scans, store.name(), true);
    }
    return scans;
  }

  private <V> void collect(Map<Integer, QueryResult<KeyValueIterator<String, V>>> results,
      Map<Integer, PartitionScan<V>> scans, String storeName, boolean stale) {
    for (Map.Entry<Integer, QueryResult<KeyValueIterator<String, V>>> entry : results.entrySet()) {
      QueryResult<KeyValueIterator<String, V>> result = entry.getValue();
      if (result.isFailure()) {
        continue;
      }
      List<KeyValue<String, V>> values = new ArrayList<>();
      try (KeyValueIterator<String, V> it = result.getResult()) {
        it.forEachRemaining(values::add);
      }
      scans.put(entry.getKey(), new PartitionScan<>(values, stale ? lag(storeName, entry.getKey()) : null));
    }
  }

  private <R> Map<Integer, QueryResult<R>> queryPartitions(String storeName, Query<R> query, Set<Integer> partitions,
      boolean requireActive) {
    if (partitions != null && partitions.isEmpty()) {
      return Map.of();
    }
    StateQueryRequest<R> request = StateQueryRequest.inStore(storeName).withQuery(query);
    request = partitions == null ? request.withAllPartitions() : request.withPartitions(partitions);
    if (requireActive) {
      request = request.requireActive();
    }
    try {
      StateQueryResult<R> result = streams.query(request);
      return result.getPartitionResults();
    } catch (RuntimeException e) {
      // not started, stopped, or the store is unknown while the instance (re)starts: nothing answerable here
      return Map.of();
    }
  }

  /** What one partition scan read, and its offset lag when a stale replica answered ({@code null} when active). */
  record PartitionScan<V>(List<KeyValue<String, V>> entries, Long offsetLag) {
  }

  /** The offset lag of a store partition hosted here; -1 when Kafka Streams cannot tell yet. */
  long lag(String storeName, int partition) {
    try {
      LagInfo info = streams.allLocalStorePartitionLags().getOrDefault(storeName, Map.of()).get(partition);
      return info == null ? -1L : info.offsetLag();
    } catch (RuntimeException e) {
      return -1L;
    }
  }
}
