package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.interactive.DurationStats;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Duration percentiles end to end on a real broker with exactly-once: generated executions over
 * 40 days, replayed from offset 0, "P50 and P95 of suite S by instance_type and arch for the last 30 days"
 * as one call, compared with the exact answer (no execution dropped); then a restart from an empty state
 * directory (restore from the changelogs) answers the same.
 */
class DurationsIT {

  private static final List<String> BY = List.of("instance_type", "arch");
  private static final String SUITE = "checkout";
  private static final Instant NOW = Instant.now();
  private static final String READ = "read-" + UUID.randomUUID();

  @TempDir
  static Path stateDir;

  @AutoClose
  private static AppFixture fixture;
  private static EmbeddedKafka kafka;
  private static TestpulseApp app;
  private static Properties props;
  private static Topics topics;
  private static final List<TestExecution> PRODUCED = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    fixture = AppFixture.start(stateDir);
    kafka = fixture.kafka();
    props = fixture.appSettings("durations-it-" + UUID.randomUUID(), "dit", "first");
    props.put(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "instance_type,arch;host.arch");
    props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, TokenAuthenticator.configEntry("acme", Role.READ, READ));
    // The default grace (7 days) on purpose: the three input partitions are replayed from offset 0 at
    // different speeds, more than 7 days of event time apart, which made 0.1's rollups drop executions; the
    // rollups' lateness is now judged per input task (partial sketches), so the exact counts below prove
    // that a replay of 40 days of history drops nothing.
    topics = new TestpulseConfig(props).topics();
    app = fixture.startApp(props);
    produceHistory();
  }

  private static void produceHistory() throws Exception {
    Random random = new Random(42);
    String[] types = {"m5.large", "c7g.xlarge", "t3.small"};
    for (int i = 0; i < 6_000; i++) {
      String type = types[random.nextInt(types.length)];
      String arch = type.startsWith("c7g") ? "arm64" : "x86_64";
      double typeFactor = type.startsWith("t3") ? 3 : type.startsWith("c7g") ? 0.7 : 1;
      long micros = random.nextInt(20) == 0 ? 0 : (long) (typeFactor * Math.exp(11 + 1.2 * random.nextGaussian()));
      Instant at = NOW.minus(Duration.ofMinutes(random.nextInt(40 * 24 * 60)));
      String name = "pays with card " + random.nextInt(25);
      PRODUCED.add(TestExecution.newBuilder()
          .setExecutionId(UUID.randomUUID().toString())
          .setTenant("acme").setSuite(SUITE).setTestId(TestKeys.testId("acme", SUITE, "Payments", name))
          .setScope("Payments").setName(name)
          .setResult(random.nextInt(10) == 0 ? Result.FAILED : Result.PASSED)
          .setDurationMicros(micros).setEventTime(at)
          .setRun(RunInfo.newBuilder().setKey("build-" + i).setBranch("main").setCommitSha("c" + i).build())
          .setTags(new HashMap<>(Map.of("instance_type", type, "arch", arch)))
          .build());
    }
    PRODUCED.sort(Comparator.comparing(TestExecution::getEventTime));
    fixture.produce(topics.executions(), PRODUCED);
  }

  private static List<DurationStats> lastThirtyDaysByTypeAndArch() {
    QueryOutcome<List<DurationStats>> outcome = app.durationQueries()
        .suiteBy("acme", SUITE, BY, NOW.minus(Duration.ofDays(30)), NOW);
    return outcome.status() == QueryOutcome.Status.OK ? outcome.value() : null;
  }

  /**
   * Waits until the app has committed its consumption of every produced execution: after this, an
   * answer short of executions is lost data, not lag.
   */
  private static void awaitInputCommitted() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      await("input fully consumed and committed by " + props.get("application.id")).atMost(Duration.ofSeconds(300))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                .listConsumerGroupOffsets((String) props.get("application.id")).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
              latest.put(new TopicPartition(topics.executions().name(), p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            return ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                && committed.get(e.getKey()).offset() >= e.getValue().offset());
          });
    }
  }

  /** Waits until every execution of the range is in the answer (the answer reflects the last commit). */
  private static List<DurationStats> awaitCompleteAnswer(long expectedCount) {
    awaitInputCommitted();
    // The deadline only bounds a failing run on a loaded machine; the condition is the exact count.
    return await("all " + expectedCount + " executions of the last 30 days").atMost(Duration.ofSeconds(300))
        .pollInterval(Duration.ofMillis(250))
        .until(DurationsIT::lastThirtyDaysByTypeAndArch, groups -> {
          long count = groups == null ? 0 : groups.stream().mapToLong(g -> g.summary().count()).sum();
          assertThat(count).as("never more executions than produced").isLessThanOrEqualTo(expectedCount);
          return count == expectedCount;
        });
  }

  private static Map<String, List<Long>> exactByGroup(long from, long to) {
    return PRODUCED.stream()
        .filter(e -> e.getEventTime().toEpochMilli() >= from && e.getEventTime().toEpochMilli() < to)
        .filter(e -> e.getResult() == Result.PASSED || e.getResult() == Result.FAILED)
        .collect(Collectors.groupingBy(e -> e.getTags().get("instance_type") + "/" + e.getTags().get("arch"),
            Collectors.mapping(TestExecution::getDurationMicros, Collectors.toList())));
  }

  private static double exactQuantileMs(List<Long> values, double q) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[(int) Math.floor(q * (sorted.length - 1))] / 1_000.0;
  }

  @Test
  void shouldAnswerP50AndP95BySuiteInstanceTypeAndArchWithinOnePercentInOneCallThenAgainAfterARestart()
      throws Exception {
    long from = NOW.minus(Duration.ofDays(30)).toEpochMilli();
    long dayMs = Duration.ofDays(1).toMillis();
    long effectiveFrom = Math.floorDiv(from, dayMs) * dayMs;
    long effectiveTo = Math.floorDiv(NOW.toEpochMilli() - 1, dayMs) * dayMs + dayMs;
    Map<String, List<Long>> exact = exactByGroup(effectiveFrom, effectiveTo);
    long expectedCount = exact.values().stream().mapToLong(List::size).sum();

    List<DurationStats> groups = awaitCompleteAnswer(expectedCount);

    assertAgreesWithExact(groups, exact, effectiveFrom, effectiveTo);

    // A restart on an empty state directory restores every bucket from the changelogs.
    fixture.stopApp(app);
    props.put("state.dir", Files.createDirectories(stateDir.resolve("second")).toString());
    app = fixture.startApp(props);
    List<DurationStats> restored = awaitCompleteAnswer(expectedCount);

    assertThat(restored).containsExactlyInAnyOrderElementsOf(groups);
  }

  private static void assertAgreesWithExact(List<DurationStats> groups, Map<String, List<Long>> exact,
      long effectiveFrom, long effectiveTo) {
    assertThat(groups).hasSize(exact.size());
    for (DurationStats group : groups) {
      assertThat(group.from()).isEqualTo(effectiveFrom);
      assertThat(group.to()).isEqualTo(effectiveTo);
      List<Long> values = exact.get(group.group().get("instance_type") + "/" + group.group().get("arch"));
      assertThat(values).as("group %s", group.group()).isNotNull();
      assertThat(group.summary().count()).isEqualTo(values.size());
      assertThat(group.summary().p50Ms()).as("p50 of %s", group.group())
          .isCloseTo(exactQuantileMs(values, 0.5), Percentage.withPercentage(1));
      assertThat(group.summary().p95Ms()).as("p95 of %s", group.group())
          .isCloseTo(exactQuantileMs(values, 0.95), Percentage.withPercentage(1));
      assertThat(group.summary().maxMs()).isEqualTo(exactQuantileMs(values, 1.0));
    }
  }

  @Test
  void shouldAnswerOneTestAndTheWholeSuiteOverARange() {
    String name = "pays with card 3";
    String testId = TestKeys.testId("acme", SUITE, "Payments", name);
    Instant from = NOW.minus(Duration.ofDays(10));
    long dayMs = Duration.ofDays(1).toMillis();
    long effectiveFrom = Math.floorDiv(from.toEpochMilli(), dayMs) * dayMs;
    List<Long> exactTest = PRODUCED.stream()
        .filter(e -> e.getName().equals(name) && e.getEventTime().toEpochMilli() >= effectiveFrom)
        .filter(e -> e.getResult() == Result.PASSED || e.getResult() == Result.FAILED)
        .map(TestExecution::getDurationMicros).toList();
    List<Long> exactSuite = PRODUCED.stream()
        .filter(e -> e.getEventTime().toEpochMilli() >= effectiveFrom)
        .filter(e -> e.getResult() == Result.PASSED || e.getResult() == Result.FAILED)
        .map(TestExecution::getDurationMicros).toList();

    awaitInputCommitted();
    DurationStats test = await("count " + exactTest.size()).atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250))
        .until(() -> app.durationQueries().test("acme", testId, from, NOW).value(),
            s -> s != null && s.summary().count() == exactTest.size());
    DurationStats suite = await("count " + exactSuite.size()).atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250))
        .until(() -> app.durationQueries().suite("acme", SUITE, from, NOW).value(),
            s -> s != null && s.summary().count() == exactSuite.size());

    assertThat(test.summary().p50Ms()).isCloseTo(exactQuantileMs(exactTest, 0.5), Percentage.withPercentage(1));
    assertThat(test.summary().p99Ms()).isCloseTo(exactQuantileMs(exactTest, 0.99), Percentage.withPercentage(1));
    assertThat(suite.summary().p90Ms()).isCloseTo(exactQuantileMs(exactSuite, 0.9), Percentage.withPercentage(1));
    assertThat(suite.summary().meanMs()).isCloseTo(
        exactSuite.stream().mapToLong(Long::longValue).average().orElseThrow() / 1_000, Percentage.withPercentage(1e-6));
    assertThat(app.durationQueries().test("acme", "0".repeat(32), from, NOW).status())
        .isEqualTo(QueryOutcome.Status.NOT_FOUND);
  }

  @Test
  void shouldAnswerATestsRecentPercentilesWithItsCountsOverHttp() throws Exception {
    String name = "pays with card 7";
    String testId = TestKeys.testId("acme", SUITE, "Payments", name);
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + "/api/v1/tests/"
        + testId)).header("Authorization", "Bearer " + READ).build();

    awaitInputCommitted();
    JsonNode recent = await("recent percentiles of " + name).atMost(Duration.ofSeconds(300))
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> new ObjectMapper().readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body())
            .path("recent_durations"), r -> r.path("summary").path("count").asLong() > 0
            && r.path("summary").path("count").asLong() == exactRecent(name, r).size());

    // the answer's own bucket bounds: the last 7 days, rounded out to whole days
    assertThat(recent.path("to").asLong() - recent.path("from").asLong()).isEqualTo(Duration.ofDays(8).toMillis());
    assertThat(recent.path("summary").path("p50_ms").asDouble())
        .isCloseTo(exactQuantileMs(exactRecent(name, recent), 0.5), Percentage.withPercentage(1));
  }

  /** Durations of the test's timed executions inside the answer's [from, to). */
  private static List<Long> exactRecent(String name, JsonNode answer) {
    long from = answer.path("from").asLong();
    long to = answer.path("to").asLong();
    return PRODUCED.stream()
        .filter(e -> e.getName().equals(name))
        .filter(e -> e.getEventTime().toEpochMilli() >= from && e.getEventTime().toEpochMilli() < to)
        .filter(e -> e.getResult() == Result.PASSED || e.getResult() == Result.FAILED)
        .map(TestExecution::getDurationMicros).toList();
  }
}
