package io.testpulse.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploads over HTTP ({@code POST /v1/uploads}, the Buildkite-compatible API), from two uploaders in
 * parallel (one per instance, each with its own half of the tests), and SIGKILL the broker right
 * after an upload was answered 202 (full mode: three times, quick: once), starting it again a few
 * seconds later. An upload answered 503 (or not answered) is sent again with the same bytes, as the
 * collectors and {@code bin/testpulse upload} do, until it is answered 202. Every result of every
 * upload answered 202 must be in the counts, once.
 */
final class AckedUploadsScenario extends ProcessFaultScenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TESTS_PER_UPLOADER = 50;

  @Override
  public String name() {
    return "acked-uploads";
  }

  private record Upload(byte[] body, List<TestExecution> executions) {
  }

  @Override
  ScenarioReport run(ChaosContext context, ProcessFaults faults, Map<String, Object> figures, List<String> failures)
      throws Exception {
    boolean quick = context.quick();
    int uploads = quick ? 30 : 100;
    int kills = quick ? 1 : 3;
    Duration down = Duration.ofSeconds(quick ? 3 : 8);
    figures.put("uploads_per_uploader", uploads);
    figures.put("uploaders", 2);
    figures.put("broker_kills", kills);
    Oracle oracle = new Oracle(context.config().flakinessPolicy());
    AtomicLong answered202 = new AtomicLong();
    AtomicLong answered503 = new AtomicLong();
    AtomicLong otherStatus = new AtomicLong();
    AtomicLong noAnswer = new AtomicLong();
    List<Double> brokerStarts = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    List<Integer> killAfter = new ArrayList<>();
    for (int k = 1; k <= kills; k++) {
      killAfter.add(uploads * k / (kills + 1));
    }
    List<CompletableFuture<Void>> restarts = new ArrayList<>();

    List<CompletableFuture<Void>> uploaders = new ArrayList<>();
    for (int u = 0; u < 2; u++) {
      int uploader = u;
      URI target = context.instances().get(u).resolve("/v1/uploads");
      uploaders.add(CompletableFuture.runAsync(() -> {
        SplittableRandom random = new SplittableRandom(31 + uploader);
        try {
          for (int n = 1; n <= uploads; n++) {
            Upload upload = upload(context.tenant(), uploader, n, random);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (true) {
              int status = post(http, target, context.token("ingest"), upload.body());
              if (status == 202) {
                answered202.incrementAndGet();
                upload.executions().forEach(oracle::accept);
                break;
              }
              (status == 503 ? answered503 : status < 0 ? noAnswer : otherStatus).incrementAndGet();
              if (status != 503 && status > 0) {
                throw new IllegalStateException("upload " + n + " of uploader " + uploader + " answered " + status);
              }
              if (System.nanoTime() > deadline) {
                throw new IllegalStateException("upload " + n + " of uploader " + uploader + " not accepted in 4 min");
              }
              TimeUnit.MILLISECONDS.sleep(500);
            }
            if (uploader == 0 && killAfter.contains(n)) {
              // right after the answer: what was answered 202 must survive the crash
              faults.killBroker();
              restarts.add(CompletableFuture.runAsync(() -> {
                try {
                  TimeUnit.NANOSECONDS.sleep(down.toNanos());
                  long t = System.nanoTime();
                  faults.restartBroker();
                  synchronized (brokerStarts) {
                    brokerStarts.add((System.nanoTime() - t) / 1e9);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException("broker restart failed", e);
                }
              }));
              restarts.get(restarts.size() - 1).join();
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<Void> f : uploaders) {
      try {
        f.join();
      } catch (RuntimeException e) {
        failures.add("uploader failed: " + e.getMessage());
      }
    }
    figures.put("answered_202", answered202.get());
    figures.put("answered_503", answered503.get());
    figures.put("answered_other", otherStatus.get());
    figures.put("not_answered", noAnswer.get());
    Verification.summarize(figures, "broker_start", brokerStarts);
    return Verification.report(name(), context, oracle, false, figures, failures);
  }

  private static int post(HttpClient http, URI target, String token, byte[] body) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(target)
        .header("Authorization", "Token token=\"" + token + "\"")
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() == 202) {
        JsonNode answer = JSON.readTree(r.body());
        if (answer.path("skipped").asInt() != 0) {
          throw new IllegalStateException("upload rejected results: " + r.body());
        }
      }
      return r.statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Upload {@code n} of an uploader: one run on one commit, every test of its half once, failed flaky tests retried. */
  private Upload upload(String tenant, int uploader, int n, SplittableRandom random) {
    String suite = name();
    String runKey = suite + "-" + uploader + "-" + n;
    byte[] shaBytes = new byte[20];
    for (int i = 0; i < shaBytes.length; i++) {
      shaBytes[i] = (byte) random.nextInt(256);
    }
    String sha = HexFormat.of().formatHex(shaBytes);
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("format", "json");
    envelope.put("suite", suite);
    ObjectNode runEnv = envelope.putObject("run_env");
    runEnv.put("CI", "chaos");
    runEnv.put("key", runKey);
    runEnv.put("branch", "main");
    runEnv.put("commit_sha", sha);
    ArrayNode data = envelope.putArray("data");
    List<TestExecution> executions = new ArrayList<>();
    RunInfo run = RunInfo.newBuilder().setCi("chaos").setKey(runKey).setBranch("main").setCommitSha(sha).build();
    Instant now = Instant.now();
    for (int t = 0; t < TESTS_PER_UPLOADER; t++) {
      int i = uploader * TESTS_PER_UPLOADER + t;
      boolean flaky = i % 10 == 3;
      boolean broken = i % 33 == 7;
      String result = broken || flaky && random.nextDouble() < 0.3 ? "failed" : i % 50 == 11 ? "skipped" : "passed";
      add(data, executions, tenant, suite, run, now, i, runKey + "/" + i + "/0", result);
      if (result.equals("failed")) {
        add(data, executions, tenant, suite, run, now, i, runKey + "/" + i + "/1", broken ? "failed" : "passed");
      }
    }
    try {
      return new Upload(JSON.writeValueAsBytes(envelope), executions);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void add(ArrayNode data, List<TestExecution> executions, String tenant, String suite, RunInfo run,
                          Instant now, int i, String id, String result) {
    String scope = "Chaos::Uploads::Module" + (i / 25);
    String name = "is counted once acknowledged " + i;
    ObjectNode r = data.addObject();
    r.put("id", id);
    r.put("scope", scope);
    r.put("name", name);
    r.put("result", result);
    r.putObject("history").put("duration", 0.01 + i / 1000.0);
    executions.add(TestExecution.newBuilder()
        .setExecutionId(id).setTenant(tenant).setSuite(suite).setTestId(TestKeys.testId(tenant, suite, scope, name))
        .setScope(scope).setName(name)
        .setResult(Result.valueOf(result.toUpperCase(java.util.Locale.ROOT)))
        .setDurationMicros(10_000L + i * 1000L).setEventTime(now).setRun(run).setAttempt(0)
        .build());
  }
}
