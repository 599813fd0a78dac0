package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationScopes;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import io.testpulse.topology.Transition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Duration percentiles: DDSketches in time buckets per test (co-partitioned with the input), per
 * suite and per suite and dimension set (through the {@code duration-rollups} repartition topic,
 * keyed by the rollup), emitted to the compacted duration-buckets topic; SLOW transitions when a
 * test's recent median regresses against its baseline.
 */
public final class DurationsStep {

  /** Name of the repartition topic: {@code <application.id>-duration-rollups-repartition}. */
  public static final String ROLLUPS_REPARTITION = "duration-rollups";

  private DurationsStep() {
  }

  public static void addTo(StreamsBuilder builder, KStream<String, TestExecution> executions, Topics topics,
      DurationOptions options) {
    builder.addStateStore(options.sketchCache()
        ? new SketchBucketStoreBuilder(Stores.DURATION_TEST_BUCKETS)
        : Stores.DURATION_TEST_BUCKETS.storeBuilder());
    builder.addStateStore(options.sketchCache()
        ? new SketchBucketStoreBuilder(Stores.DURATION_ROLLUP_BUCKETS)
        : Stores.DURATION_ROLLUP_BUCKETS.storeBuilder());
    builder.addStateStore(Stores.DURATION_TEST_PENDING.storeBuilder());
    builder.addStateStore(Stores.DURATION_ROLLUP_PENDING.storeBuilder());
    builder.addStateStore(Stores.DURATION_SLOW_TESTS.storeBuilder());

    KStream<String, DurationBucket> testBuckets = executions.process(() -> new TestDurationProcessor(options),
        Named.as("duration-test-processor"), Stores.DURATION_TEST_BUCKETS.name(), Stores.DURATION_TEST_PENDING.name());

    testBuckets
        .process(() -> new SlowTestDetector(options), Named.as("duration-slow-detector"),
            Stores.DURATION_TEST_BUCKETS.name(), Stores.DURATION_SLOW_TESTS.name())
        .to(topics.transitions().name(), Produced.with(Serdes.String(), topics.transitions().valueSerde())
            .withName("duration-slow-transitions-sink"));

    KStream<String, DurationBucket> rollupBuckets = executions
        .filter(TestDurationProcessor::counts, Named.as("duration-rollup-filter"))
        .flatMap((key, e) -> DurationScopes.rollupKeys(e, options).stream()
            .map(rollupKey -> KeyValue.pair(rollupKey, e.getDurationMicros())).toList(),
            Named.as("duration-rollup-keys"))
        .repartition(Repartitioned.with(Serdes.String(), Serdes.Long()).withName(ROLLUPS_REPARTITION))
        .process(() -> new RollupDurationProcessor(options), Named.as("duration-rollup-processor"),
            Stores.DURATION_ROLLUP_BUCKETS.name(), Stores.DURATION_ROLLUP_PENDING.name());

    testBuckets.merge(rollupBuckets, Named.as("duration-buckets-merge"))
        .to(topics.durationBuckets().name(), topics.durationBuckets().produced());
  }
}
