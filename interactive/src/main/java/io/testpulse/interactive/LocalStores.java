package io.testpulse.interactive;

import io.testpulse.topology.StoreHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Interactive queries against this instance's own store partitions, never forwarding, through IQv1
 * one partition at a time (see {@link #get} for why not IQv2). Active partitions first; when a stale
 * read is allowed, a partition no active task answered is asked again with
 * {@link StoreQueryParameters#enableStaleStores()}, so a standby replica (or a restoring active)
 * answers, flagged with its offset lag from {@link KafkaStreams#allLocalStorePartitionLags()}.
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
    try {
      return new Read<>(true, streams.store(params(store, partition, stale)).get(key), null);
    } catch (InvalidStateStoreException e) {
      // not hosted here, not running (rebalance, restore), or stopped: the caller answers 503 or asks a standby
      return new Read<>(false, null, e.getClass().getSimpleName());
    }
  }

  /**
   * Every entry with a key in [{@code from}, {@code to}] of the given partitions hosted here, by
   * partition ({@code partitions} null: every partition hosted here). A partition that is not hosted
   * here, or not queryable, is absent from the answer. Active partitions first; with
   * {@code allowStale}, a partition no active task here answered is read from a standby (flagged with
   * its lag). Read through IQv1, one partition at a time, like {@link #get} (KAFKA-19629).
   */
  <V> Map<Integer, PartitionScan<V>> range(StoreHandle<String, V> store, String from, String to,
      Set<Integer> partitions, boolean allowStale) {
    Set<Integer> wanted = partitions != null ? partitions : localPartitions(allowStale);
    return perPartition(store, wanted, allowStale, (view, partition) -> {
      List<KeyValue<String, V>> values = new ArrayList<>();
      try (KeyValueIterator<String, V> it = view.range(from, to)) {
        it.forEachRemaining(values::add);
      }
      return values;
    });
  }

  /**
   * The entries of the given keys, by partition (each key in the partition it is listed under); a
   * key without a value is left out. A partition that is not queryable here is absent from the
   * answer; stale reads as in {@link #range}.
   */
  <V> Map<Integer, PartitionScan<V>> getAll(StoreHandle<String, V> store, Map<Integer, List<String>> keys,
      boolean allowStale) {
    return perPartition(store, keys.keySet(), allowStale, (view, partition) -> {
      List<KeyValue<String, V>> values = new ArrayList<>();
      for (String key : keys.get(partition)) {
        V value = view.get(key);
        if (value != null) {
          values.add(KeyValue.pair(key, value));
        }
      }
      return values;
    });
  }

  /** What one partition's store answers. */
  private interface PartitionRead<V> {
    List<KeyValue<String, V>> read(ReadOnlyKeyValueStore<String, V> view, int partition);
  }

  /**
   * {@code read} on each partition's store hosted here: the active one, else (with
   * {@code allowStale}) a standby flagged with its lag; a partition neither answers is left out.
   */
  private <V> Map<Integer, PartitionScan<V>> perPartition(StoreHandle<String, V> store, Set<Integer> partitions,
      boolean allowStale, PartitionRead<V> read) {
    Map<Integer, PartitionScan<V>> scans = new TreeMap<>();
    for (int partition : partitions) {
      List<KeyValue<String, V>> active = readOne(store, partition, false, read);
      if (active != null) {
        scans.put(partition, new PartitionScan<>(active, null));
      } else if (allowStale) {
        List<KeyValue<String, V>> any = readOne(store, partition, true, read);
        if (any != null) {
          scans.put(partition, new PartitionScan<>(any, lag(store.name(), partition)));
        }
      }
    }
    return scans;
  }

  /** One partition's answer; {@code null} when it is not queryable here. */
  private <V> List<KeyValue<String, V>> readOne(StoreHandle<String, V> store, int partition, boolean stale,
      PartitionRead<V> read) {
    try {
      return read.read(streams.store(params(store, partition, stale)), partition);
    } catch (InvalidStateStoreException e) {
      // not hosted here (the partition belongs to another sub-topology's tasks or another instance), or not running
      return null;
    }
  }

  private static <V> StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params(StoreHandle<String, V> store,
      int partition, boolean stale) {
    StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params = StoreQueryParameters
        .fromNameAndType(store.name(), QueryableStoreTypes.<String, V>keyValueStore())
        .withPartition(partition);
    return stale ? params.enableStaleStores() : params;
  }

  /**
   * The partition numbers of every task on this instance (active, and standby when {@code withStandbys}):
   * a superset of the store's local partitions, since other sub-topologies' tasks are included; a
   * partition of another sub-topology is simply not queryable for this store and drops out.
   */
  private Set<Integer> localPartitions(boolean withStandbys) {
    Set<Integer> result = new TreeSet<>();
    try {
      for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
        thread.activeTasks().forEach(task -> result.add(task.taskId().partition()));
        if (withStandbys) {
          thread.standbyTasks().forEach(task -> result.add(task.taskId().partition()));
        }
      }
    } catch (RuntimeException e) {
      // not started or stopped: nothing answerable here
    }
    return result;
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
