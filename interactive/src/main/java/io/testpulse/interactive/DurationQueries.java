package io.testpulse.interactive;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationRange;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.DurationScopes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Duration percentiles over any {@code [from, to)} inside retention: merges the sketches of every
 * time bucket overlapping the range (an IQv1 range scan of one partition of the bucket stores), per test, per
 * suite, or per suite grouped by a configured dimension set. Answers reflect the state as of the
 * last commit. Invalid arguments (an empty range, an unconfigured dimension set) throw
 * {@link IllegalArgumentException}; everything else is a {@link QueryOutcome}.
 */
public final class DurationQueries {

  private final KafkaStreams streams;
  private final HostInfo self;
  private final DurationOptions options;

  /**
   * @param streams the running KafkaStreams that executes the testpulse topology
   * @param self this instance's {@code application.server} ({@link HostInfo#unavailable()} for a single instance)
   * @param options the durations settings the topology was built with (bucket size, dimension sets)
   */
  public DurationQueries(KafkaStreams streams, HostInfo self, DurationOptions options) {
    this.streams = Objects.requireNonNull(streams, "streams");
    this.self = Objects.requireNonNull(self, "self");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Durations of one test of {@code tenant} in {@code [from, to)}; NOT_FOUND when it has none there. */
  public QueryOutcome<DurationStats> test(String tenant, String testId, Instant from, Instant to) {
    String key = TestKeys.key(tenant, testId);
    return single(Stores.DURATION_TEST_BUCKETS, key, key, DurationRange.covering(options, from, to));
  }

  /** Durations of every test of a suite in {@code [from, to)}; NOT_FOUND when it has none there. */
  public QueryOutcome<DurationStats> suite(String tenant, String suite, Instant from, Instant to) {
    String scope = DurationScopes.suiteScope(tenant, suite);
    return single(Stores.DURATION_ROLLUP_BUCKETS, scope, scope + '\0', DurationRange.covering(options, from, to));
  }

  /**
   * Durations of a suite in {@code [from, to)} per group of a configured dimension set, e.g.
   * {@code [instance_type, arch]}: one entry per combination of values seen, largest count first
   * (an empty list when the suite has none there). Every group of a suite and dimension set lives in
   * one partition (the rollup repartition partitions by scope), found by {@link #suiteByPartitionKey}.
   */
  public QueryOutcome<List<DurationStats>> suiteBy(String tenant, String suite, List<String> dimensionSet,
      Instant from, Instant to) {
    String scope = dimensionScope(tenant, suite, dimensionSet);
    DurationRange range = DurationRange.covering(options, from, to);
    QueryOutcome<Map<String, Merge>> scanned = scan(Stores.DURATION_ROLLUP_BUCKETS, scope,
        scope + DurationScopes.GROUP_SEPARATOR, range);
    if (scanned.status() != QueryOutcome.Status.OK) {
      return QueryOutcome.unavailable(scanned.detail(), scanned.retryAfter());
    }
    List<DurationStats> answer = new ArrayList<>();
    scanned.value().forEach((group, merge) -> answer.add(new DurationStats(range.from(), range.to(),
        DurationScopes.groupValues(dimensionSet, group), merge.buckets, DurationSummary.of(merge.sketch))));
    answer.sort((a, b) -> Long.compare(b.summary().count(), a.summary().count()));
    return QueryOutcome.ok(answer);
  }

  /**
   * The partition key of a suite's groups under a dimension set in the rollup store; throws
   * {@link IllegalArgumentException} when the dimension set is not configured.
   */
  public String suiteByPartitionKey(String tenant, String suite, List<String> dimensionSet) {
    return dimensionScope(tenant, suite, dimensionSet) + DurationScopes.GROUP_SEPARATOR;
  }

  private String dimensionScope(String tenant, String suite, List<String> dimensionSet) {
    if (!options.dimensionSets().contains(dimensionSet)) {
      throw new IllegalArgumentException("dimension set " + dimensionSet + " is not configured; configured: "
          + options.dimensionSets());
    }
    return DurationScopes.dimensionScope(tenant, DurationOptions.dimensionSetName(dimensionSet), suite);
  }

  private QueryOutcome<DurationStats> single(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> store,
      String scope, String partitionKey, DurationRange range) {
    QueryOutcome<Map<String, Merge>> scanned = scan(store, scope, partitionKey, range);
    if (scanned.status() != QueryOutcome.Status.OK) {
      return QueryOutcome.unavailable(scanned.detail(), scanned.retryAfter());
    }
    Merge merge = scanned.value().get("");
    if (merge == null) {
      return QueryOutcome.notFound("no durations in [" + range.from() + ", " + range.to() + ")");
    }
    return QueryOutcome.ok(new DurationStats(range.from(), range.to(), Map.of(), merge.buckets,
        DurationSummary.of(merge.sketch)));
  }

  /**
   * The buckets of {@code scope} in {@code range}, merged per group, from the partition that
   * {@code partitionKey} maps to, which must be active here. Read through IQv1
   * ({@link ReadOnlyKeyValueStore#range}), not an IQv2 {@code RangeQuery}: in Kafka Streams 4.3.1 an
   * IQv2 query can deadlock with the stream thread writing the same store (KAFKA-19629).
   */
  private QueryOutcome<Map<String, Merge>> scan(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> store,
      String scope, String partitionKey, DurationRange range) {
    KeyQueryMetadata metadata;
    try {
      metadata = streams.queryMetadataForKey(store.name(), partitionKey, Serdes.String().serializer());
    } catch (IllegalStateException e) {
      return QueryOutcome.unavailable("streams not running: " + streams.state(), TestpulseQueries.RETRY_AFTER);
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
      return QueryOutcome.unavailable("no instance owns " + store.name() + " for this key yet (rebalancing)",
          TestpulseQueries.RETRY_AFTER);
    }
    if (!self.equals(HostInfo.unavailable()) && !self.equals(metadata.activeHost())) {
      return QueryOutcome.unavailable("key is owned by " + metadata.activeHost() + " (route with KeyRouter)",
          TestpulseQueries.RETRY_AFTER);
    }
    int partition = metadata.partition();
    Map<String, Merge> groups = new LinkedHashMap<>();
    try {
      ReadOnlyKeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> local = streams.store(StoreQueryParameters
          .fromNameAndType(store.name(), QueryableStoreTypes.<BucketKey, DDSketchWithExactSummaryStatistics>keyValueStore())
          .withPartition(partition));
      mergeInto(groups, local.range(range.lower(scope), range.upper(scope)), range);
    } catch (InvalidStateStoreException e) {
      return QueryOutcome.unavailable("partition " + partition + " of " + store.name() + " is not queryable here ("
          + e.getClass().getSimpleName() + ")", TestpulseQueries.RETRY_AFTER);
    }
    return QueryOutcome.ok(groups);
  }

  private static void mergeInto(Map<String, Merge> groups,
      KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> iterator, DurationRange range) {
    try (iterator) {
      while (iterator.hasNext()) {
        KeyValue<BucketKey, DDSketchWithExactSummaryStatistics> kv = iterator.next();
        if (range.contains(kv.key) && kv.value != null && !kv.value.isEmpty()) {
          Merge merge = groups.computeIfAbsent(kv.key.group(), g -> new Merge());
          merge.sketch.mergeWith(kv.value);
          merge.buckets++;
        }
      }
    }
  }

  private static final class Merge {
    private final DDSketchWithExactSummaryStatistics sketch = DurationSketches.create();
    private int buckets;
  }
}
