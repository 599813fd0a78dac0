package io.testpulse.interactive.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin over a KafkaStreams that is built but not started: everything that does not need
 * data (validation, auth, roles, 503s, OpenAPI, metrics, CORS) over real HTTP.
 */
class TestpulsePluginTest {

  private static final String READ = "read-" + UUID.randomUUID();
  private static final String ADMIN = "admin-" + UUID.randomUUID();
  private static final String INGEST = "ingest-" + UUID.randomUUID();
  private static final String ID = "0123456789abcdef0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path stateDir;

  private static KafkaStreams streams;
  private static Javalin app;
  private static TestpulsePlugin plugin;
  private static TestpulseQueries queries;

  @BeforeAll
  static void start() {
    Properties props = new Properties();
    props.put("bootstrap.servers", "localhost:1");
    props.put("application.id", "plugin-test");
    props.put("state.dir", stateDir.toString());
    streams = new KafkaStreams(TestpulseTopology.create(new TestpulseConfig(Map.of())).build(), props);
    queries = new TestpulseQueries(streams, new HostInfo("localhost", 1),
        TestpulseQueries.Routing.defaults().withInternalSecret("s3cret"));
    plugin = new TestpulsePlugin(tp -> {
      tp.queries = queries;
      tp.authenticator = TokenAuthenticator.fromConfig(List.of(
          TokenAuthenticator.configEntry("acme", Role.READ, READ),
          TokenAuthenticator.configEntry("acme", Role.ADMIN, ADMIN),
          TokenAuthenticator.configEntry("acme", Role.INGEST, INGEST)));
      tp.maxPageSize = 100;
      tp.corsOrigins = List.of("https://ci.example.com");
    });
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.registerPlugin(plugin);
    }).start("localhost", 0);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.stop();
    }
    if (streams != null) {
      streams.close(Duration.ofSeconds(10));
    }
  }

  @Test
  void shouldDescribeEveryRegisteredRouteWhenServingOpenApi() throws Exception {
    JsonNode doc = JSON.readTree(send("GET", "/openapi.json", null, null).body());

    assertThat(doc.path("openapi").asText()).startsWith("3.");
    List<String> undescribed = new ArrayList<>();
    for (String route : plugin.registeredRoutes()) {
      String[] parts = route.split(" ", 2);
      if (doc.path("paths").path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT)).isMissingNode()) {
        undescribed.add(route);
      }
    }
    assertThat(plugin.registeredRoutes()).contains("GET /api/v1/tests", "PUT /api/v1/tests/{testId}/quarantine",
        "GET /api/v1/transitions/stream", "GET /metrics");
    assertThat(undescribed).isEmpty();
  }

  @Test
  void shouldAnswer400NamingTheParameterWhenAQueryParameterIsInvalid() throws Exception {
    Map<String, String> cases = Map.ofEntries(
        Map.entry("/api/v1/tests?limit=0", "limit"),
        Map.entry("/api/v1/tests?limit=101", "limit"),
        Map.entry("/api/v1/tests?limit=ten", "limit"),
        Map.entry("/api/v1/tests?sort=bogus", "sort"),
        Map.entry("/api/v1/tests?state=sleepy", "state"),
        Map.entry("/api/v1/tests?suite=a%2Fb", "suite"),
        Map.entry("/api/v1/tests?cursor=not-a-cursor", "cursor"),
        Map.entry("/api/v1/tests?allowStale=maybe", "allowStale"),
        Map.entry("/api/v1/tests?colour=red", "colour"),
        Map.entry("/api/v1/tests?limit=1&limit=2", "limit"),
        Map.entry("/api/v1/tests/XYZ", "testId"),
        Map.entry("/api/v1/tests/" + ID + "?allowStale=1", "allowStale"),
        Map.entry("/api/v1/quarantined?limit=-1", "limit"),
        Map.entry("/api/v1/transitions/stream?lastEventId=zero", "lastEventId"),
        Map.entry("/api/v1/tests/" + ID + "/durations?from=yesterday", "from"),
        Map.entry("/api/v1/tests/" + ID + "/durations?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from"),
        Map.entry("/api/v1/suites/web/durations?groupBy=arch,,os", "groupBy"),
        // instants Instant parses but epoch millis cannot hold (were a 500: ArithmeticException)
        Map.entry("/api/v1/tests/" + ID + "/durations?to=%2B1000000000-12-31T23:59:59Z", "to"),
        Map.entry("/api/v1/suites/web/durations?from=-999999999-01-01T00:00:00Z", "from"),
        Map.entry("/api/v1/suites/we%20b/durations", "suite"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = send("GET", c.getKey(), READ, null);
      assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type")).as(c.getKey()).hasValue("application/problem+json");
      assertThat(JSON.readTree(response.body()).path("field").asText()).as(c.getKey()).isEqualTo(c.getValue());
    }
  }

  @Test
  void shouldAnswer400NamingTheParameterWhenItsPercentEncodingIsMalformedOrNotUtf8() throws Exception {
    // java.net.URI refuses such a query, so the request goes over a plain socket; Javalin used to drop
    // a malformed parameter (a broken cursor answered 200 with the first page again) and to decode
    // invalid UTF-8 to U+FFFD (a search for an impossible name answered an empty 200)
    for (String query : List.of("cursor=%%%%", "limit=1&cursor=abc%2", "cursor=%zz", "cursor=%FF%FE", "limit=1&cursor=%C3%28")) {
      try (Socket socket = new Socket("localhost", app.port())) {
        socket.getOutputStream().write(("GET /api/v1/tests?" + query + " HTTP/1.1\r\nHost: localhost\r\n"
            + "Authorization: Bearer " + READ + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(response).as(query).startsWith("HTTP/1.1 400 ");
        assertThat(response).as(query).contains("\"field\":\"cursor\"");
      }
    }
  }

  @Test
  void shouldAnswer503WithRetryAfterWhenTheStoresAreNotQueryable() throws Exception {
    for (String path : List.of("/api/v1/tests/" + ID, "/api/v1/tests", "/api/v1/quarantined",
        "/api/v1/tests?suite=web&scope=Cart&name=adds", "/api/v1/tests/" + ID + "/durations",
        "/api/v1/suites/web/durations?groupBy=arch")) {
      HttpResponse<String> response = send("GET", path, READ, null);
      assertThat(response.statusCode()).as(path).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).as(path).isPresent();
    }
  }

  @Test
  void shouldRequireAnAdminTokenWhenQuarantining() throws Exception {
    assertThat(send("PUT", "/api/v1/tests/" + ID + "/quarantine", READ, "{}").statusCode()).isEqualTo(403);
    assertThat(send("DELETE", "/api/v1/tests/" + ID + "/quarantine", READ, null).statusCode()).isEqualTo(403);
    assertThat(send("PUT", "/api/v1/tests/" + ID + "/quarantine", INGEST, "{}").statusCode()).isEqualTo(403);
    assertThat(send("PUT", "/api/v1/tests/" + ID + "/quarantine", null, "{}").statusCode()).isEqualTo(401);
  }

  @Test
  void shouldRejectBadQuarantineBodiesNamingTheField() throws Exception {
    Map<String, String> cases = Map.of(
        "{\"reason\": 5}", "reason",
        "{\"expiresAt\": \"tomorrow\"}", "expiresAt",
        "{\"expiresAt\": 1000}", "expiresAt",
        "{\"why\": \"x\"}", "why",
        "{\"mode\": \"ignore\"}", "mode",
        "[1,2]", "body",
        "{not json", "body",
        // were a 500 (ArithmeticException) or silently wrapped to another instant
        "{\"expiresAt\": \"+1000000000-12-31T23:59:59Z\"}", "expiresAt",
        "{\"expiresAt\": 99999999999999999999999}", "expiresAt",
        "{\"expiresAt\": 9223372036854775807}", "expiresAt");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = send("PUT", "/api/v1/tests/" + ID + "/quarantine", ADMIN, c.getKey());
      assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).path("field").asText()).as(c.getKey()).isEqualTo(c.getValue());
    }
    String big = "{\"reason\": \"" + "x".repeat(QuarantineController.MAX_BODY_BYTES) + "\"}";
    assertThat(send("PUT", "/api/v1/tests/" + ID + "/quarantine", ADMIN, big).statusCode()).isEqualTo(413);
  }

  @Test
  void shouldRefuseTheInternalApiWhenTheSecretIsMissingOrWrong() throws Exception {
    String path = "/internal/v1/stores/test-record/key?key=acme/" + ID + "&partition=0";
    assertThat(send("GET", path, ADMIN, null).statusCode()).isEqualTo(403);
    HttpRequest wrong = HttpRequest.newBuilder(uri(path)).header("X-Testpulse-Internal", "s3cre7").build();
    assertThat(HTTP.send(wrong, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    HttpRequest right = HttpRequest.newBuilder(uri(path)).header("X-Testpulse-Internal", "s3cret").build();
    HttpResponse<String> answer = HTTP.send(right, HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(answer.body()).path("status").asText()).isEqualTo("UNAVAILABLE");

    String mirror = "/internal/v1/fwd/api/v1/tests/" + ID + "/durations";
    HttpRequest noSecret = HttpRequest.newBuilder(uri(mirror)).header("X-Testpulse-Tenant", "acme").build();
    assertThat(HTTP.send(noSecret, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
    HttpRequest noTenant = HttpRequest.newBuilder(uri(mirror)).header("X-Testpulse-Internal", "s3cret").build();
    HttpResponse<String> badTenant = HTTP.send(noTenant, HttpResponse.BodyHandlers.ofString());
    assertThat(badTenant.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badTenant.body()).path("field").asText()).isEqualTo("X-Testpulse-Tenant");
  }

  @Test
  void shouldExposeLatencyHistogramsAndStreamsMetricsWhenScraped() throws Exception {
    send("GET", "/api/v1/tests?limit=0", READ, null);

    String metrics = send("GET", "/metrics", null, null).body();

    assertThat(metrics).contains("testpulse_http_requests_seconds_bucket{")
        .contains("route=\"/api/v1/tests\"")
        .contains("kafka_stream_")
        .contains("testpulse_store_offset_lag_max{store=\"test-record\"}");
  }

  @Test
  void shouldSendCorsHeadersOnlyForConfiguredOrigins() throws Exception {
    HttpRequest allowed = HttpRequest.newBuilder(uri("/health/live")).header("Origin", "https://ci.example.com").build();
    HttpRequest other = HttpRequest.newBuilder(uri("/health/live")).header("Origin", "https://evil.example").build();
    HttpRequest preflight = HttpRequest.newBuilder(uri("/api/v1/tests"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://ci.example.com").header("Access-Control-Request-Method", "GET").build();

    assertThat(HTTP.send(allowed, HttpResponse.BodyHandlers.ofString()).headers()
        .firstValue("Access-Control-Allow-Origin")).hasValue("https://ci.example.com");
    assertThat(HTTP.send(other, HttpResponse.BodyHandlers.ofString()).headers()
        .firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> pre = HTTP.send(preflight, HttpResponse.BodyHandlers.ofString());
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
  }

  @Test
  void shouldAnswerTenantAndRoleWhenAnyKnownTokenAsksWhoami() throws Exception {
    Map<String, String> roles = Map.of(READ, "read", ADMIN, "admin", INGEST, "ingest");
    for (Map.Entry<String, String> token : roles.entrySet()) {
      HttpResponse<String> response = send("GET", "/api/v1/whoami", token.getKey(), null);
      JsonNode body = JSON.readTree(response.body());

      assertThat(response.statusCode()).as(token.getValue()).isEqualTo(200);
      assertThat(body.path("tenant").asText()).isEqualTo("acme");
      assertThat(body.path("role").asText()).isEqualTo(token.getValue());
      assertThat(body.path("may_quarantine").asBoolean()).isEqualTo(token.getValue().equals("admin"));
    }
    HttpResponse<String> unknown = send("GET", "/api/v1/whoami", "nobody-" + UUID.randomUUID(), null);
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
  }

  @Test
  void shouldServeTheDashboardWithoutTokenWhenUiIsRequested() throws Exception {
    HttpResponse<String> page = send("GET", "/ui/", null, null);
    HttpResponse<String> script = send("GET", "/ui/app.js", null, null);
    HttpResponse<String> bare = send("GET", "/ui", null, null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    assertThat(page.body()).contains("<title>testpulse</title>", "app.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.headers().firstValue("Location")).hasValue("/ui/");
  }

  @Test
  void shouldAnswer404ProblemWhenAFileOutsideTheDashboardIsAsked() throws Exception {
    for (String path : List.of("/ui/nope.js", "/ui/..%2Fopenapi.json", "/ui/%2e%2e%2fapp.js",
        "/ui/io%2Ftestpulse%2Finteractive%2Fhttp%2Fopenapi.json")) {
      HttpResponse<String> response = send("GET", path, null, null);

      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).as(path).doesNotContain("\"openapi\"").doesNotContain("import {");
    }
  }

  @Test
  void shouldServeTheDashboardUnderThePrefixWhenEmbedded() throws Exception {
    Javalin embedded = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.registerPlugin(new TestpulsePlugin(tp -> {
        tp.queries = queries;
        tp.authenticator = TokenAuthenticator.fromConfig(List.of(TokenAuthenticator.configEntry("acme", Role.READ, READ)));
        tp.pathPrefix = "/testpulse";
      }));
    }).start("localhost", 0);
    try {
      HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://localhost:" + embedded.port() + "/testpulse/ui/")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> whoami = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://localhost:" + embedded.port() + "/testpulse/api/v1/whoami"))
          .header("Authorization", "Bearer " + READ).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("app.js");
      assertThat(whoami.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(whoami.body()).path("role").asText()).isEqualTo("read");
    } finally {
      embedded.stop();
    }
  }

  private static URI uri(String path) {
    return URI.create("http://localhost:" + app.port() + path);
  }

  private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
