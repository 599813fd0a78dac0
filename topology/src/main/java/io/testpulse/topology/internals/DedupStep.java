package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.Stores;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The first step after the source: drops an execution whose {@code execution_id} was already seen
 * within the horizon (so a re-sent upload never counts twice) and numbers attempts per test and
 * run key. Every other step consumes the stream this returns.
 */
public final class DedupStep {

  /** Processor name; pinned by TopologyNamesTest. */
  public static final String PROCESSOR = "dedup-processor";

  private DedupStep() {
  }

  /** Adds the de-duplication processor and its two window stores; returns the de-duplicated stream. */
  public static KStream<String, TestExecution> addTo(StreamsBuilder builder, KStream<String, TestExecution> executions,
      Duration horizon) {
    builder.addStateStore(windowStore(Stores.DEDUP_SEEN, horizon));
    builder.addStateStore(windowStore(Stores.RUN_ATTEMPTS, horizon));
    return executions.process(() -> new DedupProcessor(Stores.DEDUP_SEEN, Stores.RUN_ATTEMPTS, horizon),
        Named.as(PROCESSOR), Stores.DEDUP_SEEN, Stores.RUN_ATTEMPTS);
  }

  /**
   * A RocksDB window store whose retention is the horizon: old entries go with whole segments, so
   * the state is bounded by the executions of one horizon, whatever the input volume over time.
   */
  private static StoreBuilder<WindowStore<String, Long>> windowStore(String name, Duration horizon) {
    return org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentWindowStore(name, horizon, horizon, false),
        Serdes.String(), Serdes.Long());
  }
}
