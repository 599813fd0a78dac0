package io.testpulse.reliability;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The steady CI load of a scenario, reproducible from its seed: {@code tests} tests of one suite of
 * their own (so each scenario's tests and verdicts are its own), run once per round (one run key,
 * one commit, branch main). One test in ten is flaky (its first attempt fails 30% of the time and
 * its retry passes: a same-commit flip), one in thirty-three is broken (fails every attempt), the
 * rest pass. A failed first attempt is retried in the same run.
 *
 * <p>A round is two batches, and no batch holds two executions of one test: the first attempts,
 * then the retries. The feeder acknowledges a whole batch before the next one, so every test sees
 * its executions in the order the oracle does, whatever the producer had to resend.
 */
final class ChaosLoad {

  private final String tenant;
  private final String suite;
  private final int tests;
  private final SplittableRandom random;
  private final List<String> testIds = new ArrayList<>();

  ChaosLoad(String tenant, String suite, int tests, long seed) {
    this.tenant = tenant;
    this.suite = suite;
    this.tests = tests;
    this.random = new SplittableRandom(seed);
    for (int i = 0; i < tests; i++) {
      testIds.add(TestKeys.testId(tenant, suite, scope(i), name(i)));
    }
  }

  String suite() {
    return suite;
  }

  List<String> testIds() {
    return testIds;
  }

  int tests() {
    return tests;
  }

  /** The executions of round {@code round} at {@code time}: first attempts, then retries. */
  List<List<TestExecution>> round(int round, Instant time) {
    byte[] sha = new byte[20];
    for (int i = 0; i < sha.length; i++) {
      sha[i] = (byte) random.nextInt(256);
    }
    RunInfo run = RunInfo.newBuilder().setCi("chaos").setKey(suite + "-run-" + round)
        .setNumber(Integer.toString(round)).setBranch("main").setCommitSha(HexFormat.of().formatHex(sha)).build();
    List<TestExecution> first = new ArrayList<>(tests);
    List<TestExecution> retries = new ArrayList<>();
    for (int i = 0; i < tests; i++) {
      boolean flaky = i % 10 == 3;
      boolean broken = i % 33 == 7;
      Result result = broken || flaky && random.nextDouble() < 0.3 ? Result.FAILED : Result.PASSED;
      if (i % 50 == 11) {
        result = Result.SKIPPED;
      }
      first.add(execution(i, run, time, 0, result));
      if (result == Result.FAILED) {
        retries.add(execution(i, run, time.plusMillis(1), 1, broken ? Result.FAILED : Result.PASSED));
      }
    }
    return retries.isEmpty() ? List.of(first) : List.of(first, retries);
  }

  private TestExecution execution(int i, RunInfo run, Instant time, int attempt, Result result) {
    return TestExecution.newBuilder()
        .setExecutionId(run.getKey() + "/" + i + "/" + attempt)
        .setTenant(tenant).setSuite(suite).setTestId(testIds.get(i))
        .setScope(scope(i)).setName(name(i)).setFileName("spec/chaos/" + suite + "_spec.rb")
        .setLocation("spec/chaos/" + suite + "_spec.rb:" + (10 + i))
        .setResult(result).setDurationMicros(1000L + random.nextInt(50_000)).setEventTime(time)
        .setRun(run).setAttempt(attempt).setTags(Map.of("arch", "amd64"))
        .setFailureReason(result == Result.FAILED ? "expected true, got false" : null)
        .build();
  }

  private String scope(int i) {
    return "Chaos::" + suite + "::Module" + (i / 25);
  }

  private static String name(int i) {
    return "behaves under faults " + i;
  }
}
