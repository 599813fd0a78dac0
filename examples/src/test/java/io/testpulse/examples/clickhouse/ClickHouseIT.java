package io.testpulse.examples.clickhouse;

import static io.testpulse.examples.clickhouse.ClickHouseFixture.WAIT;
import static io.testpulse.examples.clickhouse.ClickHouseHistory.BY_TAGS;
import static io.testpulse.examples.clickhouse.ClickHouseHistory.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.interactive.DurationStats;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped ClickHouse files on a real engine: libchdb (ClickHouse 26.7, in this JVM through JNA) runs
 * {@code 01-tables.sql} and {@code 02-kafka-engine.sql} exactly as shipped (placeholders substituted) and
 * consumes testpulse's output topics from a real broker through the Kafka table engine. The data comes
 * with the duplicates users produce (see {@link ClickHouseHistory}) and one batch delivered twice to
 * ClickHouse (see {@link ClickHouseFixture}); ClickHouse's answers are compared with testpulse's own: the
 * HTTP API for per-test state and counts, exact computations over the distinct executions for the
 * shipped queries, the sketches for percentiles.
 */
class ClickHouseIT {

  /**
   * Fields of the API's answer that are not test-stats columns: freshness, origin, the quarantine view,
   * and the recent duration percentiles (read from the duration store at query time; ClickHouse has
   * them in duration_buckets).
   */
  private static final Set<String> API_ONLY = Set.of("state", "score", "quarantine", "quarantine_unknown", "stale",
      "offset_lag", "served_by", "recent_durations");

  @TempDir
  static Path stateDir;

  private static ClickHouseFixture world;

  @BeforeAll
  static void start() throws Exception {
    Path libchdb = ClickHouseFixture.libchdb();
    if (libchdb != null) {
      world = ClickHouseFixture.start(libchdb, stateDir);
    }
  }

  @BeforeEach
  void skipWithoutLibchdb() {
    Assumptions.assumeTrue(world != null, "SKIPPED: libchdb is not installed (see the message above)");
  }

  @AfterAll
  static void stop() throws Exception {
    if (world != null) {
      world.close();
    }
  }

  @Test
  void shouldCountEachDistinctExecutionOnceDespiteDuplicateUploadsAndRedelivery() throws Exception {
    long distinct = world.ingested.size();
    long apiTotal = 0;
    for (String testId : testIds()) {
      apiTotal += world.apiTest(testId).path("executions").asLong();
    }

    assertThat(world.sent).as("duplicates were sent").isGreaterThan(distinct);
    assertThat(world.rowsBeforeRedelivery).as("testpulse wrote each distinct execution once").isEqualTo(distinct);
    assertThat(world.redelivered).as("a batch was inserted twice").isPositive();
    assertThat(world.queryLong("SELECT count() FROM testpulse.executions"))
        .as("the copies are still there, unmerged").isEqualTo(distinct + world.redelivered);
    assertThat(world.queryLong("SELECT count() FROM testpulse.executions FINAL")).isEqualTo(distinct);
    assertThat(world.queryLong("SELECT count() FROM testpulse.executions FINAL WHERE length(tags) = 2"))
        .isEqualTo(distinct);
    assertThat(apiTotal).as("the API's executions, summed over every test").isEqualTo(distinct);
    // test-stats rows are written once per emit interval per changed test: wait for the last ones
    assertThat(await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> world.queryLong("SELECT sum(executions) FROM testpulse.test_stats FINAL WHERE tenant = '"
            + TENANT + "'"), n -> n >= distinct)).isEqualTo(distinct);
  }

  @Test
  void shouldHoldEachTestsLatestStateAsTheApiAnswersItWhenReadWithFinal() throws Exception {
    Map<String, Long> expectedExecutions = world.ingested.stream()
        .collect(Collectors.groupingBy(TestExecution::getTestId, Collectors.counting()));

    for (Map.Entry<String, Long> test : expectedExecutions.entrySet()) {
      JsonNode api = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> world.apiTest(test.getKey()), b -> b != null && b.path("executions").asLong() == test.getValue());
      JsonNode row = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> statsRow(test.getKey()), r -> r != null && r.path("version").asLong() >= api.path("version").asLong());

      assertSameFields(api, row);
    }
    assertThat(world.queryLong("SELECT count() FROM testpulse.test_stats FINAL WHERE tenant = '" + TENANT + "'"))
        .isEqualTo(expectedExecutions.size());
  }

  @Test
  void shouldComputeDurationPercentilesByTagsOverThirtyDaysLikeAnExactComputation() throws Exception {
    Map<String, List<Long>> byGroup = recentDurationsByGroup();

    List<JsonNode> rows = world.rows(ClickHouseFiles.queries().get("duration_percentiles_by_tags_30d"));

    assertThat(rows).hasSize(byGroup.size());
    for (JsonNode row : rows) {
      List<Long> durations = byGroup.get(group(row.path("suite").asText(), row.path("instance_type").asText(),
          row.path("arch").asText()));
      assertThat(durations).as(row.toString()).isNotNull();
      assertThat(row.path("executions").asLong()).isEqualTo(durations.size());
      assertThat(row.path("p50_ms").asDouble()).as(row.toString()).isEqualTo(exactQuantile(durations, 0.50) / 1000.0);
      assertThat(row.path("p95_ms").asDouble()).as(row.toString()).isEqualTo(exactQuantile(durations, 0.95) / 1000.0);
    }
  }

  @Test
  void shouldAgreeWithTestpulsesSketchWithinOnePercentOnP50ByInstanceTypeAndArch() throws Exception {
    List<JsonNode> rows = world.rows(ClickHouseFiles.queries().get("duration_percentiles_by_tags_30d"));
    Map<String, Long> expectedCounts = new TreeMap<>();
    recentDurationsByGroup().forEach((group, durations) -> expectedCounts.put(group, (long) durations.size()));

    for (String suite : ClickHouseHistory.SUITES) {
      long groups = expectedCounts.keySet().stream().filter(g -> g.startsWith(suite + "|")).count();
      // up to now, not the start-up time: the uploads were received after it
      List<DurationStats> sketches = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> world.app.durationQueries()
                  .suiteBy(TENANT, suite, BY_TAGS, world.now.minus(Duration.ofDays(30)), Instant.now()).value(),
              stats -> stats != null && stats.size() == groups && stats.stream().allMatch(st -> st.summary().count()
                  == expectedCounts.get(group(suite, st.group().get("instance_type"), st.group().get("arch")))));
      for (DurationStats sketch : sketches) {
        JsonNode row = rows.stream().filter(r -> r.path("suite").asText().equals(suite)
            && r.path("instance_type").asText().equals(sketch.group().get("instance_type"))
            && r.path("arch").asText().equals(sketch.group().get("arch"))).findFirst().orElseThrow();
        assertThat(sketch.summary().p50Ms()).as(row.toString())
            .isCloseTo(row.path("p50_ms").asDouble(), Percentage.withPercentage(1));
      }
    }
  }

  @Test
  void shouldHoldTheSketchBucketsCountingEveryRecentExecutionWhenReadWithFinal() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    recentDurationsByGroup().forEach((group, durations) -> expected.put(group, (long) durations.size()));
    String sql = "SELECT suite, `group`['instance_type'] AS instance_type, `group`['arch'] AS arch, sum(count) AS n "
        + "FROM testpulse.duration_buckets FINAL WHERE tenant = '" + TENANT + "' AND kind = 'dimensions' "
        + "AND dimensions = '" + String.join(",", BY_TAGS) + "' AND bucket_end > now() - INTERVAL 28 DAY "
        + "GROUP BY suite, instance_type, arch";

    Map<String, Long> actual = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> world.rows(sql).stream().collect(Collectors.toMap(
            r -> group(r.path("suite").asText(), r.path("instance_type").asText(), r.path("arch").asText()),
            r -> r.path("n").asLong(), (a, b) -> a + b, TreeMap::new)), expected::equals);

    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void shouldComputeTheDailyReliabilityTrendLikeAnExactComputation() throws Exception {
    Instant since = world.now.minus(Duration.ofDays(30));
    Map<String, long[]> expected = new TreeMap<>();
    for (TestExecution e : world.ingested) {
      if (!e.getEventTime().isBefore(since)) {
        long[] counts = expected.computeIfAbsent(e.getSuite() + "|" + LocalDate.ofInstant(e.getEventTime(), ZoneOffset.UTC),
            d -> new long[2]);
        counts[0] += e.getResult() == Result.PASSED ? 1 : 0;
        counts[1] += e.getResult() == Result.FAILED ? 1 : 0;
      }
    }

    List<JsonNode> rows = world.rows(ClickHouseFiles.queries().get("reliability_trend_per_day"));

    assertThat(rows).hasSize(expected.size());
    for (JsonNode row : rows) {
      long[] counts = expected.get(row.path("suite").asText() + "|" + row.path("day").asText());
      assertThat(counts).as(row.toString()).isNotNull();
      assertThat(row.path("passed").asLong()).as(row.toString()).isEqualTo(counts[0]);
      assertThat(row.path("failed").asLong()).as(row.toString()).isEqualTo(counts[1]);
      if (counts[0] + counts[1] > 0) {
        assertThat(row.path("reliability").asDouble()).isEqualTo((double) counts[0] / (counts[0] + counts[1]));
      }
    }
  }

  @Test
  void shouldListTheLeastReliableTestsOfEachSuiteAsTheApiAnswersThem() throws Exception {
    awaitAllStats();
    Map<String, List<JsonNode>> expectedBySuite = new TreeMap<>();
    for (String testId : testIds()) {
      JsonNode api = world.apiTest(testId);
      if (api.path("passed").asLong() > 0 && api.path("failed").asLong() > 0) {
        expectedBySuite.computeIfAbsent(api.path("suite").asText(), s -> new ArrayList<>()).add(api);
      }
    }
    List<String> expected = new ArrayList<>();
    expectedBySuite.forEach((suite, tests) -> tests.stream()
        .sorted((a, b) -> a.path("reliability").asDouble() != b.path("reliability").asDouble()
            ? Double.compare(a.path("reliability").asDouble(), b.path("reliability").asDouble())
            : a.path("test_id").asText().compareTo(b.path("test_id").asText()))
        .limit(10)
        .forEach(t -> expected.add(suite + "/" + t.path("test_id").asText())));

    List<String> actual = world.rows(ClickHouseFiles.queries().get("flakiest_tests_by_suite")).stream()
        .map(r -> r.path("suite").asText() + "/" + r.path("test_id").asText()).toList();

    assertThat(expected).isNotEmpty();
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void shouldHideATestWhoseLatestRowIsDeletedWhenReadWithFinal() throws Exception {
    String testId = TestKeys.testId("globex", "web", "Gone", "is removed");
    String key = TestKeys.key("globex", testId);
    long at = world.now.toEpochMilli();
    TestStats stats = new TestStats(key, "globex", "web", testId, "Gone", "is removed", null, 1, 0, 0, 0, 1, 1.0,
        at, at, "PASSED", 1, 0);
    TestStats deletion = new TestStats(key, "globex", "web", testId, "Gone", "is removed", null, 1, 0, 0, 0, 1, 1.0,
        at, at, "PASSED", 2, 1);
    String where = " WHERE tenant = 'globex' AND test_id = '" + testId + "'";
    try (KafkaProducer<String, TestStats> producer = new KafkaProducer<>(world.broker.producerSettings(),
        world.topics.testStats().keySerde().serializer(), world.topics.testStats().valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(world.topics.testStats().name(), key, stats)).get();
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> world.queryLong("SELECT count() FROM testpulse.test_stats FINAL" + where), n -> n == 1);

      producer.send(new ProducerRecord<>(world.topics.testStats().name(), key, deletion)).get();
    }

    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> world.queryLong("SELECT count() FROM testpulse.test_stats FINAL" + where), n -> n == 0);
    assertThat(world.queryLong("SELECT max(version) FROM testpulse.test_stats" + where)).isEqualTo(2);
  }

  // ---- expectations and helpers

  private static List<String> testIds() {
    return world.ingested.stream().map(TestExecution::getTestId).distinct().toList();
  }

  /** Durations of the passed and failed executions of the last 30 days, by suite, instance type and arch. */
  private static Map<String, List<Long>> recentDurationsByGroup() {
    Instant since = world.now.minus(Duration.ofDays(30));
    Map<String, List<Long>> byGroup = new TreeMap<>();
    for (TestExecution e : world.ingested) {
      if (!e.getEventTime().isBefore(since) && (e.getResult() == Result.PASSED || e.getResult() == Result.FAILED)) {
        byGroup.computeIfAbsent(group(e.getSuite(), e.getTags().get("instance_type"), e.getTags().get("arch")),
            g -> new ArrayList<>()).add(e.getDurationMicros());
      }
    }
    return byGroup;
  }

  private static void awaitAllStats() {
    Map<String, Long> expected = world.ingested.stream()
        .collect(Collectors.groupingBy(TestExecution::getTestId, Collectors.counting()));
    String sql = "SELECT count() FROM testpulse.test_stats FINAL WHERE tenant = '" + TENANT + "' AND "
        + expected.entrySet().stream().map(e -> "(test_id = '" + e.getKey() + "' AND executions = " + e.getValue() + ")")
            .collect(Collectors.joining(" OR ", "(", ")"));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> world.queryLong(sql), n -> n == expected.size());
  }

  private static JsonNode statsRow(String testId) throws Exception {
    List<JsonNode> rows = world.rows("SELECT * REPLACE (toUnixTimestamp64Milli(first_seen) AS first_seen, "
        + "toUnixTimestamp64Milli(last_seen) AS last_seen, toUnixTimestamp64Milli(state_since) AS state_since, "
        + "toUnixTimestamp64Milli(quarantine_expires_at) AS quarantine_expires_at) FROM testpulse.test_stats FINAL "
        + "WHERE tenant = '" + TENANT + "' AND test_id = '" + testId + "'");
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** Every field of the API's answer, with the same value in ClickHouse's row (numbers compared as numbers). */
  private static void assertSameFields(JsonNode api, JsonNode row) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = api.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (API_ONLY.contains(field.getKey())) {
        continue;
      }
      JsonNode expected = field.getValue();
      JsonNode actual = row.get(field.getKey());
      String what = field.getKey() + " of " + api.path("key").asText();
      assertThat(actual).as(what + " is a column").isNotNull();
      if (expected.isNull()) {
        // a nullable column keeps null; a plain String column stores the empty default
        assertThat(actual.isNull() || actual.asText().isEmpty()).as(what).isTrue();
      } else if (expected.isNumber()) {
        assertThat(actual.asDouble()).as(what).isEqualTo(expected.asDouble());
      } else {
        assertThat(actual.asText()).as(what).isEqualTo(expected.asText());
      }
    }
  }

  private static String group(String suite, String instanceType, String arch) {
    return suite + "|" + instanceType + "|" + arch;
  }

  /** quantileExactLow: the element at floor(level * n) of the sorted values, the lower middle for the median. */
  private static long exactQuantile(List<Long> values, double level) {
    List<Long> sorted = values.stream().sorted().toList();
    int index = level == 0.5 ? (sorted.size() - 1) / 2 : (int) (level * sorted.size());
    return sorted.get(Math.min(index, sorted.size() - 1));
  }
}
