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
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Interactive queries (IQv2) against this instance's own store partitions, never forwarding.
 * Active partitions first ({@link StateQueryRequest#requireActive()}); when a stale read is allowed,
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

  /** One partition's answer to a key lookup on this instance. */
  <V> QueryOutcome<StoreRead<V>> get(StoreHandle<String, V> store, String key, int partition, boolean allowStale,
      String servedBy) {
    KeyQuery<String, V> query = KeyQuery.withKey(key);
    QueryResult<V> active = queryPartitions(store.name(), query, Set.of(partition), true).get(partition);
    if (active != null && active.isSuccess()) {
      return QueryOutcome.ok(new StoreRead<>(active.getResult(), partition, false, null, servedBy));
    }
    if (allowStale) {
      QueryResult<V> any = queryPartitions(store.name(), query, Set.of(partition), false).get(partition);
      if (any != null && any.isSuccess()) {
        return QueryOutcome.ok(new StoreRead<>(any.getResult(), partition, true, lag(store.name(), partition),
            servedBy));
      }
    }
    String why = active == null ? "not hosted here" : "not queryable (" + active.getFailureReason() + ")";
    return QueryOutcome.unavailable(store.name() + " partition " + partition + " is " + why
        + (allowStale ? ", and no local standby could answer" : ""), RETRY_AFTER);
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
