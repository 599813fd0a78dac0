package io.testpulse.examples;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A generated, reproducible CI history for the demo and tests: tests in several suites run on
 * every commit of several branches over the last weeks. Each test has a known nature: most are
 * healthy (always pass), some are flaky (fail at random, usually pass on retry), a few are broken
 * (fail on every run from some commit on). Durations are lognormal per test and vary by
 * {@code instance_type} and {@code arch} tags.
 *
 * <p>One run is an infrastructure outage (when there are at least {@value #MIN_COMMITS_FOR_OUTAGE}
 * commits): a second run of the commit three quarters in, whose run key ends in
 * {@value #OUTAGE_SUFFIX}, in which every test's first attempt fails and its retry passes (broken
 * tests fail both). The flakiness engine's outage guard must not count it as flips.
 */
public final class SampleData {

  /** What a generated test really is, for checking verdicts against. */
  public enum Nature { HEALTHY, FLAKY, BROKEN }

  /** One generated test. */
  public record SampleTest(String suite, String scope, String name, String fileName, Nature nature,
                           double medianMillis, String testId) {
  }

  /** The shape of the data set. */
  public record Shape(String tenant, int tests, int commits, double flakyShare, double brokenShare,
                      Duration span, Instant end, long seed) {

    /** A few thousand tests over a few hundred commits, as the demo loads. */
    public static Shape demo(String tenant, Instant end) {
      return new Shape(tenant, 2000, 200, 0.03, 0.01, Duration.ofDays(28), end, 42L);
    }
  }

  private static final String[] SUITES = {"web", "api", "mobile", "billing"};
  private static final String[] BRANCHES = {"main", "main", "main", "feature/search", "feature/checkout", "fix/login"};
  private static final String[] INSTANCE_TYPES = {"c5.large", "c5.xlarge", "m6g.large"};
  private static final double[] INSTANCE_SPEED = {1.0, 0.7, 0.9};
  private static final String[] ARCHES = {"amd64", "arm64"};
  private static final double[] ARCH_SPEED = {1.0, 1.15};

  /** Run keys of outage runs end with this. */
  public static final String OUTAGE_SUFFIX = "-outage";
  static final int MIN_COMMITS_FOR_OUTAGE = 8;

  private final Shape shape;
  private final List<SampleTest> tests;

  public SampleData(Shape shape) {
    this.shape = shape;
    SplittableRandom random = new SplittableRandom(shape.seed());
    List<SampleTest> list = new ArrayList<>(shape.tests());
    for (int i = 0; i < shape.tests(); i++) {
      String suite = SUITES[i % SUITES.length];
      String scope = capitalize(suite) + "::Module" + (i / 40);
      String name = "behaves correctly in case " + i;
      double r = random.nextDouble();
      Nature nature = r < shape.flakyShare() ? Nature.FLAKY
          : r < shape.flakyShare() + shape.brokenShare() ? Nature.BROKEN : Nature.HEALTHY;
      double median = Math.exp(random.nextDouble(Math.log(5), Math.log(20_000)));
      list.add(new SampleTest(suite, scope, name, "spec/" + suite + "/module" + (i / 40) + "_spec.rb", nature,
          median, TestKeys.testId(shape.tenant(), suite, scope, name)));
    }
    this.tests = List.copyOf(list);
  }

  public List<SampleTest> tests() {
    return tests;
  }

  public Shape shape() {
    return shape;
  }

  /** Generates every execution in commit order and hands each to {@code sink}; returns how many. */
  public long generate(Consumer<TestExecution> sink) {
    SplittableRandom random = new SplittableRandom(shape.seed() + 1);
    long count = 0;
    Instant start = shape.end().minus(shape.span());
    long stepMillis = shape.span().toMillis() / Math.max(1, shape.commits());
    for (int c = 0; c < shape.commits(); c++) {
      Instant buildTime = start.plusMillis(c * stepMillis);
      String sha = sha(random);
      String branch = BRANCHES[random.nextInt(BRANCHES.length)];
      int instance = random.nextInt(INSTANCE_TYPES.length);
      int arch = random.nextInt(ARCHES.length);
      RunInfo run = RunInfo.newBuilder().setCi("buildkite").setKey("demo-build-" + (c + 1))
          .setNumber(Integer.toString(c + 1)).setBranch(branch).setCommitSha(sha)
          .setMessage("commit " + (c + 1)).setUrl("https://ci.example.com/builds/" + (c + 1)).build();
      Map<String, String> tags = Map.of("instance_type", INSTANCE_TYPES[instance], "arch", ARCHES[arch]);
      double speed = INSTANCE_SPEED[instance] * ARCH_SPEED[arch];
      for (int t = 0; t < tests.size(); t++) {
        SampleTest test = tests.get(t);
        boolean brokenNow = test.nature() == Nature.BROKEN && c >= shape.commits() / 4;
        int attempt = 0;
        Result result = outcome(test, brokenNow, random);
        sink.accept(execution(test, run, tags, buildTime, attempt, result, duration(test, speed, random)));
        count++;
        // Failed tests are retried once in the same run, as CI retry plugins do.
        if (result == Result.FAILED) {
          Result retry = brokenNow ? Result.FAILED : outcome(test, false, random) == Result.FAILED
              ? Result.FAILED : Result.PASSED;
          sink.accept(execution(test, run, tags, buildTime.plusSeconds(1), attempt + 1, retry,
              duration(test, speed, random)));
          count++;
        }
      }
      if (c == shape.commits() * 3 / 4 && shape.commits() >= MIN_COMMITS_FOR_OUTAGE) {
        count += outageRun(run, tags, buildTime.plus(Duration.ofMinutes(30)), c, sink, random);
      }
    }
    return count;
  }

  /** A rerun of the commit in which the infrastructure failed every test once; retries pass. */
  private long outageRun(RunInfo normal, Map<String, String> tags, Instant at, int c, Consumer<TestExecution> sink,
                         SplittableRandom random) {
    RunInfo run = RunInfo.newBuilder(normal).setKey(normal.getKey() + OUTAGE_SUFFIX)
        .setUrl(normal.getUrl() + "?outage").build();
    long count = 0;
    for (SampleTest test : tests) {
      boolean brokenNow = test.nature() == Nature.BROKEN && c >= shape.commits() / 4;
      sink.accept(execution(test, run, tags, at, 0, Result.FAILED, duration(test, 1.0, random)));
      sink.accept(execution(test, run, tags, at.plusSeconds(1), 1, brokenNow ? Result.FAILED : Result.PASSED,
          duration(test, 1.0, random)));
      count += 2;
    }
    return count;
  }

  private static Result outcome(SampleTest test, boolean brokenNow, SplittableRandom random) {
    if (brokenNow) {
      return Result.FAILED;
    }
    if (test.nature() == Nature.FLAKY) {
      return random.nextDouble() < 0.25 ? Result.FAILED : Result.PASSED;
    }
    return Result.PASSED;
  }

  private static long duration(SampleTest test, double speed, SplittableRandom random) {
    // lognormal around the test's median with sigma 0.3, scaled by the machine's speed
    double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    return Math.max(1, Math.round(test.medianMillis() * speed * Math.exp(0.3 * gaussian) * 1000));
  }

  private TestExecution execution(SampleTest test, RunInfo run, Map<String, String> tags, Instant at, int attempt,
                                  Result result, long durationMicros) {
    return TestExecution.newBuilder()
        .setExecutionId(run.getKey() + "/" + test.testId() + "/" + attempt)
        .setTenant(shape.tenant()).setSuite(test.suite()).setTestId(test.testId())
        .setScope(test.scope()).setName(test.name()).setFileName(test.fileName())
        .setLocation(test.fileName() + ":" + (10 + Math.abs(test.testId().hashCode() % 200)))
        .setResult(result).setDurationMicros(durationMicros).setEventTime(at)
        .setRun(run).setAttempt(attempt).setTags(tags)
        .setFailureReason(result == Result.FAILED ? "expected true, got false" : null)
        .build();
  }

  private static String sha(SplittableRandom random) {
    byte[] bytes = new byte[20];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return HexFormat.of().formatHex(bytes);
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
