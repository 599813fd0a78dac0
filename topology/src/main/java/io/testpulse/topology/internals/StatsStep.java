package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Per-test counts and reliability in the test-state store, emitted to the compacted test-stats topic
 * together with the test's flakiness state (read from the store {@link FlakinessStep} owns). The
 * test-state store itself is registered by {@code TestpulseTopology}, as two steps use it.
 */
public final class StatsStep {

  private StatsStep() {
  }

  public static void addTo(StreamsBuilder builder, KStream<String, TestExecution> executions, Topics topics) {
    executions
        .process(() -> new TestStatsProcessor(Stores.TEST_STATE), Named.as("test-stats-processor"),
            Stores.TEST_STATE.name(), Stores.FLAKINESS_STATE.name())
        .to(topics.testStats().name(), topics.testStats().produced());
  }
}
