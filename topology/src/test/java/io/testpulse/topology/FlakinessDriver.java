package io.testpulse.topology;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestExecution;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The whole topology on TopologyTestDriver with typed topics for the flakiness tests. */
final class FlakinessDriver implements AutoCloseable {

  static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");

  final Topics topics = Topics.withPrefix("tp");
  final TopologyTestDriver driver;
  final TestInputTopic<String, TestExecution> executions;
  final TestInputTopic<String, QuarantineCommand> commands;
  final TestOutputTopic<String, Transition> transitions;
  final TestOutputTopic<String, Flip> flips;
  final TestOutputTopic<String, TestStats> stats;
  final TestOutputTopic<byte[], byte[]> deadLetters;

  FlakinessDriver(FlakinessPolicy policy, Path stateDir) {
    Properties props = new TestpulseConfig(Map.of(TestpulseConfig.TOPIC_PREFIX_CONFIG, "tp")).streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "flakiness-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // exactly-once adds a transaction per record on the driver and changes no result here
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(TestpulseTopology.withTopics(topics).withFlakinessPolicy(policy)
        .withStatsEmitInterval(java.time.Duration.ZERO).build(), props, T0);
    executions = driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(),
        topics.executions().valueSerde().serializer());
    commands = driver.createInputTopic(topics.quarantineCommands().name(), Serdes.String().serializer(),
        topics.quarantineCommands().valueSerde().serializer());
    transitions = driver.createOutputTopic(topics.transitions().name(), Serdes.String().deserializer(),
        topics.transitions().valueSerde().deserializer());
    flips = driver.createOutputTopic(topics.flips().name(), Serdes.String().deserializer(),
        topics.flips().valueSerde().deserializer());
    stats = driver.createOutputTopic(topics.testStats().name(), Serdes.String().deserializer(),
        topics.testStats().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  void send(TestExecution e) {
    executions.pipeInput(TestKeys.key(e.getTenant(), e.getTestId()), e, e.getEventTime());
  }

  void send(QuarantineCommand c) {
    commands.pipeInput(c.key(), c, c.requestedAt());
  }

  KeyValueStore<String, io.testpulse.avro.TestRecord> records() {
    return driver.getKeyValueStore(Stores.TEST_RECORD.name());
  }

  FlakinessState state(String key) {
    io.testpulse.avro.TestRecord r = records().get(key);
    return r == null ? null : r.getFlakiness();
  }

  /** Fails on any dead-lettered record: a processing error in the flakiness engine is a bug, not bad input. */
  void assertNoDeadLetters() {
    if (!deadLetters.isEmpty()) {
      var dead = deadLetters.readRecord();
      throw new AssertionError("dead-lettered: " + new String(
          dead.headers().lastHeader("__streams.errors.exception").value(), java.nio.charset.StandardCharsets.UTF_8)
          + " " + new String(dead.headers().lastHeader("__streams.errors.message").value(),
          java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
