package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestKeys;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buildkite's test client ({@code bktec}) against testpulse on a real broker: durations uploaded in the
 * Buildkite collector format, then the endpoints driven exactly as the client drives them (its paths,
 * query parameters, {@code Authorization: Bearer}, {@code Content-Type: application/json}, its bodies,
 * and its retry of 409, 429 and 5xx): N nodes get disjoint plans covering every file, balanced within
 * 10% of the lower bound; quarantined tests reach the runner as muted or skipped; a second node gets the
 * same plan.
 */
class TestPlanIT {

  private static final String ORG = "acme";
  private static final String SUITE = "checkout";
  private static final String CI_TOKEN = "ci-" + UUID.randomUUID();
  private static final String ADMIN_TOKEN = "admin-" + UUID.randomUUID();
  private static final String READ_TOKEN = "read-" + UUID.randomUUID();
  private static final String USER_AGENT = "Buildkite Test Engine Client/2.9.0 (linux/amd64)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int FILES = 60;
  private static final int NODES = 4;

  @TempDir
  static Path stateDir;

  @AutoClose
  private static AppFixture fixture;
  private static TestpulseApp app;
  /** file path (as the runner names it) to its tests' names and durations in ms, in order. */
  private static final Map<String, LinkedHashMap<String, Long>> SUITE_FILES = new LinkedHashMap<>();
  private static String mutedName;
  private static String skippedName;
  private static String skippedFile;

  @BeforeAll
  static void start() throws Exception {
    fixture = AppFixture.start(stateDir);
    Properties props = fixture.appSettings("plan-it-" + UUID.randomUUID(), "plan-it", "streams",
        TokenAuthenticator.configEntry(ORG, SUITE, Role.INGEST, CI_TOKEN), // a suite's token, as in Buildkite
        TokenAuthenticator.configEntry(ORG, Role.ADMIN, ADMIN_TOKEN),
        TokenAuthenticator.configEntry(ORG, Role.READ, READ_TOKEN));
    app = fixture.startApp(props);

    // a long-tailed suite: most files take a second or two, a few take a minute
    Random random = new Random(17);
    for (int f = 0; f < FILES; f++) {
      LinkedHashMap<String, Long> tests = new LinkedHashMap<>();
      int count = 1 + random.nextInt(8);
      for (int t = 0; t < count; t++) {
        long ms = Math.max(5, Math.round(Math.exp(random.nextGaussian() + 5.5)));
        tests.put("case " + f + "." + t, f % 20 == 7 ? ms * 40 : ms);
      }
      SUITE_FILES.put("spec/models/m" + f + "_spec.rb", tests);
    }
    mutedName = SUITE_FILES.get("spec/models/m3_spec.rb").keySet().iterator().next();
    skippedFile = "spec/models/m11_spec.rb";
    skippedName = SUITE_FILES.get(skippedFile).keySet().iterator().next();

    for (int run = 0; run < 2; run++) {
      HttpResponse<String> upload = send("POST", "/v1/uploads", CI_TOKEN, collectorUpload("run-" + run));
      assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
    }
    // durations are measured asynchronously: wait until every file's estimate is what was uploaded
    ObjectNode timingsRequest = JSON.createObjectNode();
    ArrayNode paths = timingsRequest.putArray("paths");
    SUITE_FILES.keySet().forEach(paths::add);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      JsonNode timings = JSON.readTree(bktec("POST", "/test_files", timingsRequest.toString()).body());
      for (Map.Entry<String, LinkedHashMap<String, Long>> file : SUITE_FILES.entrySet()) {
        long expected = file.getValue().values().stream().mapToLong(Long::longValue).sum();
        assertThat(timings.path(file.getKey()).asLong(-1)).as("%s in %s", file.getKey(), timings)
            .isCloseTo(expected, org.assertj.core.data.Offset.offset((long) file.getValue().size()));
      }
    });
  }

  /** The Buildkite collector format (what test-collector-ruby posts), every test once. */
  private static String collectorUpload(String runKey) {
    ObjectNode body = JSON.createObjectNode();
    body.put("format", "json");
    ObjectNode env = body.putObject("run_env");
    env.put("CI", "buildkite");
    env.put("key", runKey);
    env.put("branch", "main");
    env.put("commit_sha", "c0ffee");
    ArrayNode data = body.putArray("data");
    SUITE_FILES.forEach((file, tests) -> {
      int line = 3;
      for (Map.Entry<String, Long> test : tests.entrySet()) {
        ObjectNode d = data.addObject();
        d.put("id", UUID.randomUUID().toString());
        d.put("scope", "Models");
        d.put("name", test.getKey());
        d.put("location", "./" + file + ":" + line);
        d.put("file_name", "./" + file);
        d.put("result", "passed");
        d.putObject("history").put("section", "top").put("duration", test.getValue() / 1000.0);
        line += 7;
      }
    });
    return body.toString();
  }

  @Test
  void shouldGiveEveryNodeTheSameBalancedPlanWithQuarantinesWhenBktecAsksForIt() throws Exception {
    quarantine(mutedName, "mute");
    quarantine(skippedName, "skip");
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(names(bktec("GET", "/tests/muted", null))).contains(mutedName);
      assertThat(names(bktec("GET", "/tests/skipped", null))).contains(skippedName);
    });
    String identifier = "build-" + UUID.randomUUID() + "/step-rspec";

    // node 0, as bktec run does: fetch, then filter and create
    HttpResponse<String> missing = bktec("GET", planPath(identifier, 0), null);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).path("message").asText()).contains("no test plan");
    List<String> split = filterTests();
    assertThat(split).as("the file holding a skipped test is split by example").contains(skippedFile);
    JsonNode plan = JSON.readTree(createPlan(identifier, split, NODES).body());

    assertThat(plan.path("identifier").asText()).isEqualTo(identifier);
    assertThat(plan.path("parallelism").asInt()).isEqualTo(NODES);
    assertCoversEveryFileOnce(plan, split);
    assertBalanced(plan);
    assertThat(testCases(plan.path("muted_tests"))).contains("Models/" + mutedName);
    assertThat(testCases(plan.path("skipped_tests"))).contains("Models/" + skippedName);

    // node 1 (and a retried job) find the stored plan
    HttpResponse<String> second = bktec("GET", planPath(identifier, 1), null);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(second.body())).isEqualTo(plan);
    assertThat(JSON.readTree(createPlan(identifier, split, NODES).body())).as("a late creation").isEqualTo(plan);
    assertThat(bktec("POST", "/test_plan_metadata", "{\"version\":\"2.9.0\",\"env\":{},\"timeline\":[],"
        + "\"statistics\":{}}").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAgreeOnOnePlanWhenNodesCreateItConcurrently() throws Exception {
    String identifier = "build-" + UUID.randomUUID();
    List<String> split = filterTests();
    List<CompletableFuture<JsonNode>> nodes = new ArrayList<>();
    for (int node = 0; node < NODES; node++) {
      nodes.add(CompletableFuture.supplyAsync(() -> {
        try {
          return JSON.readTree(createPlan(identifier, split, NODES).body());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    Set<JsonNode> plans = new HashSet<>();
    for (CompletableFuture<JsonNode> node : nodes) {
      plans.add(node.get());
    }
    assertThat(plans).hasSize(1);
  }

  @Test
  void shouldPickTheParallelismWhenTargetTimeAndMaxParallelismAreGiven() throws Exception {
    long total = SUITE_FILES.values().stream().flatMap(t -> t.values().stream()).mapToLong(Long::longValue).sum();
    ObjectNode request = planRequest("build-" + UUID.randomUUID(), List.of(), 0);
    request.put("max_parallelism", 20);
    request.put("target_time", total / 1000.0 / 3); // seconds: at least 3 nodes

    JsonNode plan = JSON.readTree(withRetry("POST", "/test_plan", request.toString()).body());

    int nodes = plan.path("parallelism").asInt();
    assertThat(nodes).isBetween(3, 20);
    assertThat(plan.path("tasks").size()).isEqualTo(nodes);
  }

  @Test
  void shouldRefuseWhenTheTokenOrTheOrganizationMayNotDoIt() throws Exception {
    String body = planRequest("build-" + UUID.randomUUID(), List.of(), NODES).toString();

    HttpResponse<String> read = send("POST", base(ORG) + "/test_plan", READ_TOKEN, body);
    assertThat(read.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(read.body()).path("message").asText()).contains("may not create test plans");
    assertThat(send("GET", base("globex") + "/tests/muted", CI_TOKEN, null).statusCode()).isEqualTo(404);
    assertThat(send("PUT", base(ORG) + "/tests/" + TestKeys.testId(ORG, SUITE, "Models", mutedName) + "/skip",
        CI_TOKEN, "{}").statusCode()).isEqualTo(403);
    assertThat(send("GET", base(ORG) + "/test_plan?identifier=x", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> contradiction = send("PUT", base(ORG) + "/tests/"
        + TestKeys.testId(ORG, SUITE, "Models", mutedName) + "/mute", ADMIN_TOKEN, "{\"mode\":\"skip\"}");
    assertThat(contradiction.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(contradiction.body()).path("message").asText()).contains("mode");
    HttpResponse<String> bad = bktec("POST", "/test_plan", "{\"identifier\":\"x\",\"parallelism\":-1,\"tests\":{}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).path("message").asText()).contains("parallelism");
  }

  // ---- what bktec sends ----

  private static List<String> filterTests() throws Exception {
    ObjectNode request = JSON.createObjectNode();
    ArrayNode files = request.putArray("files");
    SUITE_FILES.keySet().forEach(path -> files.addObject().put("path", path));
    ObjectNode env = request.putObject("env");
    env.put("BUILDKITE_BUILD_ID", UUID.randomUUID().toString());
    env.put("BUILDKITE_PARALLEL_JOB", 0);
    env.put("BUILDKITE_PARALLEL_JOB_COUNT", NODES);
    env.put("BUILDKITE_TEST_ENGINE_SUITE_SLUG", SUITE);
    env.put("BUILDKITE_TEST_ENGINE_TEST_RUNNER", "rspec");
    HttpResponse<String> response = withRetry("POST", "/test_plan/filter_tests", request.toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> split = new ArrayList<>();
    JSON.readTree(response.body()).path("tests").forEach(t -> split.add(t.path("path").asText()));
    return split;
  }

  private static HttpResponse<String> createPlan(String identifier, List<String> split, int parallelism)
      throws Exception {
    HttpResponse<String> response = withRetry("POST", "/test_plan", planRequest(identifier, split, parallelism)
        .toString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  /** Files run whole, and the examples of the split files as rspec names them ({@code file[1:n]}). */
  private static ObjectNode planRequest(String identifier, List<String> split, int parallelism) {
    ObjectNode request = JSON.createObjectNode();
    request.put("runner", "rspec");
    request.put("identifier", identifier);
    request.put("parallelism", parallelism);
    request.put("branch", "main");
    ObjectNode tests = request.putObject("tests");
    ArrayNode files = tests.putArray("files");
    ArrayNode examples = tests.putArray("examples");
    SUITE_FILES.forEach((path, cases) -> {
      if (!split.contains(path)) {
        files.addObject().put("path", path);
        return;
      }
      int n = 1;
      for (String name : cases.keySet()) {
        String id = path + "[1:" + n++ + "]";
        examples.addObject().put("format", "example").put("identifier", id).put("name", name).put("path", id)
            .put("scope", "Models");
      }
    });
    request.putObject("metadata").put("git_diff", "");
    return request;
  }

  // ---- what must hold ----

  private static void assertCoversEveryFileOnce(JsonNode plan, List<String> split) {
    List<String> planned = new ArrayList<>();
    for (int node = 0; node < NODES; node++) {
      JsonNode task = plan.path("tasks").path(Integer.toString(node));
      assertThat(task.path("node_number").asInt()).isEqualTo(node);
      task.path("tests").forEach(t -> planned.add(t.path("format").asText().equals("file") ? t.path("path").asText()
          : t.path("scope").asText() + "/" + t.path("name").asText()));
    }
    List<String> expected = new ArrayList<>();
    SUITE_FILES.forEach((path, cases) -> {
      if (split.contains(path)) {
        cases.keySet().stream().filter(name -> !name.equals(skippedName)).forEach(name -> expected.add("Models/" + name));
      } else {
        expected.add(path);
      }
    });
    assertThat(planned).as("every file (or example) on exactly one node; the skipped test on none")
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static void assertBalanced(JsonNode plan) {
    Map<String, Long> measured = new HashMap<>();
    SUITE_FILES.forEach((path, cases) -> {
      measured.put(path, cases.values().stream().mapToLong(Long::longValue).sum());
      cases.forEach((name, ms) -> measured.put("Models/" + name, ms));
    });
    long total = 0;
    long longest = 0;
    long slowest = 0;
    for (int node = 0; node < NODES; node++) {
      long sum = 0;
      for (JsonNode t : plan.path("tasks").path(Integer.toString(node)).path("tests")) {
        String key = t.path("format").asText().equals("file") ? t.path("path").asText()
            : t.path("scope").asText() + "/" + t.path("name").asText();
        long estimate = t.path("estimated_duration").asLong();
        assertThat(estimate).as("estimated from the uploaded durations: %s", key).isCloseTo(measured.get(key),
            org.assertj.core.data.Offset.offset(10L));
        sum += estimate;
        longest = Math.max(longest, estimate);
      }
      total += sum;
      slowest = Math.max(slowest, sum);
    }
    assertThat((double) slowest).as("slowest node against max(total / N, longest)")
        .isLessThanOrEqualTo(1.10 * Math.max((double) total / NODES, longest));
  }

  private static void quarantine(String name, String verb) throws Exception {
    String path = base(ORG) + "/tests/" + TestKeys.testId(ORG, SUITE, "Models", name) + "/" + verb;
    HttpResponse<String> response = send("PUT", path, ADMIN_TOKEN, "{\"reason\":\"flaky in CI\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  private static List<String> names(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    JSON.readTree(response.body()).path("tests").forEach(t -> names.add(t.path("name").asText()));
    return names;
  }

  /** How bktec matches muted and skipped tests: scope/name. */
  private static List<String> testCases(JsonNode tests) {
    List<String> cases = new ArrayList<>();
    tests.forEach(t -> cases.add(t.path("scope").asText() + "/" + t.path("name").asText()));
    return cases;
  }

  // ---- HTTP as bktec does it ----

  private static String planPath(String identifier, int jobRetryCount) {
    return "/test_plan?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8) + "&job_retry_count="
        + jobRetryCount;
  }

  private static String base(String org) {
    return "/v2/analytics/organizations/" + org + "/suites/" + SUITE;
  }

  private static HttpResponse<String> bktec(String method, String path, String body) throws Exception {
    return send(method, base(ORG) + path, CI_TOKEN, body);
  }

  /** bktec's doWithRetry: 409 (another node is creating the plan), 429 and 5xx are retried. */
  private static HttpResponse<String> withRetry(String method, String path, String body) {
    return await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> bktec(method, path, body),
        r -> r.statusCode() != 409 && r.statusCode() != 429 && r.statusCode() < 500);
  }

  private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + path))
        .timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .header("User-Agent", USER_AGENT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
