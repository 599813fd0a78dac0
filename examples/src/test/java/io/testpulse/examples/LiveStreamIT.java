package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live stream of transitions over real HTTP on a real broker: how streams end. */
class LiveStreamIT {

  private static final String READ = AppFixture.newToken("read");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  private static AppFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = AppFixture.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  /**
   * A stream still open when the app stops used to outlive its request: its pump thread then
   * completed Javalin's future on a recycled request and Javalin's error handling looped without
   * end (GBs of NullPointerException warnings in the test reports). Now the stream ends with the app.
   */
  @Test
  void shouldEndEveryLiveStreamWhenTheAppStops() throws Exception {
    TestpulseApp app = fixture.startApp(fixture.appSettings("live-" + UUID.randomUUID(), "live", "stop",
        TokenAuthenticator.configEntry("acme", Role.READ, READ)));
    HttpResponse<Stream<String>> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/transitions/stream"))
        .header("Authorization", "Bearer " + READ)
        .header("Accept", "text/event-stream")
        .timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    Iterator<String> lines = response.body().iterator();
    // the first event is "ready" (Javalin writes its id line before its event line)
    String line = lines.next();
    while (!line.isEmpty()) {
      if (line.startsWith("event:")) {
        assertThat(line).isEqualTo("event: ready");
      }
      line = lines.next();
    }
    assertThat(pumps()).isPositive();

    CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> lines.forEachRemaining(ignored -> { }));
    fixture.stopApp(app);

    // the server ended the response (the client sees its end, not a hang) and no pump is left running
    await().atMost(Duration.ofSeconds(15)).until(drained::isDone);
    await().atMost(Duration.ofSeconds(15)).until(() -> pumps() == 0);
  }

  @Test
  void shouldAnswer429ToATenantOverItsShareOfStreamsAnd400ToAnUnknownPartition() throws Exception {
    String other = AppFixture.newToken("other");
    Properties settings = fixture.appSettings("share-" + UUID.randomUUID(), "share", "share",
        TokenAuthenticator.configEntry("acme", Role.READ, READ), TokenAuthenticator.configEntry("globex", Role.READ, other));
    settings.put(TestpulseConfig.SSE_MAX_CONNECTIONS_PER_TENANT_CONFIG, "1");
    TestpulseApp app = fixture.startApp(settings);
    HttpResponse<Stream<String>> first = HTTP.send(stream(app, READ, null), HttpResponse.BodyHandlers.ofLines());
    try {
      HttpResponse<String> second = HTTP.send(stream(app, READ, null), HttpResponse.BodyHandlers.ofString());
      // before globex opens its one stream: a refused resume must not keep the slot
      HttpResponse<String> unknownPartition = HTTP.send(stream(app, other, "9999:0"), HttpResponse.BodyHandlers.ofString());
      HttpResponse<Stream<String>> otherTenant = HTTP.send(stream(app, other, null), HttpResponse.BodyHandlers.ofLines());
      otherTenant.body().close();

      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.headers().firstValue("Retry-After")).isPresent();
      assertThat(second.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(otherTenant.statusCode()).isEqualTo(200);
      assertThat(unknownPartition.statusCode()).isEqualTo(400);
      assertThat(unknownPartition.body()).contains("Last-Event-ID");
    } finally {
      first.body().close();
      fixture.stopApp(app);
    }
  }

  private static HttpRequest stream(TestpulseApp app, String token, String lastEventId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + app.httpPort() + "/api/v1/transitions/stream"))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "text/event-stream")
        .timeout(Duration.ofSeconds(30));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return request.build();
  }

  private static long pumps() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("testpulse-sse-")).count();
  }
}
