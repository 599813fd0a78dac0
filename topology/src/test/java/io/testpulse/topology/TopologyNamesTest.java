package io.testpulse.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Renaming a processor, store or internal topic orphans its state and changelog. This test fails
 * on any such rename; update it only together with a migration note in the README.
 */
class TopologyNamesTest {

  @Test
  void shouldKeepEveryProcessorStoreAndTopicNameStable() {
    String description = TestpulseTopology.create(new TestpulseConfig(Map.of())).build().describe().toString();

    assertThat(description)
        .contains("Source: testpulse.executions.v1-source (topics: [testpulse.executions.v1])")
        // 0.2: one engine owns each test's record. Renamed from 0.1: dedup-processor, test-stats-processor and
        // flakiness-processor became test-engine-processor; the stores test-state, flakiness-state, dedup-seen and
        // run-attempts became test-record and dedup-evicted-runs; the sink flakiness-test-stats-sink became
        // test-stats-sink (the second test-stats sink is gone). See the README, "Upgrading from 0.1".
        .contains("--> test-engine-processor")
        .containsAnyOf(
            "Processor: test-engine-processor (stores: [dedup-evicted-runs, test-record, flakiness-commits, flakiness-watermark, flakiness-state-index])",
            "Processor: test-engine-processor (stores: [test-record, dedup-evicted-runs, flakiness-commits, flakiness-watermark, flakiness-state-index])")
        .contains("Sink: test-stats-sink (topic: testpulse.test-stats.v1)")
        .contains("Source: testpulse.flip-verdicts.v1-source (topics: [testpulse.flip-verdicts.v1])")
        .contains("Processor: flip-verdict-processor (stores: [test-record, flakiness-commits, flakiness-state-index])")
        .contains("Source: testpulse.quarantine-commands.v1-source (topics: [testpulse.quarantine-commands.v1])")
        .contains("Processor: quarantine-processor (stores: [test-record, flakiness-state-index])")
        .contains("Sink: flakiness-run-messages-repartition-sink (topic: flakiness-run-messages-repartition)")
        .contains("Source: flakiness-run-messages-repartition-source (topics: [flakiness-run-messages-repartition])")
        .contains("Processor: run-outcome-processor (stores: [run-candidates, run-outcomes])")
        .contains("Sink: testpulse.flip-verdicts.v1-sink (topic: testpulse.flip-verdicts.v1)")
        .contains("Sink: testpulse.test-flips.v1-sink (topic: testpulse.test-flips.v1)")
        .contains("Processor: executions-enriched-mapper")
        .contains("Sink: testpulse.executions.v1.enriched-sink (topic: testpulse.executions.v1.enriched)")
        .contains("Sink: testpulse.test-transitions.v1-sink (topic: testpulse.test-transitions.v1)");
    assertThat(description.split("\\(topic: testpulse\\.test-stats\\.v1\\)", -1)).as("test-stats sinks").hasSize(2);
  }

  @Test
  void shouldKeepEveryDurationsNameStable() {
    String description = TestpulseTopology.create(new TestpulseConfig(Map.of(
        TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "instance_type,arch"))).build().describe().toString();

    assertThat(description)
        .containsAnyOf("Processor: duration-test-processor (stores: [duration-test-buckets, duration-test-pending])",
            "Processor: duration-test-processor (stores: [duration-test-pending, duration-test-buckets])")
        .containsAnyOf("Processor: duration-slow-detector (stores: [duration-test-buckets, duration-slow-tests])",
            "Processor: duration-slow-detector (stores: [duration-slow-tests, duration-test-buckets])")
        .contains("Sink: duration-slow-transitions-sink (topic: testpulse.test-transitions.v1)")
        .contains("Processor: duration-rollup-filter")
        .contains("Processor: duration-rollup-keys")
        .contains("Sink: duration-rollups-repartition-sink (topic: duration-rollups-repartition)")
        .contains("Source: duration-rollups-repartition-source (topics: [duration-rollups-repartition])")
        .containsAnyOf("Processor: duration-rollup-processor (stores: [duration-rollup-buckets, duration-rollup-pending])",
            "Processor: duration-rollup-processor (stores: [duration-rollup-pending, duration-rollup-buckets])")
        .contains("Processor: duration-buckets-merge")
        .contains("Sink: testpulse.duration-buckets.v1-sink (topic: testpulse.duration-buckets.v1)");
  }

  @Test
  void shouldBuildWithoutGeneratedNames() {
    String description = TestpulseTopology.create(new TestpulseConfig(Map.of())).build().describe().toString();

    assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
  }
}
