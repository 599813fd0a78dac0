package io.testpulse.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What testpulse answers: over its HTTP API, and in its output topics read {@code read_committed}. */
final class Answers {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChaosContext context;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Answers(ChaosContext context) {
    this.context = context;
  }

  /** One HTTP lookup outcome. */
  record Lookup(int status, JsonNode body) {
  }

  Lookup lookup(URI instance, String testId) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(instance.resolve("/api/v1/tests/" + testId))
        .header("Authorization", "Bearer " + context.token("read")).timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Lookup(r.statusCode(), r.statusCode() == 200 ? JSON.readTree(r.body()) : null);
    } catch (IOException e) {
      return new Lookup(-1, null);
    }
  }

  /**
   * {@code GET /api/v1/tests/{id}} for every test, spread over the instances given (each forwards to
   * the owner); a 503 or a refused connection is retried until {@code timeout}. Tests still not
   * answered 200 by then are absent from the result (and so count as lost).
   */
  Map<String, JsonNode> viaApi(Collection<String> keys, List<URI> via, Duration timeout) throws InterruptedException {
    Map<String, JsonNode> rows = new LinkedHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    int i = 0;
    for (String key : keys) {
      String testId = key.substring(key.indexOf('/') + 1);
      while (true) {
        Lookup l = lookup(via.get(i++ % via.size()), testId);
        if (l.status() == 200) {
          rows.put(key, l.body());
          break;
        }
        if (l.status() == 404 || System.nanoTime() > deadline) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
    return rows;
  }

  /** Every record of {@code topic} read {@code read_committed} up to its end, in order, as (key, JSON value). */
  List<Map.Entry<String, JsonNode>> readTopic(String topic, Set<String> keys) throws IOException {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<Map.Entry<String, JsonNode>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // read_committed: the end offsets are the last stable offsets, so this stops at what is committed
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end within 2 minutes");
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          if (keys.contains(r.key()) && r.value() != null) {
            records.add(Map.entry(r.key(), JSON.readTree(r.value())));
          }
        }
      }
    }
    return records;
  }

  /** The newest row of each test in the compacted test-stats topic. */
  Map<String, JsonNode> viaStatsTopic(Set<String> keys) throws IOException {
    Map<String, JsonNode> rows = new HashMap<>();
    for (var r : readTopic(context.config().topics().testStats().name(), keys)) {
      JsonNode before = rows.get(r.getKey());
      if (before == null || before.path("version").asLong() <= r.getValue().path("version").asLong()) {
        rows.put(r.getKey(), r.getValue());
      }
    }
    return rows;
  }

  /** The flakiness transitions written per test, in order, as {@code from>to:reason}. */
  Map<String, List<String>> transitions(Set<String> keys) throws IOException {
    Set<String> states = Set.of("HEALTHY", "FLAKY", "BROKEN", "QUARANTINED");
    Map<String, List<String>> out = new HashMap<>();
    for (var r : readTopic(context.config().topics().transitions().name(), keys)) {
      JsonNode t = r.getValue();
      if (states.contains(t.path("to").asText())) {
        String from = t.get("from") == null || t.get("from").isNull() ? null : t.get("from").asText();
        out.computeIfAbsent(r.getKey(), k -> new ArrayList<>()).add(from + ">" + t.path("to").asText() + ":"
            + t.path("reason").asText());
      }
    }
    return out;
  }
}
