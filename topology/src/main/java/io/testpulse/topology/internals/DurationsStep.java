package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationScopes;
import io.testpulse.serdes.TestpulseSerdes;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import io.testpulse.topology.Transition;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Duration percentiles: DDSketches in time buckets per test (co-partitioned with the input), per
 * suite and per suite and dimension set (partial sketches per task and commit through the
 * {@code duration-rollup-partials} repartition topic, keyed by the rollup), emitted to the compacted
 * duration-buckets topic; SLOW transitions when a test's recent median regresses against its baseline.
 */
public final class DurationsStep {

  /**
   * Name of the repartition topic: {@code <application.id>-duration-rollup-partials-repartition} (0.1's
   * {@code duration-rollups} carried one record per execution and rollup key).
   */
  public static final String ROLLUPS_REPARTITION = "duration-rollup-partials";

  private DurationsStep() {
  }

  public static void addTo(StreamsBuilder builder, KStream<String, TestExecution> executions, Topics topics,
      DurationOptions options) {
    // the sketch store's commit hook emits changed buckets; with the sketch cache off it writes through
    builder.addStateStore(new SketchBucketStoreBuilder(Stores.DURATION_TEST_BUCKETS));
    builder.addStateStore(new SketchBucketStoreBuilder(Stores.DURATION_ROLLUP_BUCKETS));
    builder.addStateStore(Stores.DURATION_TEST_EMITS.storeBuilder());
    builder.addStateStore(Stores.DURATION_ROLLUP_EMITS.storeBuilder());
    builder.addStateStore(Stores.DURATION_SLOW_TESTS.storeBuilder());

    KStream<String, DurationBucket> testBuckets = executions.process(() -> new TestDurationProcessor(options),
        Named.as("duration-test-processor"), Stores.DURATION_TEST_BUCKETS.name(), Stores.DURATION_TEST_EMITS.name());

    testBuckets
        .process(() -> new SlowTestDetector(options), Named.as("duration-slow-detector"),
            Stores.DURATION_TEST_BUCKETS.name(), Stores.DURATION_SLOW_TESTS.name())
        .to(topics.transitions().name(), Produced.with(Serdes.String(), topics.transitions().valueSerde())
            .withName("duration-slow-transitions-sink"));

    KStream<String, DurationBucket> rollupBuckets = executions
        .process(() -> new RollupPartialProcessor(options), Named.as("duration-rollup-partials"),
            Stores.DURATION_TEST_BUCKETS.name())
        .repartition(Repartitioned.with(Serdes.String(), TestpulseSerdes.durationSketch()).withName(ROLLUPS_REPARTITION)
            .withStreamPartitioner(DurationsStep::byScope))
        .process(() -> new RollupDurationProcessor(options), Named.as("duration-rollup-processor"),
            Stores.DURATION_ROLLUP_BUCKETS.name(), Stores.DURATION_ROLLUP_EMITS.name());

    testBuckets.merge(rollupBuckets, Named.as("duration-buckets-merge"))
        .to(topics.durationBuckets().name(), topics.durationBuckets().produced());
  }

  /**
   * Partitions a rollup key {@code scope NUL group} by its scope alone, so that every group of one
   * suite and dimension set lives in one partition: a grouped query ({@code ?groupBy=}) is then
   * answered by the one instance that owns {@code scope NUL}, like an ungrouped one. The hash is the
   * producer's default for the String key {@code scope NUL}, so {@code queryMetadataForKey} with that
   * key finds the same partition.
   */
  static Optional<Set<Integer>> byScope(String topic, String key, Object value, int numPartitions) {
    int end = key.indexOf(DurationScopes.GROUP_SEPARATOR);
    String scopeKey = end < 0 ? key + DurationScopes.GROUP_SEPARATOR : key.substring(0, end + 1);
    byte[] bytes = scopeKey.getBytes(StandardCharsets.UTF_8);
    return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(bytes)) % numPartitions));
  }
}
