package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.EnrichedExecution;
import io.testpulse.topology.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Every execution as a flat JSON row on the enriched-executions topic, for ClickHouse's
 * raw-executions table. Stateless: no store, no repartition.
 */
public final class EnrichedStep {

  private EnrichedStep() {
  }

  public static void addTo(StreamsBuilder builder, KStream<String, TestExecution> executions, Topics topics) {
    executions
        .mapValues(EnrichedExecution::from, Named.as("executions-enriched-mapper"))
        .to(topics.executionsEnriched().name(), topics.executionsEnriched().produced());
  }
}
