package io.testpulse.examples.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.TestExecution;
import io.testpulse.examples.EmbeddedKafka;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.testkit.ExecutionBuilder;
import io.testpulse.testkit.Executions;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TopicHandle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The existing service with testpulse embedded, on a real broker with real HTTP: the service's
 * own endpoint and testpulse's API under {@code /testpulse} answer from one KafkaStreams.
 */
class OrderServiceIT {

  private static final String READ_TOKEN = "read-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path stateDir;

  private static EmbeddedKafka kafka;
  private static OrderService service;
  private static TestpulseConfig config;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("application.id", "shop-it-" + UUID.randomUUID());
    props.put("state.dir", Files.createDirectories(stateDir.resolve("streams")).toString());
    props.put("commit.interval.ms", "100");
    props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, "shop-ci");
    props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "2");
    props.put(TestpulseConfig.HTTP_PORT_CONFIG, "0");
    props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, TokenAuthenticator.configEntry("acme", Role.READ, READ_TOKEN));
    config = new TestpulseConfig(props);
    service = OrderService.start(config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldAnswerBothApisFromOneKafkaStreamsWhenOrdersAndExecutionsArrive() throws Exception {
    ExecutionBuilder refunds = Executions.at(Instant.parse("2026-11-01T10:00:00Z"))
        .test("PaymentsTest", "refunds a card payment");
    List<TestExecution> executions = List.of(refunds.passed().build(), refunds.failed().build(), refunds.passed().build());
    produce(config.topics().executions(), executions.stream()
        .map(e -> new ProducerRecord<>(config.topics().executions().name(), TestKeys.key(e.getTenant(), e.getTestId()), e))
        .toList());
    produce(OrderTopology.ORDERS, List.of(
        new ProducerRecord<>(OrderTopology.ORDERS.name(), "alice", "order-1"),
        new ProducerRecord<>(OrderTopology.ORDERS.name(), "alice", "order-2")));

    JsonNode test = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> json(get("/testpulse/api/v1/tests/" + refunds.ref().testId(), READ_TOKEN)),
            b -> b != null && b.path("executions").asLong() == 3);
    JsonNode orders = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> json(get("/orders/customers/alice/count", null)), b -> b != null && b.path("orders").asLong() == 2);

    assertThat(test.path("passed").asLong()).isEqualTo(2);
    assertThat(test.path("failed").asLong()).isEqualTo(1);
    assertThat(test.path("key").asText()).isEqualTo(refunds.ref().key());
    assertThat(orders.path("customer").asText()).isEqualTo("alice");
  }

  @Test
  void shouldMountTestpulseOnlyUnderItsPrefix() throws Exception {
    String unknownTest = "0".repeat(32);

    assertThat(get("/testpulse/api/v1/tests/" + unknownTest, READ_TOKEN).statusCode()).isEqualTo(404);
    assertThat(get("/testpulse/api/v1/tests/" + unknownTest, null).statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/tests/" + unknownTest, READ_TOKEN).statusCode())
        .as("testpulse is not mounted at the root of the service").isEqualTo(404);
    assertThat(get("/api/v1/tests/" + unknownTest, READ_TOKEN).headers().firstValue("Content-Type").orElse(""))
        .doesNotContain("problem+json");
    assertThat(get("/orders/customers/nobody/count", READ_TOKEN).statusCode())
        .as("the service's own routes are not behind testpulse's auth").isIn(200, 503);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/testpulse/health/ready", null).statusCode() == 200);
  }

  private static <V> void produce(TopicHandle<String, V> topic, List<ProducerRecord<String, V>> records)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(props, topic.keySerde().serializer(),
        topic.valueSerde().serializer())) {
      for (ProducerRecord<String, V> record : records) {
        producer.send(record).get();
      }
    }
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + service.httpPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }
}
