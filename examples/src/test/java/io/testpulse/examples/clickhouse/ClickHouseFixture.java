package io.testpulse.examples.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.TestExecution;
import io.testpulse.examples.AppFixture;
import io.testpulse.examples.TestpulseApp;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * ClickHouseIT's world: a broker and a testpulse app ({@link AppFixture}), libchdb running the shipped
 * DDL, the history and uploads of {@link ClickHouseHistory} ingested with their duplicates, and, once
 * ClickHouse has consumed the executions topic to its end, one batch inserted a second time, as the
 * Kafka engine does after a crash between its insert and its offset commit (delivery is at least once).
 */
final class ClickHouseFixture implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final String EXECUTIONS_GROUP = "clickhouse-testpulse-executions";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String READ_TOKEN = AppFixture.newToken("read");
  private static final String INGEST_TOKEN = AppFixture.newToken("ingest");

  /** Fixed at start-up: every event time of the history is relative to it, far from the 30-day boundary. */
  final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  final AppFixture broker;
  final TestpulseApp app;
  final Topics topics;
  final ChdbSession clickhouse;
  /** Every distinct execution ingested (history and uploads), each once. */
  final List<TestExecution> ingested = new ArrayList<>();
  /** Records sent to testpulse, duplicates included (history retries, uploads sent twice). */
  long sent;
  /** {@code count()} of the executions table once the topic was consumed, before the batch was redelivered. */
  long rowsBeforeRedelivery;
  /** Rows inserted a second time to mimic the Kafka engine's redelivery. */
  long redelivered;

  private ClickHouseFixture(AppFixture broker, TestpulseApp app, Topics topics, ChdbSession clickhouse) {
    this.broker = broker;
    this.app = app;
    this.topics = topics;
    this.clickhouse = clickhouse;
  }

  /**
   * The libchdb library, or null where it is missing (the examples pom installs it with npm,
   * clickhouse/chdb/install.sh); with {@code CI=true} a missing library fails the test instead.
   */
  static Path libchdb() {
    String property = System.getProperty("chdb.lib");
    Path lib = property == null || property.isBlank() ? null : Path.of(property);
    if (lib == null || !Files.isRegularFile(lib)) {
      String message = "libchdb not found at " + property + ": the examples pom installs it with npm "
          + "(clickhouse/chdb/install.sh)";
      if ("true".equals(System.getenv("CI"))) {
        fail(message + ", and CI=true requires ClickHouseIT to run");
      }
      System.err.println("\n#### SKIPPING ClickHouseIT: " + message + " ####\n");
      return null;
    }
    return lib;
  }

  /** Starts everything, ingests the data with its duplicates, waits until ClickHouse holds it, redelivers. */
  static ClickHouseFixture start(Path libchdb, Path stateDir) throws Exception {
    AppFixture broker = AppFixture.start(stateDir);
    Properties props = broker.appSettings("clickhouse-it-" + UUID.randomUUID(), "chit", "streams",
        TokenAuthenticator.configEntry(ClickHouseHistory.TENANT, Role.READ, READ_TOKEN),
        TokenAuthenticator.configEntry(ClickHouseHistory.TENANT, Role.INGEST, INGEST_TOKEN));
    props.put(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, String.join(",", ClickHouseHistory.BY_TAGS));
    props.put(TestpulseConfig.DURATIONS_EMIT_INTERVAL_MS_CONFIG, "200");
    props.put(TestpulseConfig.STATS_EMIT_INTERVAL_MS_CONFIG, "200");
    // the test backfills four weeks at once: partitions are processed at different speeds, so the duration
    // rollups see event times weeks apart, and the default grace (7 days) would drop the older ones
    props.put(TestpulseConfig.DURATIONS_GRACE_MS_CONFIG, Long.toString(Duration.ofDays(35).toMillis()));
    Topics topics = new TestpulseConfig(props).topics();
    ClickHouseFixture fixture = null;
    try {
      TestpulseApp app = broker.startApp(props);
      warmUpConsumerOffsetsTopic(broker.bootstrapServers());
      fixture = new ClickHouseFixture(broker, app, topics, ChdbSession.shared(libchdb));
      Map<String, String> values = Map.of("KAFKA_BROKERS", broker.bootstrapServers(), "TOPIC_PREFIX", topics.prefix());
      for (Path file : List.of(ClickHouseFiles.TABLES, ClickHouseFiles.KAFKA_ENGINE)) {
        for (String statement : ClickHouseFiles.statements(file, values)) {
          fixture.clickhouse.execute(statement);
        }
      }
      fixture.ingest();
      fixture.awaitConsumedToTheEnd();
      fixture.redeliverABatch();
      return fixture;
    } catch (Exception | Error e) {
      try {
        if (fixture != null) {
          fixture.close();
        } else {
          broker.close();
        }
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private void ingest() throws Exception {
    List<TestExecution> history = ClickHouseHistory.history(now);
    List<TestExecution> withRetries = ClickHouseHistory.withRetries(history);
    broker.produce(topics.executions(), withRetries);
    ingested.addAll(history);
    sent += withRetries.size();
    for (int i = 0; i < 2; i++) { // the collector's network retry sends the very same bytes again
      assertThat(upload("/v1/uploads?suite=web", "application/json", ClickHouseHistory.JSON_UPLOAD)).isEqualTo(4);
      assertThat(upload("/v1/uploads?" + ClickHouseHistory.JUNIT_QUERY, "application/xml",
          ClickHouseHistory.JUNIT_UPLOAD)).isEqualTo(3);
      sent += 7;
    }
    for (ClickHouseHistory.Uploaded u : ClickHouseHistory.UPLOADED) {
      // the event time of an upload is its receive time, which only the server knows: the API tells it
      JsonNode test = await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> apiTest(u.testId()), t -> t != null && t.path("executions").asLong() >= 1);
      ingested.add(u.at(Instant.ofEpochMilli(test.path("last_seen").asLong())));
    }
  }

  /** POSTs an upload with the ingest token; returns the receipt's {@code queued}. */
  private long upload(String pathAndQuery, String contentType, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery))
        .header("Authorization", "Token token=\"" + INGEST_TOKEN + "\"").header("Content-Type", contentType)
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body()).path("queued").asLong();
  }

  /**
   * Until the executions table holds a row per distinct execution and ClickHouse's consumer group has
   * committed past the last record of every partition: from then on, nothing more arrives.
   */
  private void awaitConsumedToTheEnd() throws Exception {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
        .until(() -> clickhouse.queryLong("SELECT count() FROM testpulse.executions FINAL"), n -> n >= ingested.size());
    Map<TopicPartition, Long> lastOffsets = lastRecordOffsets(topics.executionsEnriched().name());
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> consumedUpToTheEnd(lastOffsets));
    rowsBeforeRedelivery = clickhouse.queryLong("SELECT count() FROM testpulse.executions");
  }

  /**
   * Inserts the rows of one suite again, as the materialized view does when the Kafka engine re-reads a
   * batch whose offsets it had not committed. Merges are stopped first, so that the copies are still
   * there when the checks read: what hides them is the shipped queries' FINAL, not a merge that happened
   * to run.
   */
  private void redeliverABatch() {
    clickhouse.execute("SYSTEM STOP MERGES testpulse.executions");
    clickhouse.execute("INSERT INTO testpulse.executions SELECT * FROM testpulse.executions WHERE suite = 'api'");
    redelivered = clickhouse.queryLong("SELECT count() FROM testpulse.executions") - rowsBeforeRedelivery;
  }

  /** ClickHouse's first consumer group would otherwise wait seconds for the broker to create this topic. */
  private static void warmUpConsumerOffsetsTopic(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      try {
        admin.describeConsumerGroups(List.of("warm-up")).all().get();
      } catch (ExecutionException expected) {
        // an unknown group; the lookup of its coordinator has created __consumer_offsets
      }
    }
  }

  /**
   * Whether ClickHouse's executions group has committed past the last record of every partition. The
   * topic is written transactionally, so its end offset also counts commit markers: compare with the
   * last record instead.
   */
  private boolean consumedUpToTheEnd(Map<TopicPartition, Long> lastOffsets) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(EXECUTIONS_GROUP).partitionsToOffsetAndMetadata().get();
      return lastOffsets.entrySet().stream().allMatch(last -> committed.get(last.getKey()) != null
          && committed.get(last.getKey()).offset() > last.getValue());
    }
  }

  /** The offset of the last committed record of every non-empty partition of {@code topic}. */
  private Map<TopicPartition, Long> lastRecordOffsets(String topic) {
    Map<TopicPartition, Long> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
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

  String baseUrl() {
    return "http://localhost:" + app.httpPort();
  }

  /** {@code GET /api/v1/tests/{id}} with the read token: the answer, or null unless 200. */
  JsonNode apiTest(String testId) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/tests/" + testId))
        .header("Authorization", "Bearer " + READ_TOKEN).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }

  /** The rows of a query, one JSON object each. */
  List<JsonNode> rows(String sql) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : clickhouse.query(sql, "JSONEachRow").split("\n")) {
      if (!line.isBlank()) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  long queryLong(String sql) {
    return clickhouse.queryLong(sql);
  }

  @Override
  public void close() throws Exception {
    try {
      clickhouse.execute("DROP DATABASE IF EXISTS testpulse SYNC"); // stops its Kafka consumers before the broker
    } finally {
      broker.close();
    }
  }
}
