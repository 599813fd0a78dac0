package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TestpulsePlugin;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.Topics;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload API end to end: real HTTP to the bundled app, a real broker, the records read back
 * from the input topic and the counts from the query API.
 */
class IngestIT {

  private static final String INGEST_TOKEN = "ingest-" + UUID.randomUUID();
  private static final String SUITE_TOKEN = "suite-" + UUID.randomUUID();
  private static final String READ_TOKEN = "read-" + UUID.randomUUID();
  private static final String ADMIN_TOKEN = "admin-" + UUID.randomUUID();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path stateDir;

  @AutoClose
  private static AppFixture fixture;
  private static EmbeddedKafka kafka;
  private static TestpulseApp app;
  private static Topics topics;
  private static TestpulseConfig appConfig;

  @BeforeAll
  static void start() throws Exception {
    fixture = AppFixture.start(stateDir);
    kafka = fixture.kafka();
    Properties props = fixture.appSettings("ingest-it-" + UUID.randomUUID(), "ingest-it", "streams",
        TokenAuthenticator.configEntry("acme", Role.INGEST, INGEST_TOKEN),
        TokenAuthenticator.configEntry("acme", "mobile", Role.INGEST, SUITE_TOKEN),
        TokenAuthenticator.configEntry("acme", Role.READ, READ_TOKEN),
        TokenAuthenticator.configEntry("acme", Role.ADMIN, ADMIN_TOKEN));
    appConfig = new TestpulseConfig(props);
    topics = appConfig.topics();
    app = fixture.startApp(props);
  }

  // ---- fixtures land with the right identity, result, duration, tags ----

  @Test
  void shouldLandEveryResultWhenAJestStyleUploadIsPosted() throws Exception {
    String key = "jest-" + UUID.randomUUID();
    String body = fixture("jest-upload.json").replace("ci-jest-run-1042-1", key);

    JsonNode receipt = accepted(postJson("/v1/uploads", body, INGEST_TOKEN));

    assertThat(receipt.path("queued").asInt()).isEqualTo(3);
    assertThat(receipt.path("skipped").asInt()).isZero();
    assertThat(receipt.path("id").asText()).isNotBlank();
    List<TestExecution> landed = landed(e -> e.getRun().getKey().equals(key), 3);
    TestExecution failed = only(landed, "computes the total");
    assertThat(failed.getExecutionId()).isEqualTo("0b7a4b58-1c39-4bd5-8a4e-7d0f33a1a002");
    assertThat(failed.getTestId()).isEqualTo(TestKeys.testId("acme", "default", "Cart", "computes the total"));
    assertThat(failed.getResult()).isEqualTo(Result.FAILED);
    assertThat(failed.getDurationMicros()).isEqualTo(241_000);
    assertThat(failed.getFailureReason()).startsWith("expect(received)");
    assertThat(failed.getRun().getBranch()).isEqualTo("main");
    assertThat(failed.getRun().getCi()).isEqualTo("github_actions");
    assertThat(failed.getRun().getNumber()).isEqualTo("1042");
    assertThat(failed.getLocation()).isEqualTo("src/cart.test.js:30");
    assertThat(only(landed, "applies a coupon").getResult()).isEqualTo(Result.SKIPPED);
    assertThat(failed.getEventTime().toEpochMilli()).isGreaterThan(System.currentTimeMillis() - 600_000);
  }

  @Test
  void shouldOverlayUploadTagsWithExecutionTagsWhenARubyStyleUploadIsPosted() throws Exception {
    String key = "rspec-" + UUID.randomUUID();
    String body = fixture("rspec-upload.json").replace("f4a5b6c7-0000-4000-8000-00000000rspec", key)
        .replace("rspec00000", key.substring(6, 16));

    JsonNode receipt = accepted(postJson("/api/v1/uploads", body, SUITE_TOKEN));

    assertThat(receipt.path("queued").asInt()).isEqualTo(3);
    List<TestExecution> landed = landed(e -> e.getRun().getKey().equals(key), 3);
    TestExecution sums = only(landed, "sums the lines");
    assertThat(sums.getSuite()).as("the token's suite").isEqualTo("mobile");
    assertThat(sums.getExecutionId()).as("external_id").startsWith("7d8c4c2e-5b2a-4f55-9e0b-");
    assertThat(sums.getTags()).containsEntry("instance_type", "c5.xlarge").containsEntry("ruby.version", "3.3.0");
    assertThat(sums.getDurationMicros()).isEqualTo(81_681);
    assertThat(only(landed, "applies tax").getResult()).isEqualTo(Result.PENDING);
    assertThat(only(landed, "applies tax").getTags()).containsEntry("instance_type", "c5.large");
  }

  @Test
  void shouldLandAPytestStyleUploadWhenSentGzipped() throws Exception {
    String key = "pytest-" + UUID.randomUUID();
    byte[] body = gzip(fixture("pytest-upload.json").replace("0190a0b2-1111-7000-8000-000000000042", key)
        .replace("5d1e6f0a-0000-4000-8000-", key.substring(0, 24)).getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> response = post("/v1/uploads", "application/json", body, INGEST_TOKEN, Map.of("Content-Encoding", "gzip"));

    assertThat(accepted(response).path("queued").asInt()).isEqualTo(2);
    List<TestExecution> landed = landed(e -> e.getRun().getKey().equals(key), 2);
    TestExecution bad = only(landed, "test_bad_password");
    assertThat(bad.getRun().getCi()).as("lowercase ci").isEqualTo("buildkite");
    assertThat(bad.getRun().getBranch()).isEqualTo("feature/login");
    assertThat(bad.getTags()).containsEntry("python.version", "3.12").containsEntry("host.arch", "arm64");
    assertThat(bad.getScope()).isEqualTo("tests/test_login.py::TestLogin");
  }

  @Test
  void shouldLandTheRealCollectorPayloadsWhenSentAsBareArraysInMultipart() throws Exception {
    for (String name : List.of("test-engine-result.json", "custom-test-result.json", "pytest-result-failed.json")) {
      String key = name + "-" + UUID.randomUUID();
      String data = fixture(name).replace("db2c4ffa-efee-4b6a-b293-a4c4168aa353", UUID.randomUUID().toString())
          .replace("95f7e024-9e0a-450f-bc64-9edb62d43fa9", UUID.randomUUID().toString())
          .replace("a1be7e52-0dba-4018-83ce-a1598ca68807", UUID.randomUUID().toString());
      int expected = JSON.readTree(data).size();

      HttpResponse<String> response = multipart("/v1/uploads", INGEST_TOKEN, Map.of("format", "json",
          "run_env[CI]", "buildkite", "run_env[key]", key, "tags[arch]", "amd64"), name, data.getBytes(StandardCharsets.UTF_8));

      assertThat(accepted(response).path("queued").asInt()).as(name).isEqualTo(expected);
      List<TestExecution> landed = landed(e -> e.getRun().getKey().equals(key), expected);
      assertThat(landed).allSatisfy(e -> assertThat(e.getTags()).containsEntry("arch", "amd64"));
      assertThat(landed).allSatisfy(e -> assertThat(e.getExecutionId()).isNotBlank());
    }
  }

  @Test
  void shouldTurnSurefireRerunsIntoAttemptsWhenJunitXmlIsUploaded() throws Exception {
    String key = "surefire-" + UUID.randomUUID();

    HttpResponse<String> response = multipart("/v1/uploads", INGEST_TOKEN, Map.of("format", "junit",
        "run_env[CI]", "github_actions", "run_env[key]", key, "run_env[branch]", "refs/heads/release/1.2",
        "tags[os]", "linux"), "TEST-com.acme.shop.CartTest.xml", fixture("surefire-reruns.xml").getBytes(StandardCharsets.UTF_8));

    assertThat(accepted(response).path("queued").asInt()).isEqualTo(8);
    List<TestExecution> landed = landed(e -> e.getRun().getKey().equals(key), 8);
    assertThat(landed.stream().filter(e -> e.getName().equals("checksOut"))
        .map(e -> e.getResult() + "#" + e.getAttempt()).sorted().toList())
        .containsExactly("FAILED#0", "FAILED#1", "FAILED#2");
    assertThat(landed.stream().filter(e -> e.getName().equals("computesTotal"))
        .map(e -> e.getResult() + "#" + e.getAttempt()).sorted().toList())
        .containsExactly("FAILED#0", "PASSED#1");
    TestExecution adds = only(landed, "addsItem");
    assertThat(adds.getScope()).isEqualTo("com.acme.shop.CartTest");
    assertThat(adds.getDurationMicros()).isEqualTo(12_000);
    assertThat(adds.getRun().getBranch()).isEqualTo("release/1.2");
    assertThat(adds.getTags()).containsEntry("os", "linux");
    assertThat(landed.stream().map(TestExecution::getExecutionId).distinct().count()).isEqualTo(8);
  }

  @Test
  void shouldLandPytestJunitXmlWhenPostedAsAnXmlBody() throws Exception {
    String key = "pytest-xml-" + UUID.randomUUID();

    HttpResponse<String> response = post("/v1/uploads?run_env%5Bkey%5D=" + key, "application/xml",
        fixture("pytest-result-failed.xml").getBytes(StandardCharsets.UTF_8), INGEST_TOKEN, Map.of());

    assertThat(accepted(response).path("queued").asInt()).isEqualTo(1);
    TestExecution e = landed(x -> x.getRun().getKey().equals(key), 1).get(0);
    assertThat(e.getScope()).isEqualTo("tests.failed_test");
    assertThat(e.getResult()).isEqualTo(Result.FAILED);
    assertThat(e.getDurationMicros()).isEqualTo(12_000);
  }

  // ---- de-duplication and attempts, through the topology ----

  @Test
  void shouldCountOnceWhenTheSameUploadIsSentTwice() throws Exception {
    String key = "twice-" + UUID.randomUUID();
    String scope = "Twice" + UUID.randomUUID();
    String body = envelope(key, "{\"scope\":\"" + scope + "\",\"name\":\"runs\",\"result\":\"passed\",\"history\":{\"duration\":0.5}}");
    JsonNode first = accepted(postJson("/v1/uploads", body, INGEST_TOKEN));
    JsonNode second = accepted(postJson("/v1/uploads", body, INGEST_TOKEN));
    assertThat(second.path("id").asText()).isEqualTo(first.path("id").asText());
    // a marker on the same test (same partition, processed after both copies) in another run
    accepted(postJson("/v1/uploads", envelope("marker-" + key,
        "{\"scope\":\"" + scope + "\",\"name\":\"runs\",\"result\":\"failed\",\"history\":{\"duration\":0.5}}"), INGEST_TOKEN));

    JsonNode stats = awaitTest(TestKeys.testId("acme", "default", scope, "runs"), s -> s.path("failed").asLong() == 1);

    assertThat(stats.path("passed").asLong()).as("the re-sent upload counted once").isEqualTo(1);
    assertThat(stats.path("executions").asLong()).isEqualTo(2);
    double dropped = app.streams().metrics().entrySet().stream()
        .filter(m -> m.getKey().name().equals("dropped-duplicates-total"))
        .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue()).sum();
    assertThat(dropped).as("duplicates counted in the Kafka Streams metric").isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void shouldCountBothWhenARetriedJobOfTheSameRunUploadsSeparately() throws Exception {
    String key = "retried-" + UUID.randomUUID();
    String scope = "Retried" + UUID.randomUUID();
    String job1 = "<testsuite><testcase classname='" + scope + "' name='flaps' time='0.101'><failure message='boom'/></testcase></testsuite>";
    String job2 = "<testsuite><testcase classname='" + scope + "' name='flaps' time='0.099'/></testsuite>";

    accepted(post("/v1/uploads?format=junit&run_env%5Bkey%5D=" + key, "application/xml", job1.getBytes(StandardCharsets.UTF_8),
        INGEST_TOKEN, Map.of()));
    accepted(post("/v1/uploads?format=junit&run_env%5Bkey%5D=" + key, "application/xml", job2.getBytes(StandardCharsets.UTF_8),
        INGEST_TOKEN, Map.of()));

    JsonNode stats = awaitTest(TestKeys.testId("acme", "default", scope, "flaps"), s -> s.path("executions").asLong() == 2);
    assertThat(stats.path("passed").asLong()).isEqualTo(1);
    assertThat(stats.path("failed").asLong()).isEqualTo(1);
  }

  // ---- bad inputs: the right 4xx, and nothing valid lost ----

  @Test
  void shouldRejectOnlyTheRecordWhenItHasNoNameOrDuration() throws Exception {
    String key = "partial-" + UUID.randomUUID();
    String body = envelope(key,
        "{\"scope\":\"P\",\"name\":\"good one\",\"result\":\"passed\",\"history\":{\"duration\":0.1}}",
        "{\"scope\":\"P\",\"result\":\"passed\",\"history\":{\"duration\":0.1}}",
        "{\"scope\":\"P\",\"name\":\"no duration\",\"result\":\"passed\",\"history\":{\"start_at\":1}}",
        "{\"scope\":\"P\",\"name\":\"good two\",\"result\":\"failed\",\"history\":{\"duration\":0.2}}");

    JsonNode receipt = accepted(postJson("/v1/uploads", body, INGEST_TOKEN));

    assertThat(receipt.path("queued").asInt()).isEqualTo(2);
    assertThat(receipt.path("skipped").asInt()).isEqualTo(2);
    assertThat(receipt.path("errors").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(receipt.path("errors").get(0).path("reason").asText()).contains("name");
    assertThat(receipt.path("errors").get(1).path("index").asInt()).isEqualTo(2);
    assertThat(receipt.path("errors").get(1).path("reason").asText()).contains("duration");
    assertThat(landed(e -> e.getRun().getKey().equals(key), 2)).extracting(TestExecution::getName)
        .containsExactlyInAnyOrder("good one", "good two");
  }

  @Test
  void shouldAnswerBadRequestWhenTheJsonIsInvalid() throws Exception {
    HttpResponse<String> response = postJson("/v1/uploads", "{\"format\":\"json\",\"data\":[{\"name\":\"a\",]}", INGEST_TOKEN);

    assertProblem(response, 400, "invalid JSON");
  }

  @Test
  void shouldAnswerUnsupportedMediaTypeWhenTheContentTypeIsWrong() throws Exception {
    HttpResponse<String> response = post("/v1/uploads", "text/plain", "hello".getBytes(StandardCharsets.UTF_8),
        INGEST_TOKEN, Map.of());

    assertProblem(response, 415, "text/plain");
  }

  @Test
  void shouldAnswerBadRequestWhenTheGzipBodyIsTruncated() throws Exception {
    byte[] full = gzip(envelope("trunc", "{\"name\":\"a\",\"history\":{\"duration\":1}}").getBytes(StandardCharsets.UTF_8));
    byte[] truncated = Arrays.copyOf(full, full.length / 2);

    HttpResponse<String> response = post("/v1/uploads", "application/json", truncated, INGEST_TOKEN,
        Map.of("Content-Encoding", "gzip"));

    assertProblem(response, 400, "gzip");
  }

  @Test
  void shouldAnswerContentTooLargeNamingTheLimitWhenThereAre5001Results() throws Exception {
    String key = "many-" + UUID.randomUUID();
    String record = "{\"scope\":\"M\",\"name\":\"t\",\"result\":\"passed\",\"history\":{\"duration\":0.1}}";
    String body = envelope(key, java.util.Collections.nCopies(5001, record).toArray(String[]::new));

    HttpResponse<String> response = postJson("/v1/uploads", body, INGEST_TOKEN);

    assertProblem(response, 413, "5000");
  }

  @Test
  void shouldAnswerContentTooLargeWhenTheBodyIs40Megabytes() throws Exception {
    byte[] body = new byte[40 * 1024 * 1024];
    Arrays.fill(body, (byte) ' ');
    body[0] = '[';
    body[body.length - 1] = ']';

    HttpResponse<String> response = post("/v1/uploads", "application/json", body, INGEST_TOKEN, Map.of());

    assertProblem(response, 413, "testpulse.ingest.max.body.bytes");
  }

  @Test
  void shouldAnswerContentTooLargeWhenAnOversizedBodyIsStreamedWithoutALength() throws Exception {
    byte[] chunk = new byte[1024 * 1024];
    Arrays.fill(chunk, (byte) ' ');
    HttpRequest json = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/uploads")).timeout(Duration.ofSeconds(90))
        .header("Authorization", "Bearer " + INGEST_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
            java.util.Collections.enumeration(java.util.Collections.nCopies(40, chunk).stream()
                .map(java.io.ByteArrayInputStream::new).toList())))).build();
    String boundary = "----testpulse-chunked";
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"big.json\"\r\n\r\n[")
        .getBytes(StandardCharsets.UTF_8);
    HttpRequest multipart = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/uploads")).timeout(Duration.ofSeconds(90))
        .header("Authorization", "Bearer " + INGEST_TOKEN).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
            java.util.Collections.enumeration(java.util.stream.Stream.concat(java.util.stream.Stream.of(head),
                java.util.Collections.nCopies(40, chunk).stream()).map(java.io.ByteArrayInputStream::new).toList()))))
        .build();

    assertProblem(HTTP.send(json, HttpResponse.BodyHandlers.ofString()), 413, "testpulse.ingest.max.body.bytes");
    assertProblem(HTTP.send(multipart, HttpResponse.BodyHandlers.ofString()), 413, "testpulse.ingest.max.body.bytes");
  }

  @Test
  void shouldAnswerBadRequestWhenTheFormatIsUnknown() throws Exception {
    HttpResponse<String> response = postJson("/v1/uploads",
        "{\"format\":\"tap\",\"run_env\":{\"key\":\"k\"},\"data\":[]}", INGEST_TOKEN);
    HttpResponse<String> multipart = multipart("/v1/uploads", INGEST_TOKEN, Map.of("format", "xunit"), "r.xml",
        "<testsuite/>".getBytes(StandardCharsets.UTF_8));

    assertProblem(response, 400, "unknown format 'tap'");
    assertProblem(multipart, 400, "unknown format 'xunit'");
  }

  @Test
  void shouldAnswerBadRequestWhenTheXmlHasAnExternalEntity() throws Exception {
    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        + "<testsuite><testcase classname=\"a\" name=\"&xxe;\" time=\"1\"/></testsuite>";

    HttpResponse<String> response = multipart("/v1/uploads", INGEST_TOKEN, Map.of("format", "junit"), "evil.xml",
        xxe.getBytes(StandardCharsets.UTF_8));

    assertProblem(response, 400, "DOCTYPE");
  }

  @Test
  void shouldAcceptA25MegabyteUploadWhenItIsUnderTheLimits() throws Exception {
    String key = "big-" + UUID.randomUUID();
    String reason = "r".repeat(5_000);
    List<String> records = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      records.add("{\"scope\":\"Big\",\"name\":\"t" + (i % 50) + "\",\"result\":\"failed\",\"failure_reason\":\"" + reason
          + "\",\"history\":{\"duration\":0.01}}");
    }
    String body = envelope(key, records.toArray(String[]::new));
    assertThat(body.length()).isGreaterThan(25_000_000);

    JsonNode receipt = accepted(postJson("/v1/uploads", body, INGEST_TOKEN));

    assertThat(receipt.path("queued").asInt()).isEqualTo(5000);
    TestExecution one = landed(e -> e.getRun().getKey().equals(key), 5000).get(0);
    assertThat(one.getFailureReason().getBytes(StandardCharsets.UTF_8)).hasSize(1024);
  }

  // ---- auth ----

  @Test
  void shouldRequireAnIngestTokenWhenUploading() throws Exception {
    String body = envelope("auth-" + UUID.randomUUID(), "{\"name\":\"a\",\"history\":{\"duration\":1}}");

    assertThat(postJson("/v1/uploads", body, null).statusCode()).isEqualTo(401);
    assertThat(postJson("/v1/uploads", body, "wrong").statusCode()).isEqualTo(401);
    assertThat(postJson("/api/v1/uploads", body, READ_TOKEN).statusCode()).isEqualTo(403);
    assertThat(postJson("/v1/uploads", body, READ_TOKEN).statusCode()).isEqualTo(403);
    assertThat(postJson("/v1/uploads", body, ADMIN_TOKEN).statusCode()).isEqualTo(202);
    HttpRequest buildkiteStyle = HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/uploads"))
        .header("Authorization", "Token token=\"" + INGEST_TOKEN + "\"").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    assertThat(HTTP.send(buildkiteStyle, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
    assertThat(get("/api/v1/tests/" + "0".repeat(32), INGEST_TOKEN).statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/tests/" + "0".repeat(32), READ_TOKEN).statusCode()).isEqualTo(404);
  }

  // ---- the command-line uploader ----

  @Test
  void shouldUploadASurefireFolderAndJsonFilesInChunksWhenTheUploaderRuns(@TempDir Path reports) throws Exception {
    Files.writeString(reports.resolve("TEST-com.acme.shop.CartTest.xml"), fixture("surefire-reruns.xml"));
    Files.writeString(reports.resolve("TEST-pytest.xml"), fixture("pytest-result-passed.xml"));
    Files.writeString(reports.resolve("ignored.txt"), "not a report");
    Path json = reports.resolve("results.json");
    Files.writeString(json, fixture("custom-test-result.json"));
    String key = "cli-" + UUID.randomUUID();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = UploadCommand.run(List.of("--run-key", key, "--max-results", "4", "--tag", "os=linux",
        reports.toString(), json.toString()), Map.of("TESTPULSE_URL", baseUrl(), "TESTPULSE_INGEST_TOKEN", INGEST_TOKEN,
        "BUILDKITE_BUILD_ID", "ignored-by-flag", "BUILDKITE_BRANCH", "main"),
        new java.io.PrintStream(out, true, StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("11 result(s) queued, 0 rejected, in 3 request(s)");
    List<TestExecution> landed = landed(e -> e.getRun().getKey().equals(key), 11);
    assertThat(landed).allSatisfy(e -> {
      assertThat(e.getTags()).containsEntry("os", "linux");
      assertThat(e.getRun().getCi()).isEqualTo("buildkite");
      assertThat(e.getRun().getBranch()).isEqualTo("main");
    });
    assertThat(landed).extracting(TestExecution::getName).contains("checksOut", "test_happy", "happy");
  }

  @Test
  void shouldExitNonZeroWhenTheServerRejectsAResult(@TempDir Path dir) throws Exception {
    Path xml = dir.resolve("no-time.xml");
    Files.writeString(xml, "<testsuite><testcase classname='C' name='timed' time='0.1'/>"
        + "<testcase classname='C' name='untimed'/></testsuite>");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = UploadCommand.run(List.of("--url", baseUrl(), "--token", INGEST_TOKEN, xml.toString()), Map.of(),
        new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("result 1 of request 1 rejected").contains("duration");
  }

  @Test
  void shouldGuardUploadsUnderThePluginsPathPrefixWhenMountedInAnotherApp() throws Exception {
    try (IngestService ingest = IngestService.create(appConfig)) {
      Javalin http = Javalin.create(j -> {
        j.startup.showJavalinBanner = false;
        j.registerPlugin(new TestpulsePlugin(tp -> {
          tp.queries = new TestpulseQueries(app.streams(), HostInfo.unavailable());
          tp.authenticator = TokenAuthenticator.fromConfig(appConfig.getList(TestpulseConfig.AUTH_TOKENS_CONFIG));
          tp.ingest = ingest;
          tp.pathPrefix = "/tp";
        }));
      }).start("127.0.0.1", 0);
      try {
        String base = "http://127.0.0.1:" + http.port();
        String body = envelope("prefixed-" + UUID.randomUUID(), "{\"name\":\"a\",\"history\":{\"duration\":1}}");
        java.util.function.BiFunction<String, String, Integer> status = (path, token) -> {
          try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

        assertThat(status.apply("/tp/v1/uploads", READ_TOKEN)).isEqualTo(403);
        assertThat(status.apply("/tp/api/v1/uploads", READ_TOKEN)).isEqualTo(403);
        assertThat(status.apply("/tp/v1/uploads", INGEST_TOKEN)).isEqualTo(202);
        assertThat(status.apply("/tp/api/v1/uploads", INGEST_TOKEN)).isEqualTo(202);
        assertThat(status.apply("/v1/uploads", INGEST_TOKEN)).isEqualTo(404);
      } finally {
        http.stop();
      }
    }
  }

  // ---- Kafka cannot take the records: 503, never 202 ----

  @Test
  void shouldAnswerServiceUnavailableWhenKafkaCannotTakeTheRecords() throws Exception {
    TestpulseConfig config = new TestpulseConfig(Map.of(
        "bootstrap.servers", kafka.bootstrapServers(),
        TestpulseConfig.TOPIC_PREFIX_CONFIG, "no-such-topics",
        TestpulseConfig.INGEST_ACK_TIMEOUT_MS_CONFIG, "1500"));
    try (IngestService unavailable = IngestService.create(config)) {
      Javalin http = Javalin.create(j -> {
        j.startup.showJavalinBanner = false;
        j.registerPlugin(new TestpulsePlugin(tp -> {
          tp.queries = new TestpulseQueries(app.streams(), HostInfo.unavailable());
          tp.authenticator = TokenAuthenticator.fromConfig(List.of(TokenAuthenticator.configEntry("acme", Role.INGEST,
              INGEST_TOKEN)));
          tp.ingest = unavailable;
        }));
      }).start("127.0.0.1", 0);
      try {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/v1/uploads"))
            .header("Authorization", "Bearer " + INGEST_TOKEN).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(envelope("down", "{\"name\":\"a\",\"history\":{\"duration\":1}}")))
            .build();

        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      } finally {
        http.stop();
      }
    }
  }

  // ---- helpers ----

  private static String envelope(String runKey, String... records) {
    return "{\"format\":\"json\",\"run_env\":{\"CI\":\"buildkite\",\"key\":\"" + runKey + "\"},\"data\":["
        + String.join(",", records) + "]}";
  }

  private static TestExecution only(List<TestExecution> executions, String name) {
    List<TestExecution> named = executions.stream().filter(e -> e.getName().equals(name)).toList();
    assertThat(named).as(name).hasSize(1);
    return named.get(0);
  }

  private static String fixture(String name) throws Exception {
    try (InputStream in = IngestIT.class.getResourceAsStream("/uploads/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static JsonNode accepted(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body());
  }

  private static void assertProblem(HttpResponse<String> response, int status, String detail) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(response.body()).path("detail").asText()).contains(detail);
  }

  /** Reads the whole input topic until {@code expected} executions match, then returns them. */
  private static List<TestExecution> landed(Predicate<TestExecution> filter, int expected) {
    List<TestExecution> all = new ArrayList<>();
    try (KafkaConsumer<String, TestExecution> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), topics.executions().keySerde().deserializer(),
        topics.executions().valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topics.executions().name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          if (filter.test(r.value())) {
            assertThat(r.key()).isEqualTo(TestKeys.key(r.value().getTenant(), r.value().getTestId()));
            all.add(r.value());
          }
        });
        return all.size() >= expected;
      });
    }
    assertThat(all).hasSize(expected);
    return all;
  }

  private static JsonNode awaitTest(String testId, Predicate<JsonNode> condition) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      HttpResponse<String> response = get("/api/v1/tests/" + testId, READ_TOKEN);
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }, s -> s != null && condition.test(s));
  }

  private static String baseUrl() {
    return "http://localhost:" + app.httpPort();
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    return AppFixture.get(app, path, token);
  }

  private static HttpResponse<String> postJson(String path, String body, String token) throws Exception {
    return post(path, "application/json", body.getBytes(StandardCharsets.UTF_8), token, Map.of());
  }

  private static HttpResponse<String> post(String path, String contentType, byte[] body, String token,
      Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(90))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> multipart(String path, String token, Map<String, String> fields, String fileName,
      byte[] data) throws Exception {
    String boundary = "----testpulse" + UUID.randomUUID();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> field : fields.entrySet()) {
      out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey() + "\"\r\n\r\n"
          + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"" + fileName
        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.write(data);
    out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return post(path, "multipart/form-data; boundary=" + boundary, out.toByteArray(), token, Map.of());
  }

  static String describe(List<TestExecution> executions) {
    return executions.stream().map(e -> e.getName() + ":" + e.getResult()).collect(Collectors.joining(", "));
  }
}
