package io.testpulse.testkit;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;
import static io.testpulse.testkit.TestpulseAssertions.assertThatThrownBy;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.TopicHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestpulseDriverTest {

  private TestpulseDriver driver = TestpulseDriver.create();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldCountEveryResultWhenExecutionsAreSentFromOneTemplate() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");

    driver.sendAll(adds.passed(), adds.failed("boom"), adds.passed(), adds.skipped(), adds.pending());

    assertThat(driver).test(adds.ref())
        .hasPassed(2).hasFailed(1).hasSkipped(1).hasOther(1).hasExecutions(5)
        .hasReliability(2.0 / 3).hasLastResult(Result.PENDING).hasVersion(5);
  }

  @Test
  void shouldKeyExecutionsByTheTopologysTestIdentityWhenBuilt() {
    ExecutionBuilder adds = driver.executions().withTenant("globex").withSuite("web").test("Cart", "adds an item");

    TestExecution sent = driver.send(adds.passed());

    String testId = TestKeys.testId("globex", "web", "Cart", "adds an item");
    assertThat(sent.getTestId()).isEqualTo(testId);
    assertThat(adds.ref().key()).isEqualTo("globex/" + testId);
    TestState stored = driver.store(Stores.TEST_RECORD).get("globex/" + testId).getStats();
    assertThat(stored).isNotNull();
    assertThat(stored.getName()).isEqualTo("adds an item");
  }

  @Test
  void shouldGiveEachExecutionItsOwnIdRunAndCommitWhenNoneIsSet() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");

    List<TestExecution> sent = driver.sendAll(adds.passed(), adds.passed());

    assertThat(sent).extracting(TestExecution::getExecutionId).doesNotHaveDuplicates();
    assertThat(sent).extracting(e -> e.getRun().getKey()).doesNotHaveDuplicates();
    assertThat(sent).extracting(e -> e.getRun().getCommitSha()).doesNotHaveDuplicates();
    assertThat(sent).extracting(e -> e.getRun().getBranch()).containsOnly(Executions.DEFAULT_BRANCH);
  }

  @Test
  void shouldShareCommitAndRunWhenTheFactoryOrBuilderSetsThem() {
    Executions build42 = driver.executions().withCommit("abc123").withRun("build-42");
    ExecutionBuilder adds = build42.test("Cart", "adds an item");

    TestExecution first = adds.failed().build();
    TestExecution retry = adds.passed().attempt(1).build();
    TestExecution elsewhere = adds.onCommit("def456").inRun("build-43").onBranch("feature/x").build();

    assertThat(List.of(first.getRun().getCommitSha(), retry.getRun().getCommitSha())).containsOnly("abc123");
    assertThat(List.of(first.getRun().getKey(), retry.getRun().getKey())).containsOnly("build-42");
    assertThat(retry.getAttempt()).isEqualTo(1);
    assertThat(elsewhere.getRun().getCommitSha()).isEqualTo("def456");
    assertThat(elsewhere.getRun().getKey()).isEqualTo("build-43");
    assertThat(elsewhere.getRun().getBranch()).isEqualTo("feature/x");
  }

  @Test
  void shouldCarryDurationTagsAndReasonWhenSet() {
    TestExecution e = driver.executions().test("Cart", "adds an item")
        .failed("timeout after 30 s").took(Duration.ofMillis(1500)).tag("arch", "arm64").tag("os", "linux")
        .fileName("spec/cart_spec.rb").location("spec/cart_spec.rb:12").build();

    assertThat(e.getDurationMicros()).isEqualTo(1_500_000);
    assertThat(e.getTags()).containsEntry("arch", "arm64").containsEntry("os", "linux");
    assertThat(e.getFailureReason()).isEqualTo("timeout after 30 s");
    assertThat(e.getLocation()).isEqualTo("spec/cart_spec.rb:12");
  }

  @Test
  void shouldStampExecutionsWithTheDriversClockWhenTimeAdvances() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");

    driver.send(adds.passed());
    driver.advanceTime(Duration.ofHours(2));
    driver.send(adds.failed());

    assertThat(driver.now()).isEqualTo(TestpulseDriver.DEFAULT_START.plus(Duration.ofHours(2)));
    assertThat(driver).test(adds.ref())
        .wasFirstSeenAt(TestpulseDriver.DEFAULT_START)
        .wasLastSeenAt(TestpulseDriver.DEFAULT_START.plus(Duration.ofHours(2)))
        .hasLastResult(Result.FAILED);
  }

  @Test
  void shouldKeepTheLatestResultWhenAnExecutionArrivesLateInEventTime() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");

    driver.send(adds.failed().after(Duration.ofMinutes(10)));
    driver.send(adds.passed().at(TestpulseDriver.DEFAULT_START.minus(Duration.ofDays(1))));

    assertThat(driver).test(adds.ref()).hasLastResult(Result.FAILED)
        .wasFirstSeenAt(TestpulseDriver.DEFAULT_START.minus(Duration.ofDays(1)));
  }

  @Test
  void shouldStartTheClockWhereToldWhenConfigured() {
    Instant start = Instant.parse("2030-06-01T00:00:00Z");
    try (TestpulseDriver custom = TestpulseDriver.builder().startingAt(start)
        .config(TestpulseConfig.TOPIC_PREFIX_CONFIG, "ci").build()) {
      ExecutionBuilder adds = custom.executions().test("Cart", "adds an item");
      custom.send(adds.passed());

      assertThat(custom.topics().executions().name()).isEqualTo("ci.executions.v1");
      assertThat(custom.output(custom.topics().testStats())).hasSize(1);
      assertThat(custom).test(adds.ref()).wasLastSeenAt(start);
    }
  }

  @Test
  void shouldReturnEveryOutputRecordAgainWhenOutputIsReadTwice() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.send(adds.passed());
    List<TestRecord<String, TestStats>> first = driver.output(t -> t.testStats());

    driver.send(adds.failed());
    List<TestRecord<String, TestStats>> second = driver.output(t -> t.testStats());

    assertThat(first).hasSize(1);
    assertThat(second).hasSize(2);
    assertThat(second.get(1).value().version()).isEqualTo(2);
    assertThat(driver.statsUpdates(adds.ref())).extracting(TestStats::failed).containsExactly(0L, 1L);
  }

  @Test
  void shouldDeadLetterWithReasonWhenAnExecutionsKeyDoesNotMatchIt() {
    TestExecution e = driver.executions().test("Cart", "adds an item").passed().build();

    driver.input(t -> t.executions()).pipeInput("acme/" + "f".repeat(32), e);

    // one dead letter per step that rejects it (counts, flakiness, ...): every one names the reason
    assertThat(driver).hasTests(0);
    assertThat(driver.deadLetters()).isNotEmpty().allSatisfy(dead -> {
      assertThat(dead.message()).contains("record key is not tenant/test_id");
      assertThat(dead.keyAsString()).isEqualTo("acme/" + "f".repeat(32));
      assertThat(dead.sourceOffset()).contains(0L);
    });
  }

  @Test
  void shouldKeepProcessingWhenRawBytesAreNotAnExecution() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");

    driver.sendRaw(adds.ref().key(), "not avro".getBytes(StandardCharsets.UTF_8));
    driver.send(adds.passed());

    assertThat(driver).test(adds.ref()).hasPassed(1).hasExecutions(1);
  }

  @Test
  void shouldNameTheTopicWhenTheTopologyDoesNotReadIt() {
    TopicHandle<String, String> unread = new TopicHandle<>("nobody-reads-this", Serdes.String(), Serdes.String(),
        "delete");

    assertThatThrownBy(() -> driver.input(unread))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not read nobody-reads-this")
        .hasMessageContaining(driver.topics().executions().name());
  }

  @Test
  void shouldRunYourOwnTopologyNextToTestpulsesWhenGivenOne() {
    TopicHandle<String, String> orders = new TopicHandle<>("orders", Serdes.String(), Serdes.String(), "delete");
    try (TestpulseDriver both = TestpulseDriver.builder().topology(config -> {
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream(orders.name(), Consumed.with(Serdes.String(), Serdes.String()).withName("orders-source"))
          .mapValues(v -> v.toUpperCase(), Named.as("orders-upper"))
          .to("orders-upper", Produced.with(Serdes.String(), Serdes.String()).withName("orders-upper-sink"));
      TestpulseTopology.create(config).addTo(builder);
      return builder.build();
    }).build()) {
      both.input(orders).pipeInput("o-1", "book");
      ExecutionBuilder adds = both.executions().test("Cart", "adds an item");
      both.send(adds.passed());

      assertThat(both.output(new TopicHandle<>("orders-upper", Serdes.String(), Serdes.String(), "delete")))
          .extracting(TestRecord::value).containsExactly("BOOK");
      assertThat(both).test(adds.ref()).hasPassed(1);
    }
  }

  @Test
  void shouldRefuseATopologyWithoutTestpulsesWhenGivenOne() {
    TestpulseDriver.Builder builder = TestpulseDriver.builder().topology(config -> {
      StreamsBuilder b = new StreamsBuilder();
      b.stream("orders", Consumed.with(Serdes.String(), Serdes.String()).withName("orders-source"))
          .to("out", Produced.with(Serdes.String(), Serdes.String()).withName("out-sink"));
      return b.build();
    });

    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not read testpulse.executions.v1");
  }

  @Test
  void shouldMoveStreamTimeWithAnExecutionOfTheReservedTenantWhenAsked() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.send(adds.passed());

    driver.advanceStreamTime(Duration.ofDays(8));

    assertThat(driver.now()).isEqualTo(TestpulseDriver.DEFAULT_START.plus(Duration.ofDays(8)));
    assertThat(driver.storeContents(Stores.TEST_RECORD).keySet())
        .hasSize(2).anyMatch(k -> k.startsWith(TestpulseDriver.CLOCK_TENANT + "/"));
    assertThat(driver.testKeys()).containsExactly(adds.ref().key());
    assertThat(driver).hasTests(1).test(adds.ref()).hasExecutions(1);
  }

  @Test
  void shouldRefuseToMoveTimeBackwards() {
    assertThatThrownBy(() -> driver.advanceTime(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldNameTheStoresThereAreWhenAStoreIsMissing() {
    var missing = io.testpulse.topology.StoreHandle.keyValue("no-such-store", Serdes.String(), Serdes.String());

    assertThatThrownBy(() -> driver.store(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-such-store").hasMessageContaining(Stores.TEST_RECORD.name());
  }
}
