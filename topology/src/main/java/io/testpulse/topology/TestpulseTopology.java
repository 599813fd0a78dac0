package io.testpulse.topology;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.internals.DurationsStep;
import io.testpulse.topology.internals.EnrichedStep;
import io.testpulse.topology.internals.EngineStep;
import io.testpulse.topology.internals.ExecutionTimestampExtractor;
import java.time.Duration;
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
  private final Duration dedupHorizon;
  private final FlakinessPolicy flakinessPolicy;
  private final Duration statsEmitInterval;

  private TestpulseTopology(Topics topics, DurationOptions durations, Duration dedupHorizon,
                            FlakinessPolicy flakinessPolicy, Duration statsEmitInterval) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.durations = Objects.requireNonNull(durations, "durations");
    this.dedupHorizon = Objects.requireNonNull(dedupHorizon, "dedupHorizon");
    this.flakinessPolicy = Objects.requireNonNull(flakinessPolicy, "flakinessPolicy");
    this.statsEmitInterval = Objects.requireNonNull(statsEmitInterval, "statsEmitInterval");
  }

  /** The topology for {@code config}: its topic prefix and, as they are added, its policies. */
  public static TestpulseTopology create(TestpulseConfig config) {
    return new TestpulseTopology(config.topics(), config.durationOptions(), config.dedupHorizon(),
        config.flakinessPolicy(), config.statsEmitInterval());
  }

  /** The topology over the given topics, with every other setting at its default. */
  public static TestpulseTopology withTopics(Topics topics) {
    return new TestpulseTopology(topics, DurationOptions.defaults(), TestpulseConfig.DEFAULT_DEDUP_HORIZON,
        FlakinessPolicy.defaults(), new TestpulseConfig(java.util.Map.of()).statsEmitInterval());
  }

  /** The same topology with other durations settings. */
  public TestpulseTopology withDurations(DurationOptions options) {
    return new TestpulseTopology(topics, options, dedupHorizon, flakinessPolicy, statsEmitInterval);
  }

  /** The same topology judging flakiness by {@code policy} (validated when the topology is built). */
  public TestpulseTopology withFlakinessPolicy(FlakinessPolicy policy) {
    return new TestpulseTopology(topics, durations, dedupHorizon, policy, statsEmitInterval);
  }

  public FlakinessPolicy flakinessPolicy() {
    return flakinessPolicy;
  }

  /** A copy with another de-duplication horizon ({@link TestpulseConfig#DEDUP_HORIZON_MS_CONFIG}). */
  public TestpulseTopology withDedupHorizon(Duration horizon) {
    return new TestpulseTopology(topics, durations, horizon, flakinessPolicy, statsEmitInterval);
  }

  /** A copy writing each changed test's stats at most once per {@code interval} (0: at every commit). */
  public TestpulseTopology withStatsEmitInterval(Duration interval) {
    return new TestpulseTopology(topics, durations, dedupHorizon, flakinessPolicy, interval);
  }

  /** The topics this topology reads and writes. */
  public Topics topics() {
    return topics;
  }

  /**
   * Adds every testpulse processor, store and sink to {@code builder}; every name is explicit. The
   * per-test engine ({@link EngineStep}) owns each test's state; durations and the enriched rows are fed
   * the executions it accepted (duplicates dropped, attempts numbered).
   *
   * @throws IllegalArgumentException if a policy is invalid, naming the bad value
   */
  public void addTo(StreamsBuilder builder) {
    flakinessPolicy.validate();
    KStream<String, TestExecution> source = builder.stream(topics.executions().name(),
        topics.executions().consumed().withTimestampExtractor(new ExecutionTimestampExtractor()));
    KStream<String, TestExecution> executions = EngineStep.addTo(builder, source, topics, flakinessPolicy, dedupHorizon,
        statsEmitInterval);
    DurationsStep.addTo(builder, executions, topics, durations);
    EnrichedStep.addTo(builder, executions, topics);
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
