package io.testpulse.interactive.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.testpulse.interactive.StreamThreadFailures;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error is problem+json, over real HTTP with raw requests: what Jetty refuses before testpulse
 * code runs, Javalin's 404 and 405, and hostile uploads; and no error body names a Java class.
 */
class ProblemContractTest {

  private static final String READ = "read-" + UUID.randomUUID();
  private static final String INGEST = "ingest-" + UUID.randomUUID();
  private static final String OTHER_INGEST = "ingest-other-" + UUID.randomUUID();
  private static final int PER_TENANT = 2;

  @TempDir
  static Path stateDir;

  private static KafkaStreams streams;
  private static Javalin app;
  private static final StreamThreadFailures THREAD_FAILURES = new StreamThreadFailures(2, Duration.ofMinutes(10),
      Duration.ZERO, java.time.Clock.systemUTC(), d -> { });

  @BeforeAll
  static void start() {
    Properties props = new Properties();
    props.put("bootstrap.servers", "localhost:1");
    props.put("application.id", "problem-test");
    props.put("state.dir", stateDir.toString());
    TestpulseConfig config = new TestpulseConfig(Map.of());
    streams = new KafkaStreams(TestpulseTopology.create(config).build(), props);
    TestpulseQueries queries = new TestpulseQueries(streams, new HostInfo("localhost", 1),
        TestpulseQueries.Routing.defaults().withInternalSecret("s3cret"));
    IngestService.Settings defaults = IngestService.Settings.from(config);
    IngestService.Settings settings = new IngestService.Settings(defaults.defaultSuite(), defaults.maxResults(),
        defaults.maxBodyBytes(), defaults.ackTimeout(), defaults.maxReasonBytes(), 8, PER_TENANT,
        defaults.minDataRate(), defaults.maxUploadTags(), defaults.maxUploadTagBytes());
    IngestService ingest = new IngestService(new MockProducer<>(true, null, new StringSerializer(),
        config.topics().executions().valueSerde().serializer()), config.topics().executions(), settings);
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.registerPlugin(new TestpulsePlugin(tp -> {
        tp.queries = queries;
        tp.ingest = ingest;
        tp.threadFailures = THREAD_FAILURES;
        tp.authenticator = TokenAuthenticator.fromConfig(List.of(
            TokenAuthenticator.configEntry("acme", Role.READ, READ),
            TokenAuthenticator.configEntry("acme", Role.INGEST, INGEST),
            TokenAuthenticator.configEntry("globex", Role.INGEST, OTHER_INGEST)));
      }));
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
  void shouldAnswerProblemJsonWhenJettyRejectsAnAmbiguousPath() throws Exception {
    for (String target : List.of("/api/v1/tests/%00%2e%2e%2fetc", "/api/v1/tests/..%2f..%2fetc",
        "/api/v1/tests/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/health/live/%00../../etc/passwd")) {
      String response = raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + READ
          + "\r\nConnection: close\r\n\r\n");

      assertProblem(target, response, 400, 499);
    }
  }

  @Test
  void shouldAnswerProblemJsonWhenTheRouteIsUnknownOrTheMethodIsNot() throws Exception {
    String unknown = raw("GET /api/v1/nothing-here HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + READ
        + "\r\nConnection: close\r\n\r\n");
    String wrongMethod = raw("PATCH /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        + "Content-Length: 0\r\n\r\n");

    assertProblem("unknown route", unknown, 404, 404);
    assertProblem("wrong method", wrongMethod, 405, 405);
  }

  @Test
  void shouldAnswerProblemJsonWithoutClassNamesWhenAMultipartUploadHasTwentyThousandFields() throws Exception {
    String boundary = "b" + UUID.randomUUID();
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"tags[k").append(i)
          .append("]\"\r\n\r\nv\r\n");
    }
    body.append("--").append(boundary).append("--\r\n");
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);

    String response = raw(("POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + INGEST
        + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " + bytes.length
        + "\r\nConnection: close\r\n\r\n"), bytes);

    assertProblem("20,000 fields", response, 400, 413);
  }

  @Test
  void shouldAnswer408WhenAMultipartBodyTrickles() throws Exception {
    java.util.concurrent.ScheduledExecutorService trickle = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try (Socket socket = new Socket("localhost", app.port())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + INGEST
          + "\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 100000\r\n\r\n--xyz\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      // one byte every 200 ms: 5 B/s, far under the minimum of 1 KiB/s, checked once 10 s have passed
      trickle.scheduleAtFixedRate(() -> {
        try {
          out.write('x');
          out.flush();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(response);
      } catch (java.net.SocketException e) {
        // the server closed the connection after answering, while bytes were still being sent
      }

      assertProblem("trickled multipart", response.toString(StandardCharsets.UTF_8), 408, 408);
    } finally {
      trickle.shutdownNow();
    }
  }

  @Test
  void shouldRefuseAnUploadWithTooManyUploadTagsBeforeReadingItsResults() throws Exception {
    StringBuilder tags = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      tags.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    byte[] json = ("{\"format\":\"json\",\"run_env\":{\"CI\":\"x\",\"key\":\"r1\"},\"tags\":{" + tags
        + "},\"data\":[{\"name\":\"a\",\"scope\":\"S\",\"result\":\"passed\",\"history\":{\"duration\":0.1}}]}")
        .getBytes(StandardCharsets.UTF_8);

    String response = raw(("POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + INGEST
        + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\nConnection: close\r\n\r\n"),
        json);

    assertProblem("5,000 upload tags", response, 400, 400);
    assertThat(response).contains("testpulse.ingest.max.upload.tags");
  }

  @Test
  void shouldAnswer429ToATenantOverItsShareWhileAnotherTenantStillUploads() throws Exception {
    // acme's share is taken by uploads whose bodies have not all arrived: a held upload is one the server
    // has not answered within a second (one that raced a poll and was refused is dropped)
    List<Socket> held = new java.util.ArrayList<>();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (held.size() < PER_TENANT && System.nanoTime() < deadline) {
        Socket socket = new Socket("localhost", app.port());
        socket.getOutputStream().write(("POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + INGEST + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[" + " ".repeat(20_000))
            .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        socket.setSoTimeout(1_000);
        try {
          socket.getInputStream().read();
          socket.close();
        } catch (java.net.SocketTimeoutException e) {
          held.add(socket);
        }
      }

      String refused = upload(INGEST);
      String other = upload(OTHER_INGEST);

      assertProblem("acme over its share", refused, 429, 429);
      assertThat(refused).contains("Retry-After:").contains("testpulse.ingest.max.concurrent.per.tenant");
      assertThat(other).startsWith("HTTP/1.1 202 ");
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void shouldReportNotLiveWithTheCauseWhenStreamThreadsKeepDying() throws Exception {
    String before = raw("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    THREAD_FAILURES.handle(new IllegalStateException("boom"));
    THREAD_FAILURES.handle(new IllegalStateException("boom"));

    String live = raw("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    String metrics = raw("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

    assertThat(before).containsPattern("(?m)^testpulse_live 1\\.0$");
    assertThat(live).startsWith("HTTP/1.1 503 ").contains("\"status\":\"DOWN\"").contains("2 stream threads died");
    assertThat(metrics).containsPattern("(?m)^testpulse_live 0\\.0$")
        .containsPattern("(?m)^testpulse_streams_thread_replacements_total 2\\.0$");
  }

  @Test
  void shouldRemoveClassNamesWhenScrubbingADetail() {
    assertThat(Problems.scrub("invalid body: org.eclipse.jetty.http.BadMessageException: 400: Form with too many keys"))
        .isEqualTo("invalid body: 400: Form with too many keys");
    assertThat(Problems.scrub("Kafka failed (TimeoutException)")).isEqualTo("Kafka failed ()");
    assertThat(Problems.scrub("at most 100 upload tags (testpulse.ingest.max.upload.tags)"))
        .isEqualTo("at most 100 upload tags (testpulse.ingest.max.upload.tags)");
  }

  private static String upload(String token) throws Exception {
    byte[] json = "[{\"name\":\"a\",\"scope\":\"S\",\"result\":\"passed\",\"history\":{\"duration\":0.1}}]"
        .getBytes(StandardCharsets.UTF_8);
    return raw(("POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\nConnection: close\r\n\r\n"),
        json);
  }

  private static void assertProblem(String what, String response, int minStatus, int maxStatus) {
    int status = Integer.parseInt(response.substring(9, 12));
    String lower = response.toLowerCase(java.util.Locale.ROOT);
    assertThat(status).as(what + ": " + response).isBetween(minStatus, maxStatus);
    assertThat(lower).as(what).contains("content-type: application/problem+json");
    assertThat(lower).as(what).doesNotContain("<html");
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    assertThat(body).as(what).doesNotContainPattern("(java|org|jakarta)\\.[a-z]+\\.").doesNotContain("Exception");
  }

  private static String raw(String head) throws Exception {
    return raw(head, new byte[0]);
  }

  private static String raw(String head, byte[] body) throws Exception {
    try (Socket socket = new Socket("localhost", app.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (java.io.IOException e) {
        // the server may answer and close before it read the whole body: read what it answered
      }
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(response);
      return response.toString(StandardCharsets.UTF_8);
    }
  }
}
