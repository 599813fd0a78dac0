package io.testpulse.topology;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.internals.DurationsStep;
import io.testpulse.topology.internals.EnrichedStep;
import io.testpulse.topology.internals.ExecutionTimestampExtractor;
import io.testpulse.topology.internals.QuarantineStep;
import io.testpulse.topology.internals.StatsStep;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The testpulse topology, as a function: {@link #addTo(StreamsBuilder)} adds it to a builder you
 * own (next to your own topology), {@link #build()} returns a {@link Topology} for a
 * {@code KafkaStreams} of its own. Immutable: every {@code with*} returns a new object.
 *
 * <pre>{@code
 * TestpulseConfig config = new TestpulseConfig(Map.of(TestpulseConfig.TOPIC_PREFIX_CONFIG, "ci"));
 * Topology topology = TestpulseTopology.create(config).build();
 * KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
 * }</pre>
 */
public final class TestpulseTopology {

  private final Topics topics;
  private final DurationOptions durations;

  private TestpulseTopology(Topics topics, DurationOptions durations) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.durations = Objects.requireNonNull(durations, "durations");
  }

  public static TestpulseTopology create(TestpulseConfig config) {
    return new TestpulseTopology(config.topics(), config.durationOptions());
  }

  public static TestpulseTopology withTopics(Topics topics) {
    return new TestpulseTopology(topics, DurationOptions.defaults());
  }

  /** The same topology with other durations settings. */
  public TestpulseTopology withDurations(DurationOptions options) {
    return new TestpulseTopology(topics, options);
  }

  public Topics topics() {
    return topics;
  }

  /**
   * Adds every testpulse processor, store and sink to {@code builder}; every name is explicit.
   * Each capability is a step of its own in {@code internals}, fed the executions stream.
   */
  public void addTo(StreamsBuilder builder) {
    KStream<String, TestExecution> executions = builder.stream(topics.executions().name(),
        topics.executions().consumed().withTimestampExtractor(new ExecutionTimestampExtractor()));
    StatsStep.addTo(builder, executions, topics);
    DurationsStep.addTo(builder, executions, topics, durations);
    EnrichedStep.addTo(builder, executions, topics);
    QuarantineStep.addTo(builder, topics);
  }

  /** A topology of its own, built with explicit-naming enforcement on. */
  public Topology build() {
    Properties props = new Properties();
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    StreamsBuilder builder = new StreamsBuilder(new org.apache.kafka.streams.TopologyConfig(new StreamsConfig(
        withDummyRequired(props))));
    addTo(builder);
    return builder.build(props);
  }

  private static Properties withDummyRequired(Properties props) {
    // TopologyConfig needs a StreamsConfig; application.id and bootstrap.servers do not affect the
    // topology and are supplied by whoever runs it.
    Properties copy = new Properties();
    copy.putAll(props);
    copy.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, "testpulse-topology");
    copy.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    return copy;
  }
}
