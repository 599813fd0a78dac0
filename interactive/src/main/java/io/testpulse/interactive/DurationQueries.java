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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Duration percentiles over any {@code [from, to)} inside retention: merges the sketches of every
 * time bucket overlapping the range (IQv2 {@link RangeQuery} on the bucket stores), per test, per
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
   * (an empty list when the suite has none there).
   */
  public QueryOutcome<List<DurationStats>> suiteBy(String tenant, String suite, List<String> dimensionSet,
      Instant from, Instant to) {
    if (!options.dimensionSets().contains(dimensionSet)) {
      throw new IllegalArgumentException("dimension set " + dimensionSet + " is not configured; configured: "
          + options.dimensionSets());
    }
    DurationRange range = DurationRange.covering(options, from, to);
    String scope = DurationScopes.dimensionScope(tenant, DurationOptions.dimensionSetName(dimensionSet), suite);
    StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> store = Stores.DURATION_ROLLUP_BUCKETS;
    QueryOutcome<Void> hosted = allPartitionsHostedHere(store.name());
    if (hosted != null) {
      return QueryOutcome.unavailable(hosted.detail(), hosted.retryAfter());
    }
    StateQueryResult<KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics>> result;
    try {
      result = streams.query(StateQueryRequest.inStore(store.name()).withQuery(rangeOf(scope, range)));
    } catch (RuntimeException e) {
      return QueryOutcome.unavailable("streams not queryable: " + e.getMessage(), TestpulseQueries.RETRY_AFTER);
    }
    Map<String, Merge> groups = new LinkedHashMap<>();
    QueryOutcome<Void> failed = null;
    for (Map.Entry<Integer, QueryResult<KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics>>> e
        : result.getPartitionResults().entrySet()) {
      QueryResult<KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics>> partition = e.getValue();
      if (partition.isFailure()) {
        failed = QueryOutcome.unavailable(store.name() + " partition " + e.getKey() + ": " + partition.getFailureReason()
            + " (" + partition.getFailureMessage() + ")", TestpulseQueries.RETRY_AFTER);
        continue;
      }
      mergeInto(groups, partition.getResult(), range);
    }
    if (failed != null) {
      return QueryOutcome.unavailable(failed.detail(), failed.retryAfter());
    }
    if (result.getPartitionResults().isEmpty()) {
      return QueryOutcome.unavailable("no partition of " + store.name() + " is hosted here yet (rebalancing)",
          TestpulseQueries.RETRY_AFTER);
    }
    List<DurationStats> answer = new ArrayList<>();
    groups.forEach((group, merge) -> answer.add(new DurationStats(range.from(), range.to(),
        DurationScopes.groupValues(dimensionSet, group), merge.buckets, DurationSummary.of(merge.sketch))));
    answer.sort((a, b) -> Long.compare(b.summary().count(), a.summary().count()));
    return QueryOutcome.ok(answer);
  }

  private QueryOutcome<DurationStats> single(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> store,
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
      return QueryOutcome.unavailable("key is owned by " + metadata.activeHost() + ", which this instance does not "
          + "forward to yet", TestpulseQueries.RETRY_AFTER);
    }
    int partition = metadata.partition();
    StateQueryResult<KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics>> result = streams.query(
        StateQueryRequest.inStore(store.name()).withQuery(rangeOf(scope, range)).withPartitions(Set.of(partition)));
    QueryResult<KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics>> partitionResult =
        result.getPartitionResults().get(partition);
    if (partitionResult == null) {
      return QueryOutcome.unavailable("partition " + partition + " of " + store.name() + " is not hosted here",
          TestpulseQueries.RETRY_AFTER);
    }
    if (partitionResult.isFailure()) {
      return QueryOutcome.unavailable(store.name() + " partition " + partition + ": "
          + partitionResult.getFailureReason() + " (" + partitionResult.getFailureMessage() + ")",
          TestpulseQueries.RETRY_AFTER);
    }
    Map<String, Merge> groups = new LinkedHashMap<>();
    mergeInto(groups, partitionResult.getResult(), range);
    Merge merge = groups.get("");
    if (merge == null) {
      return QueryOutcome.notFound("no durations in [" + range.from() + ", " + range.to() + ")");
    }
    return QueryOutcome.ok(new DurationStats(range.from(), range.to(), Map.of(), merge.buckets,
        DurationSummary.of(merge.sketch)));
  }

  private static RangeQuery<BucketKey, DDSketchWithExactSummaryStatistics> rangeOf(String scope, DurationRange range) {
    return RangeQuery.withRange(range.lower(scope), range.upper(scope));
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

  /** {@code null} when every partition of {@code store} is hosted by this instance, else why not. */
  private QueryOutcome<Void> allPartitionsHostedHere(String store) {
    Collection<StreamsMetadata> hosts;
    try {
      hosts = streams.streamsMetadataForStore(store);
    } catch (IllegalStateException e) {
      return QueryOutcome.unavailable("streams not running: " + streams.state(), TestpulseQueries.RETRY_AFTER);
    }
    for (StreamsMetadata host : hosts) {
      if (!self.equals(HostInfo.unavailable()) && !self.equals(host.hostInfo()) && !host.topicPartitions().isEmpty()) {
        return QueryOutcome.unavailable("part of " + store + " is hosted by " + host.hostInfo()
            + ", which this instance does not query yet", TestpulseQueries.RETRY_AFTER);
      }
    }
    return null;
  }

  private static final class Merge {
    private final DDSketchWithExactSummaryStatistics sketch = DurationSketches.create();
    private int buckets;
  }
}
