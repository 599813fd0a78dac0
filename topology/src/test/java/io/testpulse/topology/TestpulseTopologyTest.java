package io.testpulse.topology;

import static io.testpulse.topology.Executions.execution;
import static io.testpulse.topology.Executions.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestpulseTopologyTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  private final TestpulseConfig config = new TestpulseConfig(Map.of(TestpulseConfig.TOPIC_PREFIX_CONFIG, "tp",
      TestpulseConfig.STATS_EMIT_INTERVAL_MS_CONFIG, "0"));
  private final Topics topics = config.topics();
  /** Its own state directory: the default (/tmp/kafka-streams) is shared by every build on the machine. */
  @TempDir
  Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, TestExecution> input;
  private TestInputTopic<String, byte[]> rawInput;
  private TestOutputTopic<String, TestStats> stats;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void start() {
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(TestpulseTopology.create(config).build(), props, T0);
    input = driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(),
        topics.executions().valueSerde().serializer());
    rawInput = driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(),
        Serdes.ByteArray().serializer());
    stats = driver.createOutputTopic(topics.testStats().name(), Serdes.String().deserializer(),
        topics.testStats().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  private void send(TestExecution e) {
    input.pipeInput(TestKeys.key(e.getTenant(), e.getTestId()), e);
  }

  @Test
  void shouldCountEachResultWhenExecutionsArrive() {
    send(execution("adds", Result.PASSED, T0));
    send(execution("adds", Result.FAILED, T0.plusSeconds(60)));
    send(execution("adds", Result.PASSED, T0.plusSeconds(120)));
    send(execution("adds", Result.SKIPPED, T0.plusSeconds(180)));
    send(execution("adds", Result.PENDING, T0.plusSeconds(240)));

    KeyValueStore<String, io.testpulse.avro.TestRecord> store = driver.getKeyValueStore(Stores.TEST_RECORD.name());
    TestState state = store.get(key("adds")).getStats();
    assertThat(state.getPassed()).isEqualTo(2);
    assertThat(state.getFailed()).isEqualTo(1);
    assertThat(state.getSkipped()).isEqualTo(1);
    assertThat(state.getOther()).isEqualTo(1);
    assertThat(state.getLastSeen()).isEqualTo(T0.plusSeconds(240));
  }

  @Test
  void shouldComputeReliabilityFromPassesAndFailuresOnlyWhenSkipsArePresent() {
    send(execution("adds", Result.PASSED, T0));
    send(execution("adds", Result.PASSED, T0.plusSeconds(1)));
    send(execution("adds", Result.PASSED, T0.plusSeconds(2)));
    send(execution("adds", Result.FAILED, T0.plusSeconds(3)));
    send(execution("adds", Result.SKIPPED, T0.plusSeconds(4)));

    TestStats last = stats.readKeyValuesToMap().get(key("adds"));
    assertThat(last.reliability()).isEqualTo(0.75);
    assertThat(last.executions()).isEqualTo(5);
  }

  @Test
  void shouldLeaveReliabilityNullWhenTestWasOnlySkipped() {
    send(execution("skips", Result.SKIPPED, T0));

    assertThat(stats.readValue().reliability()).isNull();
  }

  @Test
  void shouldEmitStatsWithKeyInsideAndIncreasingVersionWhenStateChanges() {
    send(execution("adds", Result.PASSED, T0));
    send(execution("adds", Result.FAILED, T0.plusSeconds(1)));

    List<TestRecord<String, TestStats>> out = stats.readRecordsToList();
    assertThat(out).hasSize(2);
    assertThat(out).allSatisfy(r -> assertThat(r.value().key()).isEqualTo(r.key()));
    assertThat(out.get(0).value().version()).isEqualTo(1);
    assertThat(out.get(1).value().version()).isEqualTo(2);
    assertThat(out.get(1).value().deleted()).isZero();
  }

  @Test
  void shouldKeepLatestResultWhenAnOlderExecutionArrivesLate() {
    send(execution("adds", Result.FAILED, T0.plusSeconds(600)));
    send(execution("adds", Result.PASSED, T0));

    TestState state = driver.<String, io.testpulse.avro.TestRecord>getKeyValueStore(Stores.TEST_RECORD.name()).get(key("adds")).getStats();
    assertThat(state.getLastResult()).isEqualTo(Result.FAILED);
    assertThat(state.getLastSeen()).isEqualTo(T0.plusSeconds(600));
    assertThat(state.getFirstSeen()).isEqualTo(T0);
  }

  @Test
  void shouldSkipUndecodableRecordAndKeepProcessing() {
    // TopologyTestDriver skips such a record but does not route deserialization failures to the
    // dead-letter topic; that path (with its coordinates) is checked on a real broker in
    // TestpulseAppIT.
    rawInput.pipeInput(key("adds"), "not avro at all".getBytes(StandardCharsets.UTF_8));
    send(execution("adds", Result.PASSED, T0));

    assertThat(stats.readValue().passed()).as("the valid record after the bad one is processed").isEqualTo(1);
    assertThat(stats.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterExecutionWhoseKeyDoesNotMatchItsIdentity() {
    input.pipeInput("acme/ffffffffffffffffffffffffffffffff", execution("adds", Result.PASSED, T0));

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, "__streams.errors.message")).contains("record key is not tenant/test_id");
    assertThat(header(dead, "__streams.errors.offset")).isEqualTo("0");
    assertThat(deadLetters.isEmpty()).as("dead-lettered once, by the first step, not once per step").isTrue();
    assertThat(stats.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterExecutionWhenItsTextWouldOutgrowTheOutputs() {
    // 200K control characters: 200 KB of Avro input, 1.2 MB as JSON stats and enriched rows, more
    // than Kafka's default message size: producing those outputs would stop Kafka Streams
    String name = "\u0001".repeat(200_000);
    send(execution(name, Result.PASSED, T0));
    send(execution("adds", Result.PASSED, T0.plusSeconds(1)));

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, "__streams.errors.message")).contains("exceeds " + ExecutionLimits.MAX_TEXT_BYTES);
    assertThat(header(dead, "__streams.errors.offset")).isEqualTo("0");
    assertThat(stats.readKeyValuesToMap()).containsOnlyKeys(key("adds"));
  }

  @Test
  void shouldDeadLetterExecutionWhenItsTagsExceedTheTextLimit() {
    TestExecution e = execution("tagged", Result.PASSED, T0);
    e.setTags(Map.of("instance_type", "x".repeat(ExecutionLimits.MAX_TEXT_BYTES)));
    send(e);

    assertThat(header(deadLetters.readRecord(), "__streams.errors.message")).contains("execution text");
    assertThat(stats.isEmpty()).isTrue();
  }

  @Test
  void shouldCountExecutionWhenItsTextIsJustUnderTheLimit() {
    TestExecution e = execution("long name", Result.PASSED, T0);
    long other = ExecutionLimits.textBytes(e);
    e.setTags(Map.of("k", "x".repeat((int) (ExecutionLimits.MAX_TEXT_BYTES - other - 1 - ExecutionLimits.TAG_OVERHEAD_BYTES))));
    assertThat(ExecutionLimits.textBytes(e)).isEqualTo(ExecutionLimits.MAX_TEXT_BYTES);
    send(e);

    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(stats.readValue().passed()).isEqualTo(1);
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
