package io.testpulse.examples.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.examples.EmbeddedKafka;
import io.testpulse.examples.TestpulseApp;
import io.testpulse.interactive.DurationStats;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped ClickHouse files on a real engine: libchdb (ClickHouse 26.7, in this JVM through JNA) runs
 * {@code 01-tables.sql} and {@code 02-kafka-engine.sql} exactly as shipped (placeholders substituted),
 * consumes testpulse's output topics from a real broker through the Kafka table engine, and its answers
 * are compared with testpulse's own: the HTTP API for per-test state, exact computations over what was
 * produced for the shipped queries.
 */
class ClickHouseIT {

  private static final String TENANT = "acme";
  private static final String READ_TOKEN = "read-" + UUID.randomUUID();
  private static final List<String> SUITES = List.of("web", "api");
  private static final List<String> INSTANCE_TYPES = List.of("c7g.large", "m6i.xlarge");
  private static final List<String> ARCHS = List.of("arm64", "amd64");
  private static final List<String> BY_TAGS = List.of("instance_type", "arch");
  private static final int TESTS_PER_SUITE = 6;
  private static final int RECENT_PER_TEST = 30;
  private static final int OLD_PER_TEST = 2;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** Fixed at start-up: every event time is relative to it, far enough from the 30-day boundary. */
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @TempDir
  static Path stateDir;

  private static EmbeddedKafka kafka;
  private static TestpulseApp app;
  private static Topics topics;
  private static ChdbSession clickhouse;
  /** Unique executions, in the order produced. */
  private static final List<TestExecution> produced = new ArrayList<>();

  /** Why this machine cannot run the test (no libchdb), or null. */
  private static String skipReason;

  @BeforeAll
  static void start() throws Exception {
    Path libchdb = libchdb();
    if (libchdb == null) {
      return;
    }
    kafka = EmbeddedKafka.start();
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("application.id", "clickhouse-it-" + UUID.randomUUID());
    props.put("state.dir", Files.createDirectories(stateDir.resolve("streams")).toString());
    props.put("commit.interval.ms", "100");
    props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, "chit");
    props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "3");
    props.put(TestpulseConfig.HTTP_PORT_CONFIG, "0");
    props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, TokenAuthenticator.configEntry(TENANT, Role.READ, READ_TOKEN));
    props.put(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, String.join(",", BY_TAGS));
    props.put(TestpulseConfig.DURATIONS_EMIT_INTERVAL_MS_CONFIG, "200");
    // the test backfills four weeks at once: partitions are processed at different speeds, so the duration
    // rollups see event times weeks apart, and the default grace (7 days) would drop the older ones
    props.put(TestpulseConfig.DURATIONS_GRACE_MS_CONFIG, Long.toString(Duration.ofDays(35).toMillis()));
    TestpulseConfig config = new TestpulseConfig(props);
    topics = config.topics();
    app = TestpulseApp.start(config);
    warmUpConsumerOffsetsTopic();

    clickhouse = ChdbSession.shared(libchdb);
    Map<String, String> values = Map.of("KAFKA_BROKERS", kafka.bootstrapServers(), "TOPIC_PREFIX", topics.prefix());
    for (Path file : List.of(ClickHouseFiles.TABLES, ClickHouseFiles.KAFKA_ENGINE)) {
      for (String statement : ClickHouseFiles.statements(file, values)) {
        clickhouse.execute(statement);
      }
    }
    produce(history());
  }

  @BeforeEach
  void skipWithoutLibchdb() {
    Assumptions.assumeTrue(skipReason == null, () -> "SKIPPED: " + skipReason);
  }

  @AfterAll
  static void stop() throws Exception {
    if (clickhouse != null) {
      clickhouse.execute("DROP DATABASE IF EXISTS testpulse SYNC"); // stops its Kafka consumers before the broker
    }
    if (app != null) {
      app.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldHoldEachTestsLatestStateAsTheApiAnswersItWhenReadWithFinal() throws Exception {
    Map<String, Long> expectedExecutions = produced.stream()
        .collect(Collectors.groupingBy(TestExecution::getTestId, Collectors.counting()));

    for (Map.Entry<String, Long> test : expectedExecutions.entrySet()) {
      JsonNode api = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> apiTest(test.getKey()), b -> b != null && b.path("executions").asLong() == test.getValue());
      JsonNode row = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> statsRow(test.getKey()), r -> r != null && r.path("version").asLong() >= api.path("version").asLong());

      assertSameFields(api, row);
    }
    assertThat(clickhouse.queryLong("SELECT count() FROM testpulse.test_stats FINAL WHERE tenant = '" + TENANT + "'"))
        .isEqualTo(expectedExecutions.size());
  }

  @Test
  void shouldCountEveryIngestedExecutionExactlyOnceWhenTheEnrichedTopicIsFullyConsumed() throws Exception {
    long expected = produced.size();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> clickhouse.queryLong("SELECT count() FROM testpulse.executions"), n -> n >= expected);
    Map<TopicPartition, Long> lastOffsets = lastRecordOffsets(topics.executionsEnriched().name());
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> consumedUpToTheEnd("clickhouse-testpulse-executions", lastOffsets));

    assertThat(clickhouse.queryLong("SELECT count() FROM testpulse.executions")).isEqualTo(expected);
    assertThat(clickhouse.queryLong("SELECT uniqExact(execution_id) FROM testpulse.executions")).isEqualTo(expected);
    assertThat(clickhouse.queryLong("SELECT count() FROM testpulse.executions WHERE length(tags) = 2")).isEqualTo(expected);
  }

  @Test
  void shouldComputeDurationPercentilesByTagsOverThirtyDaysLikeAnExactComputation() throws Exception {
    awaitAllExecutions();
    Map<String, List<Long>> byGroup = recentDurationsByGroup();

    List<JsonNode> rows = rows(ClickHouseFiles.queries().get("duration_percentiles_by_tags_30d"));

    assertThat(rows).hasSize(byGroup.size());
    for (JsonNode row : rows) {
      List<Long> durations = byGroup.get(group(row.path("suite").asText(), row.path("instance_type").asText(),
          row.path("arch").asText()));
      assertThat(durations).as(row.toString()).isNotNull();
      assertThat(row.path("executions").asLong()).isEqualTo(durations.size());
      // quantileExact is the element at floor(level * n) of the sorted values
      assertThat(row.path("p50_ms").asDouble()).as(row.toString()).isEqualTo(exactQuantile(durations, 0.50) / 1000.0);
      assertThat(row.path("p95_ms").asDouble()).as(row.toString()).isEqualTo(exactQuantile(durations, 0.95) / 1000.0);
    }
  }

  @Test
  void shouldAgreeWithTestpulsesSketchWithinOnePercentOnP50ByInstanceTypeAndArch() throws Exception {
    awaitAllExecutions();
    List<JsonNode> rows = rows(ClickHouseFiles.queries().get("duration_percentiles_by_tags_30d"));
    Map<String, Long> expectedCounts = new TreeMap<>();
    recentDurationsByGroup().forEach((group, durations) -> expectedCounts.put(group, (long) durations.size()));

    for (String suite : SUITES) {
      List<DurationStats> sketches = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> app.durationQueries().suiteBy(TENANT, suite, BY_TAGS, NOW.minus(Duration.ofDays(30)), NOW).value(),
              stats -> stats != null && stats.stream().allMatch(st -> st.summary().count() == expectedCounts.get(
                  group(suite, st.group().get("instance_type"), st.group().get("arch"))))
                  && stats.size() == expectedCounts.keySet().stream().filter(g -> g.startsWith(suite + "|")).count());
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
    awaitAllExecutions();
    Map<String, Long> expected = new TreeMap<>();
    recentDurationsByGroup().forEach((group, durations) -> expected.put(group, (long) durations.size()));
    String sql = "SELECT suite, `group`['instance_type'] AS instance_type, `group`['arch'] AS arch, sum(count) AS n "
        + "FROM testpulse.duration_buckets FINAL WHERE tenant = '" + TENANT + "' AND kind = 'dimensions' "
        + "AND dimensions = '" + String.join(",", BY_TAGS) + "' AND bucket_end > now() - INTERVAL 28 DAY "
        + "GROUP BY suite, instance_type, arch";

    Map<String, Long> actual = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> rows(sql).stream().collect(Collectors.toMap(
            r -> group(r.path("suite").asText(), r.path("instance_type").asText(), r.path("arch").asText()),
            r -> r.path("n").asLong(), (a, b) -> a + b, TreeMap::new)), expected::equals);

    assertThat(actual).isEqualTo(expected);
  }

  private static Map<String, List<Long>> recentDurationsByGroup() {
    Instant since = NOW.minus(Duration.ofDays(30));
    Map<String, List<Long>> byGroup = new TreeMap<>();
    for (TestExecution e : produced) {
      if (!e.getEventTime().isBefore(since) && (e.getResult() == Result.PASSED || e.getResult() == Result.FAILED)) {
        byGroup.computeIfAbsent(group(e.getSuite(), e.getTags().get("instance_type"), e.getTags().get("arch")),
            g -> new ArrayList<>()).add(e.getDurationMicros());
      }
    }
    return byGroup;
  }

  @Test
  void shouldComputeTheDailyReliabilityTrendLikeAnExactComputation() throws Exception {
    awaitAllExecutions();
    Instant since = NOW.minus(Duration.ofDays(30));
    Map<String, long[]> expected = new TreeMap<>();
    for (TestExecution e : produced) {
      if (!e.getEventTime().isBefore(since)) {
        long[] counts = expected.computeIfAbsent(e.getSuite() + "|" + LocalDate.ofInstant(e.getEventTime(), ZoneOffset.UTC),
            d -> new long[2]);
        counts[0] += e.getResult() == Result.PASSED ? 1 : 0;
        counts[1] += e.getResult() == Result.FAILED ? 1 : 0;
      }
    }

    List<JsonNode> rows = rows(ClickHouseFiles.queries().get("reliability_trend_per_day"));

    assertThat(rows).hasSize(expected.size());
    for (JsonNode row : rows) {
      long[] counts = expected.get(row.path("suite").asText() + "|" + row.path("day").asText());
      assertThat(counts).as(row.toString()).isNotNull();
      assertThat(row.path("passed").asLong()).isEqualTo(counts[0]);
      assertThat(row.path("failed").asLong()).isEqualTo(counts[1]);
      if (counts[0] + counts[1] > 0) {
        assertThat(row.path("reliability").asDouble()).isEqualTo((double) counts[0] / (counts[0] + counts[1]));
      }
    }
  }

  @Test
  void shouldListTheLeastReliableTestsOfEachSuiteAsTheApiAnswersThem() throws Exception {
    awaitAllStats();
    Map<String, List<JsonNode>> expectedBySuite = new TreeMap<>();
    for (String testId : produced.stream().map(TestExecution::getTestId).distinct().toList()) {
      JsonNode api = apiTest(testId);
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

    List<String> actual = rows(ClickHouseFiles.queries().get("flakiest_tests_by_suite")).stream()
        .map(r -> r.path("suite").asText() + "/" + r.path("test_id").asText()).toList();

    assertThat(expected).isNotEmpty();
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void shouldHideATestWhoseLatestRowIsDeletedWhenReadWithFinal() throws Exception {
    String testId = TestKeys.testId("globex", "web", "Gone", "is removed");
    String key = TestKeys.key("globex", testId);
    TestStats stats = new TestStats(key, "globex", "web", testId, "Gone", "is removed", null, 1, 0, 0, 0, 1, 1.0,
        NOW.toEpochMilli(), NOW.toEpochMilli(), "PASSED", 1, 0);
    TestStats deletion = new TestStats(key, "globex", "web", testId, "Gone", "is removed", null, 1, 0, 0, 0, 1, 1.0,
        NOW.toEpochMilli(), NOW.toEpochMilli(), "PASSED", 2, 1);
    String where = " WHERE tenant = 'globex' AND test_id = '" + testId + "'";
    try (KafkaProducer<String, TestStats> producer = new KafkaProducer<>(producerProps(),
        topics.testStats().keySerde().serializer(), topics.testStats().valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topics.testStats().name(), key, stats)).get();
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> clickhouse.queryLong("SELECT count() FROM testpulse.test_stats FINAL" + where), n -> n == 1);

      producer.send(new ProducerRecord<>(topics.testStats().name(), key, deletion)).get();
    }

    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> clickhouse.queryLong("SELECT count() FROM testpulse.test_stats FINAL" + where), n -> n == 0);
    assertThat(clickhouse.queryLong("SELECT max(version) FROM testpulse.test_stats" + where)).isEqualTo(2);
  }

  // ---- data

  /** Twelve tests in two suites; each 30 executions over the last four weeks and two older than 30 days. */
  private static List<TestExecution> history() {
    Random random = new Random(7);
    List<TestExecution> executions = new ArrayList<>();
    for (String suite : SUITES) {
      for (int t = 0; t < TESTS_PER_SUITE; t++) {
        double failureRate = t * 0.08; // test 0 never fails, test 5 fails 40% of the time
        for (int i = 0; i < OLD_PER_TEST + RECENT_PER_TEST; i++) {
          Instant at = i < OLD_PER_TEST
              ? NOW.minus(Duration.ofDays(40 + i)).minusSeconds(random.nextInt(3600))
              : NOW.minus(Duration.ofDays(28)).plus(Duration.ofHours(22L * (i - OLD_PER_TEST)))
                  .plusSeconds(random.nextInt(3600));
          double draw = random.nextDouble();
          Result result = draw < 0.05 ? Result.SKIPPED : draw < 0.05 + failureRate ? Result.FAILED : Result.PASSED;
          String instanceType = INSTANCE_TYPES.get(random.nextInt(INSTANCE_TYPES.size()));
          String arch = ARCHS.get(random.nextInt(ARCHS.size()));
          long durationMicros = (suite.equals("web") ? 400_000 : 150_000)
              * (instanceType.startsWith("c7g") ? 2 : 3) + random.nextInt(1_000_000);
          executions.add(execution(suite, "Module" + t, "case " + t, result, at, durationMicros,
              Map.of("instance_type", instanceType, "arch", arch)));
        }
      }
    }
    executions.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
    return executions;
  }

  private static TestExecution execution(String suite, String scope, String name, Result result, Instant at,
      long durationMicros, Map<String, String> tags) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(TENANT).setSuite(suite).setTestId(TestKeys.testId(TENANT, suite, scope, name))
        .setScope(scope).setName(name).setFileName("spec/" + suite + "/" + scope + "_spec.rb")
        .setResult(result).setDurationMicros(durationMicros).setEventTime(at)
        .setRun(RunInfo.newBuilder().setCi("buildkite").setKey("build-" + at.toEpochMilli()).setBranch("main")
            .setCommitSha(Long.toHexString(at.toEpochMilli())).build())
        .setTags(new HashMap<>(tags))
        .build();
  }

  private static void produce(List<TestExecution> executions) throws Exception {
    try (KafkaProducer<String, TestExecution> producer = new KafkaProducer<>(producerProps(),
        topics.executions().keySerde().serializer(), topics.executions().valueSerde().serializer())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (TestExecution e : executions) {
        // record time is now (testpulse reads event_time from the value): weeks-old record timestamps would let
        // the broker's retention delete the input, and the outputs derived from it, before they are read
        sends.add(producer.send(new ProducerRecord<>(topics.executions().name(),
            TestKeys.key(e.getTenant(), e.getTestId()), e)));
      }
      for (Future<RecordMetadata> send : sends) {
        send.get(); // a send that timed out under load must fail the test here, not as a missing count later
      }
    }
    produced.addAll(executions);
  }

  private static Properties producerProps() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return props;
  }

  // ---- ClickHouse and API helpers

  /** The library, or null (with {@link #skipReason} set) where it is missing; with CI=true it must be there. */
  private static Path libchdb() {
    String property = System.getProperty("chdb.lib");
    Path lib = property == null || property.isBlank() ? null : Path.of(property);
    if (lib == null || !Files.isRegularFile(lib)) {
      String message = "libchdb not found at " + property + ": the examples pom installs it with npm "
          + "(clickhouse/chdb/install.sh)";
      if ("true".equals(System.getenv("CI"))) {
        fail(message + ", and CI=true requires ClickHouseIT to run");
      }
      System.err.println("\n#### SKIPPING ClickHouseIT: " + message + " ####\n");
      skipReason = message;
      return null;
    }
    return lib;
  }

  /** ClickHouse's first consumer group would otherwise wait seconds for the broker to create this topic. */
  private static void warmUpConsumerOffsetsTopic() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      try {
        admin.describeConsumerGroups(List.of("warm-up")).all().get();
      } catch (ExecutionException expected) {
        // an unknown group; the lookup of its coordinator has created __consumer_offsets
      }
    }
  }

  /**
   * Whether the group has committed past the last record of every partition. The topic is written
   * transactionally, so its end offset also counts commit markers: compare with the last record instead.
   */
  private static boolean consumedUpToTheEnd(String group, Map<TopicPartition, Long> lastOffsets) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      return lastOffsets.entrySet().stream().allMatch(last -> committed.get(last.getKey()) != null
          && committed.get(last.getKey()).offset() > last.getValue());
    }
  }

  /** The offset of the last committed record of every non-empty partition of {@code topic}. */
  private static Map<TopicPartition, Long> lastRecordOffsets(String topic) {
    Map<TopicPartition, Long> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> last.merge(new TopicPartition(r.topic(), r.partition()),
            r.offset(), Math::max));
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
      });
    }
    return last;
  }

  private static void awaitAllExecutions() {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> clickhouse.queryLong("SELECT count() FROM testpulse.executions"), n -> n == produced.size());
  }

  private static void awaitAllStats() {
    Map<String, Long> expected = produced.stream()
        .collect(Collectors.groupingBy(TestExecution::getTestId, Collectors.counting()));
    String sql = "SELECT count() FROM testpulse.test_stats FINAL WHERE tenant = '" + TENANT + "' AND "
        + expected.entrySet().stream().map(e -> "(test_id = '" + e.getKey() + "' AND executions = " + e.getValue() + ")")
            .collect(Collectors.joining(" OR ", "(", ")"));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> clickhouse.queryLong(sql), n -> n == expected.size());
  }

  private static JsonNode statsRow(String testId) throws Exception {
    List<JsonNode> rows = rows("SELECT * REPLACE (toUnixTimestamp64Milli(first_seen) AS first_seen, "
        + "toUnixTimestamp64Milli(last_seen) AS last_seen, toUnixTimestamp64Milli(state_since) AS state_since, "
        + "toUnixTimestamp64Milli(quarantine_expires_at) AS quarantine_expires_at) FROM testpulse.test_stats FINAL "
        + "WHERE tenant = '" + TENANT + "' AND test_id = '" + testId + "'");
    return rows.isEmpty() ? null : rows.get(0);
  }

  private static List<JsonNode> rows(String sql) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : clickhouse.query(sql, "JSONEachRow").split("\n")) {
      if (!line.isBlank()) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  /**
   * Fields of the query API's answer that are not part of the test-stats row: the answer's freshness
   * and origin, and the quarantine view (its flakiness fields are columns).
   */
  private static final java.util.Set<String> API_ONLY = java.util.Set.of("state", "score", "quarantine",
      "quarantine_unknown", "stale", "offset_lag", "served_by");

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

  private static JsonNode apiTest(String testId) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + "/api/v1/tests/" + testId))
        .header("Authorization", "Bearer " + READ_TOKEN).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }

  private static String group(String suite, String instanceType, String arch) {
    return suite + "|" + instanceType + "|" + arch;
  }

  private static long exactQuantile(List<Long> values, double level) {
    List<Long> sorted = values.stream().sorted().toList();
    int index = level == 0.5 ? (sorted.size() - 1) / 2 : (int) (level * sorted.size());
    return sorted.get(Math.min(index, sorted.size() - 1));
  }
}
