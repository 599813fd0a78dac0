package io.testpulse.examples.clickhouse;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The data ClickHouseIT ingests, and the duplicates users produce: a four-week CI history produced to
 * the input topic with some executions sent twice (a producer's or a loader's retry), and two uploads
 * (a collector's JSON, a JUnit XML report) that are POSTed twice each (a collector's network retry).
 */
final class ClickHouseHistory {

  static final String TENANT = "acme";
  static final List<String> SUITES = List.of("web", "api");
  static final List<String> BY_TAGS = List.of("instance_type", "arch");
  private static final List<String> INSTANCE_TYPES = List.of("c7g.large", "m6i.xlarge");
  private static final List<String> ARCHS = List.of("arm64", "amd64");
  private static final int TESTS_PER_SUITE = 6;
  private static final int RECENT_PER_TEST = 30;
  private static final int OLD_PER_TEST = 2;
  /** Every n-th execution of the history is produced twice in a row, with the same execution_id. */
  static final int RESENT_EVERY = 4;

  /** One result of an upload, as testpulse should record it (its event time is the receive time). */
  record Uploaded(String suite, String scope, String name, Result result, long durationMicros, Map<String, String> tags) {
    String testId() {
      return TestKeys.testId(TENANT, suite, scope, name);
    }

    TestExecution at(Instant receivedAt) {
      return TestExecution.newBuilder()
          .setExecutionId("expected-" + testId()).setTenant(TENANT).setSuite(suite).setTestId(testId())
          .setScope(scope).setName(name).setResult(result).setDurationMicros(durationMicros).setEventTime(receivedAt)
          .setRun(RunInfo.newBuilder().setKey("upload").build()).setTags(new HashMap<>(tags))
          .build();
    }
  }

  /** A Buildkite-format JSON upload (the Ruby collector's shape: ids, history.duration in seconds). */
  static final String JSON_UPLOAD = """
      {"format": "json",
       "run_env": {"CI": "buildkite", "key": "chit-build-1", "branch": "refs/heads/main", "commit_sha": "c0ffee"},
       "tags": {"instance_type": "c7g.large", "arch": "arm64"},
       "suite": "web",
       "data": [
         {"id": "6f1c9a2e-0001", "scope": "Upload::Cart", "name": "json case 0", "result": "passed",
          "history": {"start_at": 1.5, "duration": 0.5}},
         {"id": "6f1c9a2e-0002", "scope": "Upload::Cart", "name": "json case 1", "result": "failed",
          "failure_reason": "expected 1, got 2", "history": {"duration": 0.75}},
         {"id": "6f1c9a2e-0003", "scope": "Upload::Cart", "name": "json case 2", "result": "passed",
          "history": {"duration": 1.25}},
         {"id": "6f1c9a2e-0004", "scope": "Upload::Cart", "name": "json case 3", "result": "skipped",
          "history": {"duration": 0}}
       ]}
      """;

  /** A Surefire report, uploaded as {@code application/xml} with suite, run and tags in the query string. */
  static final String JUNIT_UPLOAD = """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuite name="com.acme.UploadTest" tests="3" failures="1">
        <testcase classname="com.acme.UploadTest" name="junit case 0" time="0.2"/>
        <testcase classname="com.acme.UploadTest" name="junit case 1" time="0.35">
          <failure message="boom" type="AssertionError"/>
        </testcase>
        <testcase classname="com.acme.UploadTest" name="junit case 2" time="0.9"/>
      </testsuite>
      """;

  /** The query string of the JUnit upload (brackets percent-encoded). */
  static final String JUNIT_QUERY = "suite=api&run_env%5Bkey%5D=chit-build-2&run_env%5Bcommit_sha%5D=beef"
      + "&tags%5Binstance_type%5D=m6i.xlarge&tags%5Barch%5D=amd64";

  /** What the two uploads hold, test by test. */
  static final List<Uploaded> UPLOADED = List.of(
      new Uploaded("web", "Upload::Cart", "json case 0", Result.PASSED, 500_000, armTags()),
      new Uploaded("web", "Upload::Cart", "json case 1", Result.FAILED, 750_000, armTags()),
      new Uploaded("web", "Upload::Cart", "json case 2", Result.PASSED, 1_250_000, armTags()),
      new Uploaded("web", "Upload::Cart", "json case 3", Result.SKIPPED, 0, armTags()),
      new Uploaded("api", "com.acme.UploadTest", "junit case 0", Result.PASSED, 200_000, amdTags()),
      new Uploaded("api", "com.acme.UploadTest", "junit case 1", Result.FAILED, 350_000, amdTags()),
      new Uploaded("api", "com.acme.UploadTest", "junit case 2", Result.PASSED, 900_000, amdTags()));

  private ClickHouseHistory() {
  }

  private static Map<String, String> armTags() {
    return Map.of("instance_type", "c7g.large", "arch", "arm64");
  }

  private static Map<String, String> amdTags() {
    return Map.of("instance_type", "m6i.xlarge", "arch", "amd64");
  }

  /** Twelve tests in two suites; each 30 executions over the last four weeks and two older than 30 days. */
  static List<TestExecution> history(Instant now) {
    Random random = new Random(7);
    List<TestExecution> executions = new ArrayList<>();
    for (String suite : SUITES) {
      for (int t = 0; t < TESTS_PER_SUITE; t++) {
        double failureRate = t * 0.08; // test 0 never fails, test 5 fails 40% of the time
        for (int i = 0; i < OLD_PER_TEST + RECENT_PER_TEST; i++) {
          Instant at = i < OLD_PER_TEST
              ? now.minus(Duration.ofDays(40 + i)).minusSeconds(random.nextInt(3600))
              : now.minus(Duration.ofDays(28)).plus(Duration.ofHours(22L * (i - OLD_PER_TEST)))
                  .plusSeconds(random.nextInt(3600));
          double draw = random.nextDouble();
          Result result = draw < 0.05 ? Result.SKIPPED : draw < 0.05 + failureRate ? Result.FAILED : Result.PASSED;
          String instanceType = INSTANCE_TYPES.get(random.nextInt(INSTANCE_TYPES.size()));
          String arch = ARCHS.get(random.nextInt(ARCHS.size()));
          long durationMicros = (suite.equals("web") ? 400_000 : 150_000)
              * (instanceType.startsWith("c7g") ? 2 : 3) + random.nextInt(1_000_000);
          executions.add(execution(suite, "Module" + t, "case " + t, result, at, durationMicros,
              Map.of("instance_type", instanceType, "arch", arch)));
        }
      }
    }
    executions.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
    return executions;
  }

  /**
   * The history as a retrying producer writes it: every {@value #RESENT_EVERY}th execution a second time
   * right after the first, identical (same execution_id), as when a send timed out but had landed.
   */
  static List<TestExecution> withRetries(List<TestExecution> unique) {
    List<TestExecution> sent = new ArrayList<>();
    for (int i = 0; i < unique.size(); i++) {
      sent.add(unique.get(i));
      if (i % RESENT_EVERY == 0) {
        sent.add(TestExecution.newBuilder(unique.get(i)).build());
      }
    }
    return sent;
  }

  private static TestExecution execution(String suite, String scope, String name, Result result, Instant at,
      long durationMicros, Map<String, String> tags) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(TENANT).setSuite(suite).setTestId(TestKeys.testId(TENANT, suite, scope, name))
        .setScope(scope).setName(name).setFileName("spec/" + suite + "/" + scope + "_spec.rb")
        .setResult(result).setDurationMicros(durationMicros).setEventTime(at)
        .setRun(RunInfo.newBuilder().setCi("buildkite").setKey("build-" + at.toEpochMilli()).setBranch("main")
            .setCommitSha(Long.toHexString(at.toEpochMilli())).build())
        .setTags(new HashMap<>(tags))
        .build();
  }
}
