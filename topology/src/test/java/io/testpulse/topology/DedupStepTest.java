package io.testpulse.topology;

import static io.testpulse.topology.Executions.execution;
import static io.testpulse.topology.Executions.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestRecord;
import io.testpulse.avro.TestState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.nio.file.Path;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import io.testpulse.topology.internals.EngineStep;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DedupStepTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final Duration HORIZON = Duration.ofHours(1);

  private final TestpulseConfig config = new TestpulseConfig(Map.of(
      TestpulseConfig.TOPIC_PREFIX_CONFIG, "tp", TestpulseConfig.STATS_EMIT_INTERVAL_MS_CONFIG, "0",
      TestpulseConfig.DEDUP_HORIZON_MS_CONFIG, Long.toString(HORIZON.toMillis())));
  private final Topics topics = config.topics();
  /** Its own state directory: the default (/tmp/kafka-streams) is shared by every build on the machine. */
  @TempDir
  Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, TestExecution> input;
  private TestOutputTopic<String, TestStats> stats;
  private TestOutputTopic<String, TestExecution> deduped;

  @BeforeEach
  void start() {
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // the real topology, plus a tap of the de-duplicated stream to observe attempts
    StreamsBuilder builder = new StreamsBuilder();
    TestpulseTopology.create(config).addTo(builder);
    Topology topology = builder.build();
    topology.addSink("deduped-sink", "deduped", Serdes.String().serializer(),
        topics.executions().valueSerde().serializer(), EngineStep.ACCEPTED);
    driver = new TopologyTestDriver(topology, props, T0);
    input = driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(),
        topics.executions().valueSerde().serializer());
    stats = driver.createOutputTopic(topics.testStats().name(), Serdes.String().deserializer(),
        topics.testStats().valueSerde().deserializer());
    deduped = driver.createOutputTopic("deduped", Serdes.String().deserializer(),
        topics.executions().valueSerde().deserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  private void send(TestExecution e) {
    input.pipeInput(TestKeys.key(e.getTenant(), e.getTestId()), e, e.getEventTime());
  }

  private static TestExecution inRun(String name, Result result, Instant at, String runKey, String executionId) {
    TestExecution e = execution(name, result, at);
    return TestExecution.newBuilder(e).setExecutionId(executionId)
        .setRun(RunInfo.newBuilder(e.getRun()).setKey(runKey).build()).build();
  }

  private TestState state(String name) {
    return record(name).getStats();
  }

  private TestRecord record(String name) {
    return driver.<String, TestRecord>getKeyValueStore(Stores.TEST_RECORD.name()).get(key(name));
  }

  private double droppedTotal() {
    return driver.metrics().entrySet().stream()
        .filter(m -> m.getKey().name().equals("dropped-duplicates-total"))
        .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue())
        .sum();
  }

  @Test
  void shouldCountOnceWhenTheSameExecutionIdArrivesTwice() {
    TestExecution first = inRun("adds", Result.PASSED, T0, "build-1", "exec-1");
    send(first);
    send(first);
    send(TestExecution.newBuilder(first).setEventTime(T0.plusSeconds(120)).build()); // re-sent later, same id

    assertThat(state("adds").getPassed()).isEqualTo(1);
    assertThat(stats.readValuesToList()).hasSize(1);
    assertThat(droppedTotal()).isEqualTo(2.0);
  }

  @Test
  void shouldDropADuplicateWhenItArrivesWithAnOlderEventTime() {
    send(inRun("adds", Result.PASSED, T0.plusSeconds(600), "build-1", "exec-1"));
    send(inRun("adds", Result.PASSED, T0, "build-1", "exec-1"));

    assertThat(state("adds").getPassed()).isEqualTo(1);
  }

  @Test
  void shouldCountBothWhenTwoTestsShareAnExecutionId() {
    send(inRun("adds", Result.PASSED, T0, "build-1", "same-id"));
    send(inRun("removes", Result.PASSED, T0, "build-1", "same-id"));

    assertThat(state("adds").getPassed()).isEqualTo(1);
    assertThat(state("removes").getPassed()).isEqualTo(1);
    assertThat(droppedTotal()).isZero();
  }

  @Test
  void shouldCountAgainWhenTheSameIdArrivesAfterTheHorizon() {
    send(inRun("adds", Result.PASSED, T0, "build-1", "exec-1"));
    send(inRun("adds", Result.PASSED, T0.plus(HORIZON).plusSeconds(1), "build-1", "exec-1"));

    assertThat(state("adds").getPassed()).isEqualTo(2);
  }

  @Test
  void shouldNumberAttemptsWhenATestRunsAgainInTheSameRunKey() {
    send(inRun("adds", Result.FAILED, T0, "build-1", "a"));
    send(inRun("adds", Result.FAILED, T0.plusSeconds(10), "build-1", "b"));
    send(inRun("adds", Result.PASSED, T0.plusSeconds(20), "build-1", "c"));
    send(inRun("adds", Result.PASSED, T0.plusSeconds(30), "build-2", "d"));
    send(inRun("removes", Result.PASSED, T0.plusSeconds(40), "build-1", "e"));

    List<KeyValue<String, TestExecution>> out = dedupOutput();
    assertThat(out).extracting(kv -> kv.value.getExecutionId() + ":" + kv.value.getAttempt())
        .containsExactly("a:0", "b:1", "c:2", "d:0", "e:0");
  }

  @Test
  void shouldNotAdvanceTheAttemptWhenADuplicateArrives() {
    send(inRun("adds", Result.FAILED, T0, "build-1", "a"));
    send(inRun("adds", Result.FAILED, T0, "build-1", "a"));
    send(inRun("adds", Result.PASSED, T0.plusSeconds(5), "build-1", "b"));

    assertThat(dedupOutput()).extracting(kv -> kv.value.getAttempt()).containsExactly(0, 1);
  }

  @Test
  void shouldKeepAtMostTheRecordsRunLimitWhenATestRunsInManyRuns() {
    for (int run = 0; run < 40; run++) {
      send(inRun("adds", Result.PASSED, T0.plusSeconds(run), "build-" + run, "exec-" + run));
    }

    assertThat(record("adds").getRuns()).hasSizeLessThanOrEqualTo(16);
    assertThat(windowEntries(Stores.DEDUP_EVICTED_RUNS)).isPositive().isLessThan(40);
    assertThat(state("adds").getPassed()).isEqualTo(40);
  }

  @Test
  void shouldDropADuplicateWhenItsRunWasMovedOutOfTheRecord() {
    for (int run = 0; run < 40; run++) {
      send(inRun("adds", Result.PASSED, T0.plusSeconds(run), "build-" + run, "exec-" + run));
    }
    send(inRun("adds", Result.PASSED, T0.plusSeconds(100), "build-0", "exec-0")); // re-sent: its run left the record
    send(inRun("adds", Result.PASSED, T0.plusSeconds(101), "build-1", "exec-1b")); // a retry in an evicted run

    assertThat(state("adds").getPassed()).isEqualTo(41);
    assertThat(droppedTotal()).isEqualTo(1.0);
    assertThat(dedupOutput()).last().extracting(kv -> kv.value.getAttempt()).isEqualTo(1);
  }

  @Test
  void shouldForgetRunsWhenTheTestMovesPastTheHorizon() {
    for (int run = 0; run < 20; run++) {
      send(inRun("adds", Result.PASSED, T0.plusSeconds(run), "build-" + run, "exec-" + run));
    }
    // three horizons later: the old runs are neither kept in the record nor moved to the evicted-runs store
    for (int run = 0; run < 20; run++) {
      send(inRun("adds", Result.PASSED, T0.plus(HORIZON.multipliedBy(3)).plusSeconds(run), "late-" + run, "n-" + run));
    }

    assertThat(record("adds").getRuns()).allSatisfy(r -> assertThat(r.getLastTime())
        .isGreaterThanOrEqualTo(T0.plus(HORIZON.multipliedBy(2)).toEpochMilli()));
    assertThat(state("adds").getPassed()).isEqualTo(40);
  }

  @Test
  void shouldExposeTheDroppedCountAsAStreamsMetric() {
    TestExecution e = inRun("adds", Result.PASSED, T0, "build-1", "exec-1");
    send(e);
    send(e);

    Map.Entry<MetricName, ? extends Metric> total = driver.metrics().entrySet().stream()
        .filter(m -> m.getKey().name().equals("dropped-duplicates-total")).findFirst().orElseThrow();
    assertThat(total.getKey().group()).isEqualTo("stream-testpulse-metrics");
    assertThat(((Number) total.getValue().metricValue()).doubleValue()).isEqualTo(1.0);
  }

  /** What the dedup step forwards, observed on a topology of the step alone with a sink after it. */
  private List<KeyValue<String, TestExecution>> dedupOutput() {
    return deduped.readKeyValuesToList();
  }

  private long windowEntries(String store) {
    WindowStore<String, Object> window = driver.getWindowStore(store);
    long n = 0;
    try (KeyValueIterator<Windowed<String>, Object> it = window.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}
