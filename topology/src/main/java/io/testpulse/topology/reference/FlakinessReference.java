package io.testpulse.topology.reference;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.TestKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The reference model (oracle) of the flakiness engine: plain Java, unbounded, computing every
 * answer of the README's "Definitions" from the full history of what it was given, in arrival
 * order. It shares no code with the topology (only the policy and value types), so a test can feed
 * both the same inputs and require the same states, scores and transitions; fault-injection tests
 * and a future testkit use it the same way.
 *
 * <p>It models the topology on one partition with the outage guard's round trip completed before
 * the next input (as on TopologyTestDriver): an input is applied to its test, then the per-run
 * aggregate sees the execution's first-attempt outcome and its flip candidates, then the test sees
 * the verdicts. Not thread-safe.
 */
public final class FlakinessReference {

  /** A change of state as the topology writes it (evidence is not modelled). */
  public record Change(String key, String from, String to, String reason, long time) {
  }

  /** A flip or its retraction as the topology writes it. */
  public record FlipEvent(String key, String commitSha, String failRunKey, long time, boolean retracted) {
  }

  /** The answers for one test. */
  public record Verdict(HealthState state, double flakinessScore, double transitionScore, Double failureRate,
                        long flips, long flipsRetracted, long commitsSeen, long droppedLate, long executions) {
  }

  private record Result1(long time, int attempt, String executionId, boolean failed) {
  }

  private static final Comparator<Result1> ORDER = Comparator.comparingLong(Result1::time)
      .thenComparingInt(Result1::attempt).thenComparing(Result1::executionId);

  private static final class FailRun {
    final String run;
    final int attempt;
    Long candidateTime;
    boolean confirmed;

    FailRun(String run, int attempt) {
      this.run = run;
      this.attempt = attempt;
    }
  }

  private static final class CommitEpoch {
    final String sha;
    final long firstSeen;
    long lastSeen;
    String passRun;
    final List<FailRun> fails = new ArrayList<>();

    CommitEpoch(String sha, long t) {
      this.sha = sha;
      this.firstSeen = t;
      this.lastSeen = t;
    }

    boolean flipped() {
      return fails.stream().anyMatch(f -> f.confirmed);
    }
  }

  private static final class FlipRecord {
    final CommitEpoch commit;
    final long time;
    final long executionIndex;
    boolean active = true;

    FlipRecord(CommitEpoch commit, long time, long executionIndex) {
      this.commit = commit;
      this.time = time;
      this.executionIndex = executionIndex;
    }
  }

  private static final class Test {
    String tenant;
    String testId;
    String state;
    long clock;
    long executions;
    long droppedLate;
    long retracted;
    boolean broken;
    boolean quarantined;
    Long quarantineExpiresAt;
    final TreeSet<Result1> results = new TreeSet<>(ORDER);
    final Map<String, CommitEpoch> current = new HashMap<>();
    final List<CommitEpoch> epochs = new ArrayList<>();
    final List<FlipRecord> flips = new ArrayList<>();
  }

  private record Candidate(String testKey, String sha, String run, long time) {
  }

  private static final class Run {
    long decided;
    long failed;
    boolean outage;
    final List<Candidate> candidates = new ArrayList<>();
  }

  private record Verdict1(String testKey, String sha, String run, boolean confirmed) {
  }

  private final FlakinessPolicy policy;
  private Long watermark;
  private final Map<String, Test> tests = new LinkedHashMap<>();
  private final Map<String, Run> runs = new HashMap<>();
  private final java.util.Set<String> seen = new java.util.HashSet<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final List<Change> changes = new ArrayList<>();
  private final List<FlipEvent> flipEvents = new ArrayList<>();

  public FlakinessReference(FlakinessPolicy policy) {
    this.policy = policy.validate();
  }

  /**
   * Applies one execution, as the topology does when it arrives. Like the topology's
   * de-duplication step it first drops an {@code execution_id} already seen for the test, and
   * numbers attempts per test and run key in arrival order (inputs are assumed to span less than
   * the de-duplication horizon).
   */
  public void execution(TestExecution given) {
    String key = TestKeys.key(given.getTenant(), given.getTestId());
    if (!seen.add(key + "/" + given.getExecutionId())) {
      return;
    }
    int attempt = attempts.merge(key + "/" + given.getRun().getKey(), 1, Integer::sum) - 1;
    TestExecution e = given.getAttempt() == attempt ? given : TestExecution.newBuilder(given).setAttempt(attempt).build();
    Test test = tests.computeIfAbsent(key, k -> new Test());
    test.tenant = e.getTenant();
    test.testId = e.getTestId();
    long t = e.getEventTime().toEpochMilli();
    if (watermark != null && t < watermark - policy.grace().toMillis()) {
      test.droppedLate++;
      return;
    }
    watermark = watermark == null ? t : Math.max(watermark, t);
    test.clock = Math.max(test.clock, t);
    test.executions++;
    boolean decided = e.getResult() == Result.PASSED || e.getResult() == Result.FAILED;
    boolean failed = e.getResult() == Result.FAILED;
    List<Candidate> candidates = new ArrayList<>();
    if (decided) {
      if (policy.inScope(e.getRun().getBranch())) {
        test.results.add(new Result1(t, e.getAttempt(), e.getExecutionId(), failed));
      }
      String sha = e.getRun().getCommitSha();
      if (sha != null && !sha.isEmpty()) {
        candidates = onCommit(key, test, sha, e.getRun().getKey(), e.getAttempt(), failed, t);
      }
    }
    settle(key, test, "EXECUTION");
    List<Verdict1> verdicts = new ArrayList<>();
    if (decided && e.getAttempt() == 0) {
      judgeRun(e.getTenant(), e.getRun().getKey(), failed, verdicts);
    }
    for (Candidate c : candidates) {
      Run run = runs.computeIfAbsent(e.getTenant() + "/" + c.run, k -> new Run());
      run.candidates.add(c);
      if (!run.outage) {
        verdicts.add(new Verdict1(c.testKey, c.sha, c.run, true));
      }
    }
    verdicts.forEach(this::verdict);
  }

  /** Records the outcome on the commit; returns the flip candidates it completes. */
  private List<Candidate> onCommit(String key, Test test, String sha, String run, int attempt, boolean failed, long t) {
    List<Candidate> candidates = new ArrayList<>();
    CommitEpoch c = test.current.get(sha);
    if (c == null || t - c.lastSeen > policy.commitExpiry().toMillis()) {
      c = new CommitEpoch(sha, t);
      test.current.put(sha, c);
      test.epochs.add(c);
    }
    c.lastSeen = Math.max(c.lastSeen, t);
    if (!failed && c.passRun == null) {
      c.passRun = run;
      for (FailRun f : c.fails) {
        f.candidateTime = t;
        candidates.add(new Candidate(key, sha, f.run, t));
      }
    } else if (failed && c.fails.stream().noneMatch(f -> f.run.equals(run)) && c.fails.size() < 8) {
      FailRun f = new FailRun(run, attempt);
      c.fails.add(f);
      if (c.passRun != null) {
        f.candidateTime = t;
        candidates.add(new Candidate(key, sha, run, t));
      }
    }
    return candidates;
  }

  /** Counts a first attempt in its run; a changed judgement answers every candidate of the run again. */
  private void judgeRun(String tenant, String runKey, boolean failed, List<Verdict1> verdicts) {
    Run run = runs.computeIfAbsent(tenant + "/" + runKey, k -> new Run());
    run.decided++;
    run.failed += failed ? 1 : 0;
    boolean outage = run.decided >= policy.outageMinTests()
        && (double) run.failed / run.decided > policy.outageFailedShare();
    if (outage != run.outage) {
      run.outage = outage;
      run.candidates.forEach(c -> verdicts.add(new Verdict1(c.testKey, c.sha, runKey, !outage)));
    }
  }

  private void verdict(Verdict1 v) {
    Test test = tests.get(v.testKey);
    CommitEpoch c = test.current.get(v.sha);
    if (c == null) {
      return;
    }
    FailRun f = c.fails.stream().filter(x -> x.run.equals(v.run)).findFirst().orElse(null);
    if (f == null || f.candidateTime == null || f.confirmed == v.confirmed) {
      return;
    }
    boolean was = c.flipped();
    f.confirmed = v.confirmed;
    if (was == c.flipped()) {
      return;
    }
    if (v.confirmed) {
      test.flips.add(new FlipRecord(c, f.candidateTime, test.executions));
    } else {
      test.flips.stream().filter(r -> r.commit.sha.equals(v.sha)).forEach(r -> r.active = false);
      test.retracted++;
    }
    flipEvents.add(new FlipEvent(v.testKey, v.sha, f.run, f.candidateTime, !v.confirmed));
    settle(v.testKey, test, v.confirmed ? "CONFIRM" : "RETRACT");
  }

  /** Applies one quarantine command. */
  public void command(QuarantineCommand c) {
    String key = TestKeys.key(c.tenant(), c.testId());
    Test test = tests.computeIfAbsent(key, k -> new Test());
    test.tenant = c.tenant();
    test.testId = c.testId();
    test.clock = Math.max(test.clock, c.requestedAt());
    test.quarantined = QuarantineCommand.QUARANTINE.equals(c.action());
    test.quarantineExpiresAt = test.quarantined ? c.expiresAt() : null;
    settle(key, test, test.quarantined ? "QUARANTINE" : "RELEASE");
  }

  private void settle(String key, Test test, String trigger) {
    Double rate = failureRate(test);
    boolean flaky = test.flips.stream().anyMatch(f -> f.active && test.clock - f.time < policy.recoverAfter().toMillis()
        && test.executions - f.executionIndex < policy.recoverExecutions());
    test.broken = rate != null && rate >= (test.broken ? policy.brokenExitRate() : policy.brokenEnterRate());
    if (test.quarantined && test.quarantineExpiresAt != null && test.clock >= test.quarantineExpiresAt) {
      test.quarantined = false;
    }
    HealthState next = test.quarantined ? HealthState.QUARANTINED
        : test.broken ? HealthState.BROKEN : flaky ? HealthState.FLAKY : HealthState.HEALTHY;
    if (!next.name().equals(test.state)) {
      changes.add(new Change(key, test.state, next.name(), reason(test.state, next, trigger), test.clock));
      test.state = next.name();
    }
  }

  private static String reason(String from, HealthState to, String trigger) {
    if (from == null) {
      return "first_execution";
    } else if (to == HealthState.QUARANTINED) {
      return "quarantined";
    } else if (from.equals("QUARANTINED")) {
      return trigger.equals("RELEASE") ? "released" : "quarantine_expired";
    } else if (to == HealthState.BROKEN) {
      return "failure_rate_high";
    } else if (from.equals("BROKEN")) {
      return "failure_rate_recovered";
    } else if (to == HealthState.FLAKY) {
      return "same_commit_flip";
    }
    return trigger.equals("RETRACT") ? "flip_retracted_outage" : "no_recent_flip";
  }

  private List<Result1> window(Test test) {
    List<Result1> all = new ArrayList<>(test.results);
    return all.subList(Math.max(0, all.size() - policy.window()), all.size());
  }

  private Double failureRate(Test test) {
    List<Result1> w = window(test);
    return w.size() < policy.minSamples() ? null : (double) w.stream().filter(Result1::failed).count() / w.size();
  }

  private double transitionScore(Test test) {
    List<Result1> w = window(test);
    int changes = 0;
    for (int i = 1; i < w.size(); i++) {
      changes += w.get(i).failed() != w.get(i - 1).failed() ? 1 : 0;
    }
    return (double) changes / policy.window();
  }

  private double score(Test test) {
    if (test.epochs.isEmpty()) {
      return 0.0;
    }
    long newest = test.epochs.stream().mapToLong(c -> c.firstSeen).max().orElseThrow();
    double all = 0;
    double flipped = 0;
    for (CommitEpoch c : test.epochs) {
      double w = Math.pow(2, (double) (c.firstSeen - newest) / policy.scoreHalfLife().toMillis());
      all += w;
      flipped += c.flipped() ? w : 0;
    }
    return Math.min(1.0, flipped / all);
  }

  /** The answers for every test seen, by key {@code tenant/test_id}. */
  public Map<String, Verdict> verdicts() {
    Map<String, Verdict> out = new LinkedHashMap<>();
    tests.forEach((key, t) -> out.put(key, new Verdict(t.state == null ? null : HealthState.valueOf(t.state), score(t),
        transitionScore(t), failureRate(t), t.epochs.stream().filter(CommitEpoch::flipped).count(), t.retracted,
        t.epochs.size(), t.droppedLate, t.executions)));
    return out;
  }

  /** Every state change so far, in the order the topology writes them. */
  public List<Change> changes() {
    return List.copyOf(changes);
  }

  /** Every flip and retraction so far, in order. */
  public List<FlipEvent> flips() {
    return List.copyOf(flipEvents);
  }
}
