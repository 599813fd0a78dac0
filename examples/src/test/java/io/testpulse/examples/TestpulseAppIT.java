package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first slice end to end on a real broker: executions produced to Kafka, processed by the
 * topology with exactly-once, answered over real HTTP.
 */
class TestpulseAppIT {

  private static final String READ_TOKEN = "read-" + UUID.randomUUID();
  private static final String INGEST_TOKEN = "ingest-" + UUID.randomUUID();
  private static final String OTHER_TENANT_TOKEN = "other-" + UUID.randomUUID();
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path stateDir;

  @AutoClose
  private static AppFixture fixture;
  private static EmbeddedKafka kafka;
  private static TestpulseApp app;
  private static Topics topics;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    fixture = AppFixture.start(stateDir);
    kafka = fixture.kafka();
    Properties props = fixture.appSettings("it-" + UUID.randomUUID(), "it", "streams",
        TokenAuthenticator.configEntry("acme", Role.READ, READ_TOKEN),
        TokenAuthenticator.configEntry("acme", Role.INGEST, INGEST_TOKEN),
        TokenAuthenticator.configEntry("globex", Role.READ, OTHER_TENANT_TOKEN));
    topics = new TestpulseConfig(props).topics();
    app = fixture.startApp(props);
  }

  @Test
  void shouldAnswerCountsOverHttpWhenExecutionsAreProduced() throws Exception {
    String testId = TestKeys.testId("acme", "web", "Cart", "adds an item");
    List<Result> results = List.of(Result.PASSED, Result.FAILED, Result.PASSED, Result.PASSED, Result.SKIPPED);
    List<TestExecution> executions = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      executions.add(execution("acme", "Cart", "adds an item", results.get(i), T0.plusSeconds(60L * i)));
    }
    produce(executions);

    JsonNode body = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> getJson("/api/v1/tests/" + testId, READ_TOKEN),
            b -> b != null && b.path("executions").asLong() == 5);

    assertThat(body.path("test_id").asText()).isEqualTo(testId);
    assertThat(body.path("key").asText()).isEqualTo("acme/" + testId);
    assertThat(body.path("passed").asLong()).isEqualTo(3);
    assertThat(body.path("failed").asLong()).isEqualTo(1);
    assertThat(body.path("skipped").asLong()).isEqualTo(1);
    assertThat(body.path("reliability").asDouble()).isEqualTo(0.75);
    assertThat(body.path("last_seen").asLong()).isEqualTo(T0.plusSeconds(240).toEpochMilli());
    assertThat(body.path("last_result").asText()).isEqualTo("SKIPPED");
  }

  @Test
  void shouldAnswerNotFoundWhenTheTestBelongsToAnotherTenant() throws Exception {
    String testId = TestKeys.testId("acme", "web", "Cart", "tenant isolation");
    produce(List.of(execution("acme", "Cart", "tenant isolation", Result.PASSED, T0)));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/api/v1/tests/" + testId, READ_TOKEN).statusCode() == 200);

    HttpResponse<String> response = get("/api/v1/tests/" + testId, OTHER_TENANT_TOKEN);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void shouldRejectMalformedIdsAndBadTokensWithProblems() throws Exception {
    assertThat(get("/api/v1/tests/not-an-id", READ_TOKEN).statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/tests/" + "0".repeat(32), READ_TOKEN).statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/tests/" + "0".repeat(32), null).statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/tests/" + "0".repeat(32), "wrong-token").statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/tests/" + "0".repeat(32), INGEST_TOKEN).statusCode()).isEqualTo(403);
    HttpResponse<String> problem = get("/api/v1/tests/not-an-id", READ_TOKEN);
    assertThat(problem.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(problem.body()).path("detail").asText()).contains("testId");
  }

  @Test
  void shouldAcceptBuildkiteTokenHeaderForm() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/tests/" + "0".repeat(32)))
        .header("Authorization", "Token token=\"" + READ_TOKEN + "\"").build();

    assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldReportHealthWhenRunning() throws Exception {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/health/ready", null).statusCode() == 200);
    assertThat(JSON.readTree(get("/health/live", null).body()).path("status").asText()).isEqualTo("UP");
  }

  @Test
  void shouldDeadLetterAnUndecodableRecordWithItsCoordinatesAndKeepProcessing() throws Exception {
    String testId = TestKeys.testId("acme", "web", "Cart", "after poison");
    String poisonKey = "acme/" + testId;
    Properties props = fixture.producerSettings();
    long poisonOffset;
    int poisonPartition;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      var metadata = producer.send(new ProducerRecord<>(topics.executions().name(),
          poisonKey.getBytes(StandardCharsets.UTF_8), "definitely not avro".getBytes(StandardCharsets.UTF_8))).get();
      poisonOffset = metadata.offset();
      poisonPartition = metadata.partition();
    }
    produce(List.of(execution("acme", "Cart", "after poison", Result.PASSED, T0)));

    List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.deadLetters().name()));
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
        return dead.stream().anyMatch(r -> "definitely not avro".equals(new String(r.value(), StandardCharsets.UTF_8)));
      });
    }
    ConsumerRecord<byte[], byte[]> record = dead.stream()
        .filter(r -> "definitely not avro".equals(new String(r.value(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
    assertThat(header(record, "__streams.errors.topic")).isEqualTo(topics.executions().name());
    assertThat(header(record, "__streams.errors.partition")).isEqualTo(Integer.toString(poisonPartition));
    assertThat(header(record, "__streams.errors.offset")).isEqualTo(Long.toString(poisonOffset));
    assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(poisonKey);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/api/v1/tests/" + testId, READ_TOKEN).statusCode() == 200);
  }

  @Test
  void shouldDeadLetterAnUndecodableRecordAsLargeAsTheBrokerAcceptsAndKeepRunning() throws Exception {
    // the dead letter is the record plus __streams.errors.* headers: over a 1 MiB max.request.size it
    // failed to send and Kafka Streams shut down (found by the poison-pill chaos scenario)
    String testId = TestKeys.testId("acme", "web", "Cart", "after a large poison");
    byte[] poison = new byte[1_048_576 - 1_024];
    new java.util.Random(42).nextBytes(poison);
    RecordMetadata sent;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(fixture.producerSettings(), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      sent = producer.send(new ProducerRecord<>(topics.executions().name(),
          ("acme/" + testId).getBytes(StandardCharsets.UTF_8), poison)).get();
    }
    produce(List.of(execution("acme", "Cart", "after a large poison", Result.PASSED, T0)));

    ConsumerRecord<byte[], byte[]> dead = awaitDeadLetter(sent);
    assertThat(dead.value()).isEqualTo(poison);
    assertThat(header(dead, "__streams.errors.topic")).isEqualTo(topics.executions().name());
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/api/v1/tests/" + testId, READ_TOKEN).statusCode() == 200);
    assertThat(app.streams().state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
  }

  /** The dead letter of the input record at {@code sent}'s partition and offset, read committed. */
  private static ConsumerRecord<byte[], byte[]> awaitDeadLetter(RecordMetadata sent) {
    String partition = Integer.toString(sent.partition());
    String offset = Long.toString(sent.offset());
    List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.deadLetters().name()));
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(dead::add);
        return dead.stream().anyMatch(r -> partition.equals(headerOrNull(r, "__streams.errors.partition"))
            && offset.equals(headerOrNull(r, "__streams.errors.offset")));
      });
    }
    return dead.stream().filter(r -> partition.equals(headerOrNull(r, "__streams.errors.partition"))
        && offset.equals(headerOrNull(r, "__streams.errors.offset"))).findFirst().orElseThrow();
  }

  private static String headerOrNull(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as(name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static TestExecution execution(String tenant, String scope, String name, Result result, Instant at) {
    return AppFixture.execution(tenant, scope, name, result, at);
  }

  @Test
  void shouldRefuseToStartWhenTheCoPartitionedTopicsDiffer() throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("application.id", "mismatch-" + UUID.randomUUID());
    props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, "mismatch");
    props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "3");
    TestpulseConfig config = new TestpulseConfig(props);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      // created by hand before testpulse ever ran, with another partition count
      admin.createTopics(List.of(config.topics().quarantineCommands().newTopic(1, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
    }

    assertThatThrownBy(() -> TopicSetup.createMissing(kafka.bootstrapServers(), config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(config.topics().quarantineCommands().name() + "=1")
        .hasMessageContaining(config.topics().executions().name() + "=3")
        .hasMessageContaining("same number of partitions");
  }

  private static void produce(List<TestExecution> executions) throws Exception {
    fixture.produce(topics.executions(), executions);
  }

  private static String baseUrl() {
    return "http://localhost:" + app.httpPort();
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return AppFixture.get(app, path, token);
  }

  private static JsonNode getJson(String path, String token) throws Exception {
    HttpResponse<String> response = get(path, token);
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }
}
