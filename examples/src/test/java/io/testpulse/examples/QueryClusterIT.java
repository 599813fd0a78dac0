package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
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
import io.testpulse.topology.Transition;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the app (two KafkaStreams with their own state dirs and HTTP ports, one
 * application.id) on one real broker: key lookups are routed to the owner from either instance,
 * lists merge both, an unreachable instance makes lists partial (or stale with allowStale), and
 * the survivor answers everything once the group has rebalanced. The last test stops instance B.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryClusterIT {

  private static final String READ = "read-" + UUID.randomUUID();
  private static final String ADMIN = "admin-" + UUID.randomUUID();
  private static final String OTHER = "globex-" + UUID.randomUUID();
  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int TESTS = 24;

  @TempDir
  static Path dir;

  @AutoClose
  private static AppFixture fixture;
  private static EmbeddedKafka kafka;
  private static TestpulseApp a;
  private static TestpulseApp b;
  private static Topics topics;
  /** acme's tests: id to executions produced. */
  private static final Map<String, Integer> EXPECTED = new LinkedHashMap<>();
  private static String globexTest;

  @BeforeAll
  static void start() throws Exception {
    fixture = AppFixture.start(dir);
    kafka = fixture.kafka();
    String appId = "cluster-" + UUID.randomUUID();
    a = fixture.startApp(settings(appId, "a"));
    b = fixture.startApp(settings(appId, "b"));
    topics = new TestpulseConfig(settings(appId, "x")).topics();
    List<TestExecution> executions = new ArrayList<>();
    for (int i = 0; i < TESTS; i++) {
      String name = "case " + i;
      int failures = i % 5;
      for (int k = 0; k < 3 + failures; k++) {
        executions.add(execution("acme", "Cart", name, k < failures ? Result.FAILED : Result.PASSED,
            T0.plusSeconds(60L * k)));
      }
      EXPECTED.put(TestKeys.testId("acme", "web", "Cart", name), 3 + failures);
    }
    executions.add(execution("globex", "Cart", "case 0", Result.PASSED, T0));
    globexTest = TestKeys.testId("globex", "web", "Cart", "case 0");
    produce(executions);
    await().atMost(WAIT).ignoreExceptions().until(() -> bothActive() && allAnswered(a) && allAnswered(b));
  }

  private static Properties settings(String appId, String name) throws Exception {
    Properties props = fixture.appSettings(appId, "qc", name,
        TokenAuthenticator.configEntry("acme", Role.READ, READ),
        TokenAuthenticator.configEntry("acme", Role.ADMIN, ADMIN),
        TokenAuthenticator.configEntry("globex", Role.READ, OTHER));
    props.put("num.standby.replicas", "1");
    // a stopped instance leaves the group after this long, so the survivor takes over soon
    props.put("session.timeout.ms", "10000");
    props.put("heartbeat.interval.ms", "1000");
    props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "4");
    props.put(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "arch");
    props.put(TestpulseConfig.HTTP_HOST_CONFIG, "127.0.0.1");
    props.put(TestpulseConfig.INTERNAL_SECRET_CONFIG, "cluster-secret");
    props.put(TestpulseConfig.QUERY_PEER_TIMEOUT_MS_CONFIG, "3000");
    return props;
  }

  @Test
  @Order(1)
  void shouldAnswerEveryTestFromEitherInstanceWhenBothRun() throws Exception {
    Set<String> servedBy = new HashSet<>();
    for (TestpulseApp app : List.of(a, b)) {
      for (Map.Entry<String, Integer> test : EXPECTED.entrySet()) {
        HttpResponse<String> response = get(app, "/api/v1/tests/" + test.getKey(), READ);
        assertThat(response.statusCode()).as(test.getKey()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("executions").asInt()).isEqualTo(test.getValue());
        assertThat(body.path("stale").asBoolean()).isFalse();
        assertThat(body.path("state").asText()).as("flakiness state of " + test.getKey())
            .isIn("HEALTHY", "FLAKY", "BROKEN");
        servedBy.add(app.httpPort() + "->" + body.path("served_by").asText());
      }
    }
    // each instance answered some tests itself and forwarded others: four (asker, owner) pairs
    assertThat(servedBy).hasSize(4);
  }

  @Test
  @Order(1)
  void shouldAnswerDurationsFromEitherInstanceWhenAnotherOwnsThem() throws Exception {
    String range = "?from=2026-10-25T00:00:00Z&to=2026-11-08T00:00:00Z";
    for (TestpulseApp app : List.of(a, b)) {
      for (Map.Entry<String, Integer> test : EXPECTED.entrySet()) {
        JsonNode durations = await().atMost(WAIT).ignoreExceptions()
            .until(() -> JSON.readTree(get(app, "/api/v1/tests/" + test.getKey() + "/durations" + range, READ).body()),
                d -> d.path("summary").path("count").asInt() == test.getValue());
        assertThat(durations.path("summary").path("p50_ms").asDouble()).isCloseTo(12.0, within(0.2));
      }
      int total = EXPECTED.values().stream().mapToInt(Integer::intValue).sum();
      await().atMost(WAIT).ignoreExceptions()
          .until(() -> JSON.readTree(get(app, "/api/v1/suites/web/durations" + range, READ).body())
              .path("summary").path("count").asInt() == total);
    }
  }

  @Test
  @Order(1)
  void shouldAnswerGroupedSuiteDurationsFromEitherInstance() throws Exception {
    String range = "?from=2026-10-25T00:00:00Z&to=2026-11-08T00:00:00Z&groupBy=arch";
    Map<String, Integer> expected = new TreeMap<>();
    EXPECTED.forEach((id, count) -> expected.merge(arch(id), count, Integer::sum));
    assertThat(expected).hasSize(2);
    // one instance owns the suite's groups; the other forwards: both must give the whole answer
    for (TestpulseApp app : List.of(a, b)) {
      await().atMost(WAIT).ignoreExceptions().until(() -> countsByArch(app, range), expected::equals);
    }
  }

  private static Map<String, Integer> countsByArch(TestpulseApp app, String range) throws Exception {
    HttpResponse<String> response = get(app, "/api/v1/suites/web/durations" + range, READ);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<String, Integer> counts = new TreeMap<>();
    for (JsonNode group : JSON.readTree(response.body())) {
      counts.put(group.path("group").path("arch").asText(), group.path("summary").path("count").asInt());
    }
    return counts;
  }

  @Test
  @Order(2)
  void shouldListEveryTestOfTheTenantOnceWhenPagingFromEitherInstance() throws Exception {
    for (TestpulseApp app : List.of(a, b)) {
      List<JsonNode> rows = pageThrough(app, "/api/v1/tests?sort=reliability&limit=5", false);
      List<String> ids = rows.stream().map(r -> r.path("test_id").asText()).toList();
      assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
      for (int i = 1; i < rows.size(); i++) {
        assertThat(rows.get(i).path("reliability").asDouble())
            .isGreaterThanOrEqualTo(rows.get(i - 1).path("reliability").asDouble());
      }
      // a state filter reads the state index of each partition instead of every test: the same tests
      Map<String, List<String>> byState = new TreeMap<>();
      rows.forEach(r -> byState.computeIfAbsent(r.path("state").asText().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(r.path("test_id").asText()));
      assertThat(byState).as("the data has tests of both states").containsKeys("healthy", "flaky");
      for (String state : List.of("healthy", "flaky", "broken")) {
        List<JsonNode> filtered = pageThrough(app, "/api/v1/tests?state=" + state + "&sort=score&limit=3", false);
        assertThat(filtered).extracting(r -> r.path("test_id").asText()).doesNotHaveDuplicates()
            .containsExactlyInAnyOrderElementsOf(byState.getOrDefault(state, List.of()));
        for (int i = 1; i < filtered.size(); i++) {
          assertThat(filtered.get(i).path("score").asDouble()).isLessThanOrEqualTo(filtered.get(i - 1).path("score").asDouble());
        }
      }
    }
  }

  @Test
  @Order(3)
  void shouldFindATestByItsIdentityAndHideOtherTenants() throws Exception {
    JsonNode found = JSON.readTree(get(b, "/api/v1/tests?suite=web&scope=Cart&name=" + enc("case 3"), READ).body());
    assertThat(found.path("items")).hasSize(1);
    assertThat(found.path("items").get(0).path("test_id").asText())
        .isEqualTo(TestKeys.testId("acme", "web", "Cart", "case 3"));
    JsonNode byName = JSON.readTree(get(a, "/api/v1/tests?name=" + enc("case 3"), READ).body());
    assertThat(byName.path("items")).hasSize(1);

    assertThat(get(a, "/api/v1/tests/" + globexTest, READ).statusCode()).isEqualTo(404);
    assertThat(get(b, "/api/v1/tests/" + globexTest, READ).statusCode()).isEqualTo(404);
    String anAcmeTest = EXPECTED.keySet().iterator().next();
    assertThat(get(a, "/api/v1/tests/" + anAcmeTest, OTHER).statusCode()).isEqualTo(404);
    assertThat(get(b, "/api/v1/tests/" + anAcmeTest, OTHER).statusCode()).isEqualTo(404);
    JsonNode globexList = JSON.readTree(get(a, "/api/v1/tests", OTHER).body());
    assertThat(globexList.path("items")).hasSize(1);
  }

  @Test
  @Order(4)
  void shouldListAQuarantinedTestOnBothInstancesWhenAnAdminQuarantinesIt() throws Exception {
    String testId = TestKeys.testId("acme", "web", "Cart", "case 4");
    String body = "{\"reason\":\"flaky on CI\",\"expiresAt\":\"" + Instant.now().plusSeconds(86_400) + "\"}";
    try (SseReader stream = SseReader.open(streamRequest(a, null))) {
      stream.awaitEvent("ready");
      HttpResponse<String> put = send(b, "PUT", "/api/v1/tests/" + testId + "/quarantine", ADMIN, body);
      assertThat(put.statusCode()).isEqualTo(202);
      // the flakiness engine applies the command and writes the transition, which the live stream carries
      JsonNode transition = JSON.readTree(stream.awaitEvent("transition").data());
      assertThat(transition.path("test_id").asText()).isEqualTo(testId);
      assertThat(transition.path("to").asText()).isEqualTo("QUARANTINED");
    }
    assertThat(send(b, "PUT", "/api/v1/tests/" + testId + "/quarantine", READ, body).statusCode()).isEqualTo(403);

    for (TestpulseApp app : List.of(a, b)) {
      JsonNode list = await().atMost(WAIT).ignoreExceptions().until(() -> JSON.readTree(get(app, "/api/v1/quarantined", READ).body()),
          l -> l.path("items").size() == 1);
      assertThat(list.path("items").get(0).path("test_id").asText()).isEqualTo(testId);
      assertThat(list.path("items").get(0).path("name").asText()).isEqualTo("case 4");
      assertThat(list.path("items").get(0).path("reason").asText()).isEqualTo("flaky on CI");
      JsonNode test = JSON.readTree(get(app, "/api/v1/tests/" + testId, READ).body());
      assertThat(test.path("quarantine").path("reason").asText()).isEqualTo("flaky on CI");
      assertThat(test.path("state").asText()).isEqualTo("QUARANTINED");
      JsonNode quarantinedState = JSON.readTree(get(app, "/api/v1/tests?state=quarantined", READ).body());
      assertThat(quarantinedState.path("items")).hasSize(1);
    }
    assertThat(JSON.readTree(get(a, "/api/v1/quarantined", OTHER).body()).path("items")).isEmpty();

    try (SseReader stream = SseReader.open(streamRequest(a, null))) {
      stream.awaitEvent("ready");
      assertThat(send(a, "DELETE", "/api/v1/tests/" + testId + "/quarantine", ADMIN, null).statusCode()).isEqualTo(202);
      // the release's transition is on the stream before the next test opens its own
      JsonNode transition = JSON.readTree(stream.awaitEvent("transition").data());
      assertThat(transition.path("from").asText()).isEqualTo("QUARANTINED");
    }
    await().atMost(WAIT).ignoreExceptions().until(() -> JSON.readTree(get(b, "/api/v1/quarantined", READ).body()).path("items").isEmpty());
  }

  @Test
  @Order(5)
  void shouldStreamOnlyTheCallersTransitionsAndResumeFromLastEventId() throws Exception {
    String acmeTest = EXPECTED.keySet().iterator().next();
    try (SseReader first = SseReader.open(streamRequest(a, null))) {
      String readyId = first.awaitEvent("ready").id();
      produceTransition(new Transition("globex/" + globexTest, "globex", globexTest, "web", "HEALTHY", "FLAKY",
          "same_commit_flip", Map.of(), T0.toEpochMilli()));
      produceTransition(new Transition("acme/" + acmeTest, "acme", acmeTest, "web", "HEALTHY", "FLAKY",
          "same_commit_flip", Map.of("commit_sha", "abc"), T0.toEpochMilli()));

      SseReader.Event event = first.awaitEvent("transition");
      assertThat(JSON.readTree(event.data()).path("test_id").asText()).isEqualTo(acmeTest);

      // resuming from before the transition replays it (from either instance) ...
      try (SseReader resumed = SseReader.open(streamRequest(b, readyId))) {
        assertThat(resumed.awaitEvent("transition").data()).isEqualTo(event.data());
      }
      // ... and resuming from its own id does not: the next event is the next transition
      try (SseReader resumed = SseReader.open(streamRequest(a, event.id()))) {
        resumed.awaitEvent("ready");
        produceTransition(new Transition("acme/" + acmeTest, "acme", acmeTest, "web", "FLAKY", "HEALTHY",
            "recovered", Map.of(), T0.plusSeconds(1).toEpochMilli()));
        assertThat(JSON.readTree(resumed.awaitEvent("transition").data()).path("to").asText()).isEqualTo("HEALTHY");
      }
    }
  }

  @Test
  @Order(6)
  void shouldFlagPartialOrStaleAnswersWhenAnInstanceIsUnreachable() throws Exception {
    Set<Integer> bPartitions = activePartitions(b);
    b.stopHttp(); // B keeps its tasks (Kafka Streams metadata still names it) but answers no HTTP

    JsonNode partial = JSON.readTree(get(a, "/api/v1/tests?limit=100", READ).body());
    assertThat(partial.path("partial").asBoolean()).isTrue();
    assertThat(ints(partial.path("missing_partitions"))).isEqualTo(bPartitions);
    assertThat(partial.path("items").size()).isLessThan(EXPECTED.size());

    JsonNode stale = await().atMost(WAIT).ignoreExceptions()
        .until(() -> JSON.readTree(get(a, "/api/v1/tests?limit=100&allowStale=true", READ).body()),
            s -> s.path("items").size() == EXPECTED.size());
    assertThat(stale.path("partial").asBoolean()).isFalse();
    assertThat(stale.path("stale").asBoolean()).isTrue();
    Set<Integer> stalePartitions = new TreeSet<>();
    stale.path("stale_partitions").forEach(p -> stalePartitions.add(p.path("partition").asInt()));
    assertThat(stalePartitions).isEqualTo(bPartitions);

    boolean sawUnavailable = false;
    for (Map.Entry<String, Integer> test : EXPECTED.entrySet()) {
      HttpResponse<String> fresh = get(a, "/api/v1/tests/" + test.getKey(), READ);
      if (fresh.statusCode() == 503) {
        sawUnavailable = true;
        assertThat(fresh.headers().firstValue("Retry-After")).isPresent();
        JsonNode read = JSON.readTree(get(a, "/api/v1/tests/" + test.getKey() + "?allowStale=true", READ).body());
        assertThat(read.path("stale").asBoolean()).isTrue();
        assertThat(read.path("offset_lag").isNumber()).isTrue();
        assertThat(read.path("executions").asInt()).isEqualTo(test.getValue());
      } else {
        assertThat(fresh.statusCode()).isEqualTo(200);
      }
    }
    assertThat(sawUnavailable).as("some test is owned by the unreachable instance").isTrue();
  }

  @Test
  @Order(7)
  void shouldAnswerEverythingFromTheSurvivorWhenTheOtherInstanceStops() throws Exception {
    fixture.stopApp(b);
    b = null;

    await().atMost(WAIT).ignoreExceptions().until(() -> activePartitions(a).size() == 4 && allAnswered(a));
    JsonNode list = JSON.readTree(get(a, "/api/v1/tests?limit=100", READ).body());
    assertThat(list.path("partial").asBoolean()).isFalse();
    assertThat(list.path("items").size()).isEqualTo(EXPECTED.size());
  }

  // --- helpers

  private static boolean bothActive() throws Exception {
    return a.streams().state() == KafkaStreams.State.RUNNING && b.streams().state() == KafkaStreams.State.RUNNING
        && !activePartitions(a).isEmpty() && !activePartitions(b).isEmpty();
  }

  private static Set<Integer> activePartitions(TestpulseApp app) throws Exception {
    HttpResponse<String> response = get(app, "/api/v1/instances", READ);
    if (response.statusCode() != 200) {
      return Set.of();
    }
    for (JsonNode instance : JSON.readTree(response.body()).path("instances")) {
      if (instance.path("self").asBoolean()) {
        return ints(instance.path("active_partitions"));
      }
    }
    return Set.of();
  }

  private static boolean allAnswered(TestpulseApp app) throws Exception {
    for (Map.Entry<String, Integer> test : EXPECTED.entrySet()) {
      HttpResponse<String> response = get(app, "/api/v1/tests/" + test.getKey(), READ);
      if (response.statusCode() != 200
          || JSON.readTree(response.body()).path("executions").asInt() != test.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static List<JsonNode> pageThrough(TestpulseApp app, String path, boolean allowPartial) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> response = get(app, path + (cursor == null ? "" : "&cursor=" + enc(cursor)), READ);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode page = JSON.readTree(response.body());
      assertThat(page.path("partial").asBoolean()).isEqualTo(allowPartial);
      page.path("items").forEach(rows::add);
      cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
      assertThat(++pages).isLessThan(100);
    } while (cursor != null);
    return rows;
  }

  private static Set<Integer> ints(JsonNode array) {
    Set<Integer> result = new TreeSet<>();
    array.forEach(n -> result.add(n.asInt()));
    return result;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static HttpRequest streamRequest(TestpulseApp app, String lastEventId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/transitions/stream"))
        .header("Authorization", "Bearer " + READ)
        .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return request.build();
  }

  private static HttpResponse<String> get(TestpulseApp app, String path, String token) throws Exception {
    return send(app, "GET", path, token, null);
  }

  private static HttpResponse<String> send(TestpulseApp app, String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Some tests run on arm64, the others on amd64: the groups of {@code ?groupBy=arch}. */
  private static String arch(String testId) {
    return Math.floorMod(testId.hashCode(), 2) == 0 ? "arm64" : "amd64";
  }

  private static TestExecution execution(String tenant, String scope, String name, Result result, Instant at) {
    return TestExecution.newBuilder(AppFixture.execution(tenant, scope, name, result, at))
        .setTags(new HashMap<>(Map.of("arch", arch(TestKeys.testId(tenant, "web", scope, name)))))
        .build();
  }

  private static void produce(List<TestExecution> executions) throws Exception {
    fixture.produce(topics.executions(), executions);
  }

  private static void produceTransition(Transition t) throws Exception {
    try (KafkaProducer<String, Transition> producer = new KafkaProducer<>(fixture.producerSettings(),
        topics.transitions().keySerde().serializer(), topics.transitions().valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topics.transitions().name(), t.key(), t)).get();
    }
  }

  /** Reads a Server-Sent Events response line by line on a background thread. */
  static final class SseReader implements AutoCloseable {
    record Event(String name, String id, String data) {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile Stream<String> lines;

    private SseReader(HttpRequest request) {
      response = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
      response.thenAcceptAsync(r -> {
        lines = r.body();
        String name = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) lines::iterator) {
          if (line.isEmpty()) {
            if (name != null) {
              events.add(new Event(name, id, data.toString()));
            }
            name = null;
            id = null;
            data.setLength(0);
          } else if (line.startsWith("event:")) {
            name = line.substring(6).trim();
          } else if (line.startsWith("id:")) {
            id = line.substring(3).trim();
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).trim());
          }
        }
      });
    }

    static SseReader open(HttpRequest request) {
      return new SseReader(request);
    }

    Event awaitEvent(String name) {
      List<Event> seen = new ArrayList<>();
      return await().atMost(WAIT).ignoreExceptions().until(() -> {
        Event e = events.poll();
        if (e != null) {
          seen.add(e);
        }
        return seen.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
      }, e -> e != null);
    }

    @Override
    public void close() {
      if (lines != null) {
        lines.close();
      }
      response.cancel(true);
    }
  }
}
