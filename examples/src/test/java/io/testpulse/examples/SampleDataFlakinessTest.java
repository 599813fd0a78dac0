package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.FlakinessState;
import io.testpulse.examples.SampleData.Nature;
import io.testpulse.examples.SampleData.SampleTest;
import io.testpulse.topology.Flip;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.Topics;
import io.testpulse.topology.Transition;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's generated history through the whole topology with the default flakiness policy:
 * the tests generated flaky, and only they, end FLAKY; the broken ones BROKEN; the outage run
 * leaves no flip behind.
 */
class SampleDataFlakinessTest {

  @TempDir
  Path stateDir;

  @Test
  void shouldFindTheKnownFlakyAndBrokenTestsAndOnlyThemWhenTheSampleDataIsProcessed() {
    SampleData data = new SampleData(new SampleData.Shape("demo", 120, 80, 0.06, 0.03, Duration.ofDays(14),
        Instant.parse("2026-11-20T00:00:00Z"), 42L));
    TestpulseConfig config = new TestpulseConfig(Map.of(TestpulseConfig.TOPIC_PREFIX_CONFIG, "demo"));
    Topics topics = config.topics();
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sample-data-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE); // one transaction per record otherwise
    try (TopologyTestDriver driver = new TopologyTestDriver(TestpulseTopology.create(config).build(), props)) {
      TestInputTopic<String, io.testpulse.avro.TestExecution> input = driver.createInputTopic(
          topics.executions().name(), Serdes.String().serializer(), topics.executions().valueSerde().serializer());
      data.generate(e -> input.pipeInput(TestKeys.key(e.getTenant(), e.getTestId()), e, e.getEventTime()));

      KeyValueStore<String, io.testpulse.avro.TestRecord> records = driver.getKeyValueStore(Stores.TEST_RECORD.name());
      Map<Nature, List<SampleTest>> byNature = data.tests().stream().collect(Collectors.groupingBy(SampleTest::nature));
      assertThat(byNature.get(Nature.FLAKY)).hasSizeGreaterThan(3);
      assertThat(byNature.get(Nature.BROKEN)).hasSizeGreaterThan(1);
      for (SampleTest test : data.tests()) {
        String expected = switch (test.nature()) {
          case FLAKY -> "FLAKY";
          case BROKEN -> "BROKEN";
          case HEALTHY -> "HEALTHY";
        };
        FlakinessState state = records.get(TestKeys.key("demo", test.testId())).getFlakiness();
        assertThat(state.getState()).as("%s test %s", test.nature(), test.name()).isEqualTo(expected);
      }

      List<Flip> flips = driver.createOutputTopic(topics.flips().name(), Serdes.String().deserializer(),
          topics.flips().valueSerde().deserializer()).readValuesToList();
      assertThat(flips.stream().filter(f -> !f.retracted() && f.failRunKey().endsWith(SampleData.OUTAGE_SUFFIX)))
          .as("flips whose failure is the outage's must all be retracted")
          .allSatisfy(f -> assertThat(flips).contains(new Flip(f.key(), f.tenant(), f.testId(), f.suite(),
              f.commitSha(), f.failRunKey(), f.failAttempt(), f.passRunKey(), f.passAttempt(), f.time(), true)));
      List<Transition> transitions = driver.createOutputTopic(topics.transitions().name(),
          Serdes.String().deserializer(), topics.transitions().valueSerde().deserializer()).readValuesToList();
      assertThat(transitions).extracting(Transition::reason).contains("same_commit_flip", "failure_rate_high");
    }
  }
}
