package io.testpulse.topology;

import static io.testpulse.topology.Executions.execution;
import static io.testpulse.topology.Executions.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.nio.file.Path;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrichedExecutionsTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestpulseConfig config = new TestpulseConfig(Map.of(TestpulseConfig.TOPIC_PREFIX_CONFIG, "tp"));
  private final Topics topics = config.topics();
  /** Its own state directory: the default (/tmp/kafka-streams) is shared by every build on the machine. */
  @TempDir
  Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, TestExecution> input;
  private TestOutputTopic<String, byte[]> enriched;

  @BeforeEach
  void start() {
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "enriched-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(TestpulseTopology.create(config).build(), props, T0);
    input = driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(),
        topics.executions().valueSerde().serializer());
    enriched = driver.createOutputTopic(topics.executionsEnriched().name(), Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldWriteOneFlatJsonRowWithTagsAsAnObjectWhenAnExecutionArrives() throws Exception {
    TestExecution e = execution("adds", Result.FAILED, T0);
    e.setTags(Map.of("arch", "arm64", "instance_type", "c7g.large"));
    e.setAttempt(1);
    e.setFailureReason("boom");
    // attempt is numbered by the de-dup step: the second execution of the test in this run key is attempt 1
    input.pipeInput(key("adds"), execution("adds", Result.PASSED, T0));
    input.pipeInput(key("adds"), e);

    enriched.readRecord();
    TestRecord<String, byte[]> record = enriched.readRecord();
    JsonNode row = JSON.readTree(record.value());
    assertThat(record.key()).isEqualTo(key("adds"));
    assertThat(row.path("key").asText()).isEqualTo(key("adds"));
    assertThat(row.path("execution_id").asText()).isEqualTo(e.getExecutionId());
    assertThat(row.path("tenant").asText()).isEqualTo("acme");
    assertThat(row.path("test_id").asText()).isEqualTo(e.getTestId());
    assertThat(row.path("result").asText()).isEqualTo("FAILED");
    assertThat(row.path("duration_micros").asLong()).isEqualTo(1_000);
    assertThat(row.path("event_time").asLong()).isEqualTo(T0.toEpochMilli());
    assertThat(row.path("run_key").asText()).isEqualTo(e.getRun().getKey());
    assertThat(row.path("branch").asText()).isEqualTo("main");
    assertThat(row.path("commit_sha").asText()).isEqualTo(e.getRun().getCommitSha());
    assertThat(row.path("attempt").asInt()).isEqualTo(1);
    assertThat(row.path("failure_reason").asText()).isEqualTo("boom");
    assertThat(row.path("tags").isObject()).isTrue();
    assertThat(row.path("tags").path("arch").asText()).isEqualTo("arm64");
    assertThat(row.path("tags").path("instance_type").asText()).isEqualTo("c7g.large");
    assertThat(row.has("run")).as("run fields are flattened").isFalse();
    assertThat(enriched.isEmpty()).isTrue();
  }

  @Test
  void shouldCreateTheEnrichedTopicWithDeletePolicy() {
    assertThat(topics.all()).extracting(TopicHandle::name).contains("tp.executions.v1.enriched");
    assertThat(topics.executionsEnriched().name()).isEqualTo("tp.executions.v1.enriched");
    assertThat(topics.executionsEnriched().compacted()).isFalse();
  }
}
