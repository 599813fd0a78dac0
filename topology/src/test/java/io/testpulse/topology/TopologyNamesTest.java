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
        .contains("Sink: test-stats-sink (topic: testpulse.test-stats.v1)")
        .contains("Source: testpulse.flip-verdicts.v1-source (topics: [testpulse.flip-verdicts.v1])")
        .contains("Source: testpulse.quarantine-commands.v1-source (topics: [testpulse.quarantine-commands.v1])")
        .contains("Sink: flakiness-run-messages-repartition-sink (topic: flakiness-run-messages-repartition)")
        .contains("Source: flakiness-run-messages-repartition-source (topics: [flakiness-run-messages-repartition])")
        .contains("Sink: testpulse.flip-verdicts.v1-sink (topic: testpulse.flip-verdicts.v1)")
        .contains("Sink: testpulse.test-flips.v1-sink (topic: testpulse.test-flips.v1)")
        .contains("Processor: executions-enriched-mapper")
        .contains("Sink: testpulse.executions.v1.enriched-sink (topic: testpulse.executions.v1.enriched)")
        .contains("Sink: testpulse.test-transitions.v1-sink (topic: testpulse.test-transitions.v1)");
    assertThat(description.split("\\(topic: testpulse\\.test-stats\\.v1\\)", -1)).as("test-stats sinks").hasSize(2);
    // test-stats-pending: tests whose stats wait for the next emission (new in 0.2)
    assertStores(description, "test-engine-processor", "test-record", "dedup-evicted-runs", "test-stats-pending",
        "flakiness-commits", "flakiness-watermark", "flakiness-state-index");
    assertStores(description, "flip-verdict-processor", "test-record", "flakiness-commits", "flakiness-state-index");
    assertStores(description, "quarantine-processor", "test-record", "flakiness-state-index");
    assertStores(description, "run-outcome-processor", "run-candidates", "run-outcomes");
  }

  /** The processor's stores, in any order (describe() lists them from a set). */
  private static void assertStores(String description, String processor, String... stores) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("Processor: " + java.util.regex.Pattern.quote(processor) + " \\(stores: \\[([^]]*)]\\)")
        .matcher(description);
    assertThat(m.find()).as("processor %s in%n%s", processor, description).isTrue();
    assertThat(m.group(1).split(", ")).as("stores of %s", processor).containsExactlyInAnyOrder(stores);
  }

  @Test
  void shouldKeepEveryDurationsNameStable() {
    String description = TestpulseTopology.create(new TestpulseConfig(Map.of(
        TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "instance_type,arch"))).build().describe().toString();

    assertThat(description)
        .contains("Sink: duration-slow-transitions-sink (topic: testpulse.test-transitions.v1)")
        // 0.2: duration-rollup-filter and duration-rollup-keys (a record per execution and rollup) became
        // duration-rollup-partials (a partial sketch per rollup and bucket per commit); the repartition topic
        // duration-rollups became duration-rollup-partials
        .contains("Sink: duration-rollup-partials-repartition-sink (topic: duration-rollup-partials-repartition)")
        .contains("Source: duration-rollup-partials-repartition-source (topics: [duration-rollup-partials-repartition])")
        .contains("Processor: duration-buckets-merge")
        .contains("Sink: testpulse.duration-buckets.v1-sink (topic: testpulse.duration-buckets.v1)");
    // 0.2: duration-test-pending and duration-rollup-pending (a record per bucket) became duration-test-emits and
    // duration-rollup-emits (a chunk of keys per commit)
    assertStores(description, "duration-test-processor", "duration-test-buckets", "duration-test-emits");
    assertStores(description, "duration-slow-detector", "duration-test-buckets", "duration-slow-tests");
    assertStores(description, "duration-rollup-processor", "duration-rollup-buckets", "duration-rollup-emits");
    assertStores(description, "duration-rollup-partials", "duration-test-buckets");
  }

  @Test
  void shouldBuildWithoutGeneratedNames() {
    String description = TestpulseTopology.create(new TestpulseConfig(Map.of())).build().describe().toString();

    assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
  }
}
