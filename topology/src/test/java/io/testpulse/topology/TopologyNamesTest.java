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
        .contains("Processor: test-stats-processor (stores: [test-state])")
        .contains("Sink: testpulse.test-stats.v1-sink (topic: testpulse.test-stats.v1)");
  }

  @Test
  void shouldBuildWithoutGeneratedNames() {
    String description = TestpulseTopology.create(new TestpulseConfig(Map.of())).build().describe().toString();

    assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
  }
}
