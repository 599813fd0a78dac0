package io.testpulse.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.reference.FlakinessReference;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for generated CI histories (flaky, broken and healthy tests, retries, reruns of a
 * commit, several branches, outage runs, executions shuffled within the grace period, some older
 * than it, quarantine commands), the topology's states, scores, flips and transitions equal the
 * reference model's, on every seed.
 */
class FlakinessPropertyTest {

  /** Share of executions sent twice (same execution_id); the reference drops them as the de-duplication step does. */
  static final double DUPLICATE_SHARE = 0.05;

  @TempDir
  Path stateDir;

  static Stream<Long> seeds() {
    return LongStream.rangeClosed(1, 24).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void shouldAgreeWithTheReferenceModelWhenFedAGeneratedHistory(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    FlakinessPolicy policy = policy(seed, random);
    List<Object> inputs = new History(random, policy).generate();
    FlakinessReference reference = new FlakinessReference(policy);
    try (FlakinessDriver tp = new FlakinessDriver(policy, stateDir)) {
      for (Object input : inputs) {
        if (input instanceof TestExecution e) {
          tp.send(e);
          reference.execution(e);
        } else {
          tp.send((QuarantineCommand) input);
          reference.command((QuarantineCommand) input);
        }
      }
      tp.assertNoDeadLetters();
      Map<String, FlakinessReference.Verdict> expected = reference.verdicts();
      assertThat(expected).hasSizeGreaterThan(10);
      expected.forEach((key, v) -> {
        FlakinessState s = tp.state(key);
        assertThat(s).as("state of %s", key).isNotNull();
        assertThat(s.getState()).as("state of %s", key).isEqualTo(v.state() == null ? null : v.state().name());
        assertThat(s.getFlipsTotal()).as("flips of %s", key).isEqualTo(v.flips());
        assertThat(s.getFlipsRetracted()).as("retracted flips of %s", key).isEqualTo(v.flipsRetracted());
        assertThat(s.getCommitsSeen()).as("commits of %s", key).isEqualTo(v.commitsSeen());
        assertThat(s.getDroppedLate()).as("dropped of %s", key).isEqualTo(v.droppedLate());
        assertThat(s.getExecutions()).as("executions of %s", key).isEqualTo(v.executions());
        if (v.state() != null) {
          assertThat(s.getFlakinessScore()).as("score of %s", key).isCloseTo(v.flakinessScore(), within(1e-9));
          assertThat(s.getTransitionScore()).as("transition score of %s", key).isEqualTo(v.transitionScore());
          assertThat(s.getFailureRate()).as("failure rate of %s", key).isEqualTo(v.failureRate());
        }
      });
      List<FlakinessReference.Change> changes = tp.transitions.readValuesToList().stream()
          .map(t -> new FlakinessReference.Change(t.key(), t.from(), t.to(), t.reason(), t.time())).toList();
      assertThat(changes).as("transitions").containsExactlyElementsOf(reference.changes());
      List<FlakinessReference.FlipEvent> flips = tp.flips.readValuesToList().stream()
          .map(f -> new FlakinessReference.FlipEvent(f.key(), f.commitSha(), f.failRunKey(), f.time(), f.retracted()))
          .toList();
      assertThat(flips).as("flips").containsExactlyElementsOf(reference.flips());
      List<String> indexed = new ArrayList<>();
      try (var all = tp.driver.<String, String>getKeyValueStore(Stores.STATE_INDEX.name()).all()) {
        all.forEachRemaining(kv -> indexed.add(kv.key));
      }
      List<String> wantIndexed = expected.entrySet().stream().filter(e -> e.getValue().state() != null)
          .map(e -> {
            String tenant = e.getKey().substring(0, e.getKey().indexOf('/'));
            String testId = e.getKey().substring(tenant.length() + 1);
            return Stores.stateIndexKey(tenant, e.getValue().state().name(), testId);
          }).toList();
      assertThat(indexed).as("state index: every test under its current state only")
          .containsExactlyInAnyOrderElementsOf(wantIndexed);
      System.out.printf("seed %d: %d inputs, %d changes, %d flips, %d retracted, %d dropped, %d BROKEN%n", seed, inputs.size(),
          reference.changes().size(), reference.flips().size(), reference.flips().stream().filter(f -> f.retracted()).count(),
          expected.values().stream().mapToLong(v -> v.droppedLate()).sum(),
          reference.changes().stream().filter(c -> "BROKEN".equals(c.to())).count());
      assertThat(reference.changes()).as("the history exercises FLAKY").anyMatch(c -> "FLAKY".equals(c.to()));
    }
  }

  private static FlakinessPolicy policy(long seed, SplittableRandom random) {
    FlakinessPolicy policy = FlakinessPolicy.defaults()
        .withWindow(8 + random.nextInt(20))
        .withMinSamples(3 + random.nextInt(5))
        .withBrokenRates(0.9, 0.6)
        .withRecovery(Duration.ofHours(6 + random.nextInt(48)), 10 + random.nextInt(40))
        .withScoreHalfLife(Duration.ofHours(12))
        .withCommitExpiry(Duration.ofMinutes(seed % 3 == 0 ? 40 : 24 * 60))
        .withGrace(Duration.ofHours(3))
        .withOutageGuard(0.8, 1 + random.nextInt(6));
    return seed % 2 == 0 ? policy.withBranchScope(BranchScope.DEFAULT_BRANCH) : policy;
  }

  /** A generated CI history, in arrival order. */
  private static final class History {
    private static final String[] BRANCHES = {"main", "main", "main", "feature/a", "feature/b"};
    private final SplittableRandom random;
    private final FlakinessPolicy policy;
    private final Instant start = Instant.parse("2026-10-01T00:00:00Z");

    History(SplittableRandom random, FlakinessPolicy policy) {
      this.random = random;
      this.policy = policy;
    }

    private record Timed(long arrival, int seq, Object input) {
    }

    List<Object> generate() {
      int tests = 14;
      double[] failP = new double[tests];
      for (int i = 0; i < tests; i++) {
        failP[i] = i < 8 ? 0.01 : i < 11 ? 0.35 : i < 13 ? 0.97 : 0.0;
      }
      List<Timed> timed = new ArrayList<>();
      List<String> commits = new ArrayList<>();
      int runs = 130 + random.nextInt(40);
      long graceMillis = policy.grace().toMillis();
      for (int r = 0; r < runs; r++) {
        long runTime = start.toEpochMilli() + r * Duration.ofMinutes(20).toMillis() + random.nextLong(300_000);
        String commit;
        if (!commits.isEmpty() && random.nextDouble() < 0.35) {
          commit = commits.get(Math.max(0, commits.size() - 1 - random.nextInt(4)));
        } else {
          commit = random.nextDouble() < 0.03 ? null : "sha" + r;
          if (commit != null) {
            commits.add(commit);
          }
        }
        boolean outage = random.nextDouble() < 0.06;
        RunInfo run = RunInfo.newBuilder().setKey("run-" + r).setBranch(BRANCHES[random.nextInt(BRANCHES.length)])
            .setCommitSha(commit).build();
        boolean tooLate = random.nextDouble() < 0.04;
        long arrivalBase = tooLate ? runTime + graceMillis + Duration.ofHours(2).toMillis() : runTime;
        for (int t = 0; t < tests; t++) {
          if (random.nextDouble() > 0.85) {
            continue;
          }
          long arrival = arrivalBase + random.nextLong(graceMillis / 2);
          int attempt = 0;
          while (true) {
            Result result = outcome(t, failP[t], outage && attempt == 0);
            TestExecution e = execution(t, run, result, runTime + attempt * 60_000L, attempt, r);
            timed.add(new Timed(arrival, timed.size(), e));
            if (random.nextDouble() < DUPLICATE_SHARE) {
              timed.add(new Timed(arrival + random.nextLong(graceMillis / 2), timed.size(), e));
            }
            if (result != Result.FAILED || attempt >= 2 || random.nextDouble() > 0.8) {
              break;
            }
            attempt++;
            arrival += 1 + random.nextLong(60_000); // a retry arrives after its first attempt
          }
        }
        if (random.nextDouble() < 0.05) {
          int t = 8 + random.nextInt(5);
          boolean release = random.nextDouble() < 0.4;
          Long expires = random.nextBoolean() ? null : runTime + Duration.ofHours(4).toMillis();
          String id = testId(t);
          timed.add(new Timed(runTime, timed.size(), new QuarantineCommand(TestKeys.key("acme", id), "acme", id,
              release ? QuarantineCommand.RELEASE : QuarantineCommand.QUARANTINE, "noisy", expires, "acme:admin",
              runTime)));
        }
      }
      timed.sort(Comparator.comparingLong(Timed::arrival).thenComparingInt(Timed::seq));
      return timed.stream().map(Timed::input).toList();
    }

    private Result outcome(int test, double failP, boolean outage) {
      if (test == tests() - 1) {
        double d = random.nextDouble();
        return d < 0.6 ? Result.SKIPPED : d < 0.8 ? Result.PENDING : d < 0.9 ? Result.UNKNOWN : Result.PASSED;
      }
      if (outage) {
        return random.nextDouble() < 0.95 ? Result.FAILED : Result.PASSED;
      }
      return random.nextDouble() < failP ? Result.FAILED : Result.PASSED;
    }

    private static int tests() {
      return 14;
    }

    private static String testId(int t) {
      return TestKeys.testId("acme", "web", "Generated", "case " + t);
    }

    private static TestExecution execution(int t, RunInfo run, Result result, long at, int attempt, int r) {
      return TestExecution.newBuilder()
          .setExecutionId(run.getKey() + "/" + t + "/" + attempt)
          .setTenant("acme").setSuite("web").setTestId(testId(t)).setScope("Generated").setName("case " + t)
          .setResult(result).setDurationMicros(1000).setEventTime(Instant.ofEpochMilli(at))
          .setRun(run).setAttempt(attempt).setTags(Map.of())
          .build();
    }
  }
}
