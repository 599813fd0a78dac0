package io.testpulse.topology;

import static io.testpulse.topology.Executions.execution;
import static io.testpulse.topology.Executions.key;
import static io.testpulse.topology.Executions.testId;
import static io.testpulse.topology.FlakinessDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlakinessTopologyTest {

  @TempDir
  Path stateDir;
  private FlakinessDriver tp;

  private FlakinessDriver start(FlakinessPolicy policy) {
    tp = new FlakinessDriver(policy, stateDir);
    return tp;
  }

  @AfterEach
  void close() {
    if (tp != null) {
      tp.assertNoDeadLetters();
      tp.close();
    }
  }

  private static Instant at(long minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  /** Healthy filler executions in one run, so that the run has enough tests to be judged. */
  private void passingTests(String run, String commit, Instant time, int count) {
    for (int i = 0; i < count; i++) {
      tp.send(execution("filler-" + i, Result.PASSED, time, run, commit, 0));
    }
  }

  @Test
  void shouldEmitFlipWithEvidenceWhenSameCommitPassesAfterFailingInAnotherRun() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    assertThat(tp.flips.isEmpty()).isTrue();
    tp.send(execution("adds", Result.PASSED, at(10), "r2", "c1", 0));

    Flip flip = tp.flips.readValue();
    assertThat(flip).extracting(Flip::commitSha, Flip::failRunKey, Flip::passRunKey, Flip::failAttempt, Flip::time,
        Flip::retracted).containsExactly("c1", "r1", "r2", 0, at(10).toEpochMilli(), false);
    List<Transition> changes = tp.transitions.readValuesToList();
    assertThat(changes).extracting(Transition::from, Transition::to).containsExactly(
        org.assertj.core.groups.Tuple.tuple(null, "HEALTHY"), org.assertj.core.groups.Tuple.tuple("HEALTHY", "FLAKY"));
    Transition flaky = changes.get(1);
    assertThat(flaky.reason()).isEqualTo("same_commit_flip");
    assertThat(flaky.evidence()).containsEntry("commit_sha", "c1").containsEntry("fail_run_key", "r1")
        .containsEntry("pass_run_key", "r2").containsEntry("fail_attempt", "0");
    assertThat(tp.state(key("adds")).getState()).isEqualTo("FLAKY");
  }

  @Test
  void shouldFlipWithinOneRunWhenRetryPasses() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(1), "r1", "c1", 1));

    assertThat(tp.flips.readValue()).extracting(Flip::failRunKey, Flip::passRunKey, Flip::passAttempt)
        .containsExactly("r1", "r1", 1);
    assertThat(tp.state(key("adds")).getFlipsTotal()).isEqualTo(1);
  }

  @Test
  void shouldNotFlipWhenOnlySkippedPendingOrUnknownAccompanyAFailure() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.SKIPPED, at(1), "r1", "c1", 1));
    tp.send(execution("adds", Result.PENDING, at(2), "r2", "c1", 0));
    tp.send(execution("adds", Result.UNKNOWN, at(3), "r3", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(4), "r4", "c2", 0));

    assertThat(tp.flips.isEmpty()).isTrue();
    assertThat(tp.state(key("adds")).getState()).isEqualTo("HEALTHY");
  }

  @Test
  void shouldCreateNoFlipWhenTheFailingRunIsAnOutage() {
    start(FlakinessPolicy.defaults());
    // an outage: every test of run r1 fails its first attempt, and passes on retry
    for (int i = 0; i < 20; i++) {
      tp.send(execution("t" + i, Result.FAILED, at(0), "r1", "c1", 0));
    }
    for (int i = 0; i < 20; i++) {
      tp.send(execution("t" + i, Result.PASSED, at(1), "r1", "c1", 1));
    }

    assertThat(tp.flips.isEmpty()).isTrue();
    assertThat(tp.transitions.readValuesToList()).extracting(Transition::to).containsOnly("HEALTHY");
  }

  @Test
  void shouldRetractFlipWhenItsRunTurnsOutToBeAnOutage() {
    start(FlakinessPolicy.defaults().withOutageGuard(0.8, 5));
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(1), "r1", "c1", 1)); // flips: r1 has 1 test so far
    assertThat(tp.state(key("adds")).getState()).isEqualTo("FLAKY");
    for (int i = 0; i < 4; i++) {
      tp.send(execution("t" + i, Result.FAILED, at(2), "r1", "c1", 0)); // 5 of 5 first attempts failed
    }

    assertThat(tp.flips.readValuesToList()).extracting(Flip::retracted).containsExactly(false, true);
    FlakinessState state = tp.state(key("adds"));
    assertThat(state.getState()).isEqualTo("HEALTHY");
    assertThat(state.getFlipsTotal()).isZero();
    assertThat(state.getFlipsRetracted()).isEqualTo(1);
    assertThat(state.getFlakinessScore()).isZero();
    assertThat(metricTotal("flips-total")).isEqualTo(1.0);
    assertThat(metricTotal("flips-retracted-total")).isEqualTo(1.0);
    assertThat(tp.transitions.readValuesToList()).filteredOn(t -> t.key().equals(key("adds")))
        .extracting(Transition::to, Transition::reason).last()
        .isEqualTo(org.assertj.core.groups.Tuple.tuple("HEALTHY", "flip_retracted_outage"));
  }

  @Test
  void shouldConfirmHeldFlipWhenTheRunStopsLookingLikeAnOutage() {
    start(FlakinessPolicy.defaults().withOutageGuard(0.8, 1));
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0)); // 1 of 1 failed: looks like an outage
    tp.send(execution("adds", Result.PASSED, at(1), "r1", "c1", 1));
    assertThat(tp.flips.isEmpty()).as("held while the run looks like an outage").isTrue();
    passingTests("r1", "c1", at(2), 4); // 1 of 5 failed

    assertThat(tp.flips.readValue().retracted()).isFalse();
    assertThat(tp.state(key("adds")).getState()).isEqualTo("FLAKY");
  }

  @Test
  void shouldRecoverFromFlakyAfterEnoughExecutionsWithoutANewFlip() {
    start(FlakinessPolicy.defaults().withRecovery(Duration.ofDays(7), 5));
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(1), "r1", "c1", 1));
    for (int i = 0; i < 4; i++) {
      tp.send(execution("adds", Result.PASSED, at(10 + i), "r" + (10 + i), "c" + (10 + i), 0));
    }
    assertThat(tp.state(key("adds")).getState()).isEqualTo("FLAKY");
    tp.send(execution("adds", Result.PASSED, at(20), "r20", "c20", 0));

    FlakinessState state = tp.state(key("adds"));
    assertThat(state.getState()).isEqualTo("HEALTHY");
    assertThat(state.getStateReason()).isEqualTo("no_recent_flip");
  }

  @Test
  void shouldRecoverFromFlakyWhenTheLastFlipIsOlderThanRecoverAfter() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(1), "r1", "c1", 1));
    tp.send(execution("adds", Result.PASSED, T0.plus(Duration.ofDays(7)).minusSeconds(1), "r2", "c2", 0));
    assertThat(tp.state(key("adds")).getState()).isEqualTo("FLAKY");
    tp.send(execution("adds", Result.PASSED, T0.plus(Duration.ofDays(7)).plusSeconds(60), "r3", "c3", 0));

    assertThat(tp.state(key("adds")).getState()).isEqualTo("HEALTHY");
  }

  @Test
  void shouldBeBrokenNotFlakyWhenFailingNearlyAlwaysWithEnoughSamples() {
    start(FlakinessPolicy.defaults().withWindow(10).withMinSamples(10).withBrokenRates(0.9, 0.5));
    tp.send(execution("adds", Result.FAILED, at(0), "r0", "c0", 0));
    tp.send(execution("adds", Result.PASSED, at(0).plusSeconds(1), "r0", "c0", 1)); // a flip
    for (int i = 1; i < 9; i++) {
      tp.send(execution("adds", Result.FAILED, at(i), "r" + i, "c" + i, 0));
    }
    assertThat(tp.state(key("adds")).getState()).as("9 of 10 failed").isEqualTo("BROKEN");
    for (int i = 9; i < 13; i++) {
      tp.send(execution("adds", Result.PASSED, at(i), "r" + i, "c" + i, 0));
    }
    assertThat(tp.state(key("adds")).getState()).as("6 of 10 failed: still above the exit rate").isEqualTo("BROKEN");
    tp.send(execution("adds", Result.PASSED, at(13), "r13", "c13", 0));
    assertThat(tp.state(key("adds")).getState()).as("5 of 10 failed: not below the exit rate").isEqualTo("BROKEN");
    tp.send(execution("adds", Result.PASSED, at(14), "r14", "c14", 0));

    FlakinessState state = tp.state(key("adds"));
    assertThat(state.getFailureRate()).isEqualTo(0.4);
    assertThat(state.getState()).as("the flip is still recent").isEqualTo("FLAKY");
    assertThat(state.getStateReason()).isEqualTo("failure_rate_recovered");
  }

  @Test
  void shouldLeaveFailureRateUndefinedBelowTheMinimumSampleSize() {
    start(FlakinessPolicy.defaults().withMinSamples(3));
    tp.send(execution("adds", Result.FAILED, at(0)));
    tp.send(execution("adds", Result.FAILED, at(1)));
    assertThat(tp.state(key("adds")).getFailureRate()).isNull();
    tp.send(execution("adds", Result.FAILED, at(2)));

    assertThat(tp.state(key("adds")).getFailureRate()).isEqualTo(1.0);
    assertThat(tp.state(key("adds")).getState()).isEqualTo("BROKEN");
  }

  @Test
  void shouldScoreTransitionsOverTheLastWResultsDividedByW() {
    start(FlakinessPolicy.defaults().withWindow(4).withMinSamples(1));
    Result[] results = {Result.FAILED, Result.FAILED, Result.PASSED, Result.FAILED, Result.PASSED};
    for (int i = 0; i < results.length; i++) {
      tp.send(execution("adds", results[i], at(i)));
    }
    // last 4: F P F P -> 3 changes / 4
    assertThat(tp.state(key("adds")).getTransitionScore()).isEqualTo(0.75);
  }

  @Test
  void shouldCountOnlyTheDefaultBranchWhenScopedToIt() {
    start(FlakinessPolicy.defaults().withWindow(4).withMinSamples(1).withBranchScope(BranchScope.DEFAULT_BRANCH)
        .withDefaultBranch("trunk"));
    tp.send(execution("adds", Result.FAILED, at(0))); // branch main: out of scope

    assertThat(tp.state(key("adds")).getWindow()).isEmpty();
    assertThat(tp.state(key("adds")).getFailureRate()).isNull();
  }

  @Test
  void shouldPlaceALateExecutionWithinGraceInTimeOrder() {
    start(FlakinessPolicy.defaults().withWindow(3).withMinSamples(1));
    tp.send(execution("adds", Result.PASSED, at(0)));
    tp.send(execution("adds", Result.PASSED, at(20)));
    tp.send(execution("adds", Result.PASSED, at(30)));
    tp.send(execution("adds", Result.FAILED, at(10))); // late, inside the window: P F P P -> last 3: F P P

    FlakinessState state = tp.state(key("adds"));
    assertThat(state.getWindow()).extracting(w -> w.getTime()).containsExactly(
        at(10).toEpochMilli(), at(20).toEpochMilli(), at(30).toEpochMilli());
    assertThat(state.getTransitionScore()).isEqualTo(1.0 / 3);
    assertThat(state.getFailureRate()).isEqualTo(1.0 / 3);
    assertThat(state.getClock()).as("the clock stays at the newest execution").isEqualTo(at(30).toEpochMilli());
  }

  @Test
  void shouldCountAndDropAnExecutionOlderThanTheGracePeriod() {
    start(FlakinessPolicy.defaults().withGrace(Duration.ofHours(1)));
    tp.send(execution("adds", Result.PASSED, at(600)));
    tp.send(execution("adds", Result.FAILED, at(0)));   // 10 hours late
    tp.send(execution("other", Result.FAILED, at(0))); // a test never seen, just as late

    assertThat(tp.state(key("adds")).getDroppedLate()).isEqualTo(1);
    assertThat(tp.state(key("adds")).getExecutions()).isEqualTo(1);
    assertThat(tp.state(key("adds")).getWindow()).hasSize(1);
    assertThat(tp.state(key("other")).getDroppedLate()).isEqualTo(1);
    assertThat(tp.state(key("other")).getState()).isNull();
    assertThat(droppedLateTotal()).isEqualTo(2.0);
    tp.send(execution("adds", Result.PASSED, at(601)));
    assertThat(tp.state(key("adds")).getExecutions()).as("processing goes on").isEqualTo(2);
  }

  private double droppedLateTotal() {
    return metricTotal("dropped-late-total");
  }

  private double metricTotal(String name) {
    Map<MetricName, ? extends Metric> metrics = tp.driver.metrics();
    return metrics.entrySet().stream().filter(m -> m.getKey().name().equals(name))
        .filter(m -> m.getKey().group().equals("stream-testpulse-flakiness-metrics"))
        .mapToDouble(m -> ((Number) m.getValue().metricValue()).doubleValue()).sum();
  }

  @Test
  void shouldForgetACommitAfterItsExpiry() {
    start(FlakinessPolicy.defaults().withCommitExpiry(Duration.ofHours(1)));
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(61), "r2", "c1", 0));

    assertThat(tp.flips.isEmpty()).isTrue();
    assertThat(tp.state(key("adds")).getCommitsSeen()).as("the commit counts afresh").isEqualTo(2);
  }

  @Test
  void shouldQuarantineAndReleaseWhenCommandsArrive() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.PASSED, at(0)));
    tp.send(command(QuarantineCommand.QUARANTINE, null, at(1)));
    assertThat(tp.state(key("adds")).getState()).isEqualTo("QUARANTINED");
    tp.send(execution("adds", Result.PASSED, at(2)));
    assertThat(tp.state(key("adds")).getState()).isEqualTo("QUARANTINED");
    tp.send(command(QuarantineCommand.RELEASE, null, at(3)));

    assertThat(tp.transitions.readValuesToList()).extracting(Transition::to, Transition::reason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("HEALTHY", "first_execution"),
        org.assertj.core.groups.Tuple.tuple("QUARANTINED", "quarantined"),
        org.assertj.core.groups.Tuple.tuple("HEALTHY", "released"));
    List<TestStats> stats = tp.stats.readValuesToList();
    assertThat(stats).extracting(TestStats::state).containsExactly("HEALTHY", "QUARANTINED", "QUARANTINED", "HEALTHY");
    assertThat(stats).extracting(TestStats::version).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void shouldCarryTheQuarantineModeWhenACommandAsksToSkip() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.PASSED, at(0)));
    tp.send(new QuarantineCommand(key("adds"), Executions.TENANT, testId("adds"), QuarantineCommand.QUARANTINE,
        "too noisy", null, "acme:admin", at(1).toEpochMilli(), QuarantineCommand.SKIP));

    assertThat(tp.state(key("adds")).getQuarantineMode()).isEqualTo("skip");
    assertThat(tp.transitions.readValuesToList()).last().satisfies(t -> {
      assertThat(t.to()).isEqualTo("QUARANTINED");
      assertThat(t.evidence()).containsEntry("mode", "skip");
    });
    assertThat(tp.stats.readValuesToList()).last().extracting(TestStats::quarantineMode).isEqualTo("skip");
  }

  @Test
  void shouldMuteWhenAQuarantineCommandNamesNoMode() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.PASSED, at(0)));
    tp.send(command(QuarantineCommand.QUARANTINE, null, at(1)));
    tp.send(command(QuarantineCommand.RELEASE, null, at(2)));

    List<TestStats> stats = tp.stats.readValuesToList();
    assertThat(stats).extracting(TestStats::quarantineMode).containsExactly(null, "mute", null);
    assertThat(tp.state(key("adds")).getQuarantineMode()).as("a release clears the mode").isNull();
  }

  @Test
  void shouldDeadLetterAQuarantineCommandWhoseKeyIsNotItsTest() {
    start(FlakinessPolicy.defaults());
    tp.commands.pipeInput("acme/ffffffffffffffffffffffffffffffff", command(QuarantineCommand.QUARANTINE, null, at(0)));
    tp.send(execution("adds", Result.PASSED, at(1)));

    var dead = tp.deadLetters.readRecord();
    assertThat(new String(dead.headers().lastHeader("__streams.errors.message").value(),
        java.nio.charset.StandardCharsets.UTF_8)).contains("quarantine command key is not tenant/test_id");
    assertThat(tp.state(key("adds")).getState()).as("processing goes on").isEqualTo("HEALTHY");
  }

  @Test
  void shouldLiftAQuarantineWhenItsExpiryPasses() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.PASSED, at(0)));
    tp.send(command(QuarantineCommand.QUARANTINE, at(60).toEpochMilli(), at(1)));
    tp.send(execution("adds", Result.PASSED, at(59)));
    assertThat(tp.state(key("adds")).getState()).isEqualTo("QUARANTINED");
    tp.send(execution("adds", Result.PASSED, at(60)));

    assertThat(tp.state(key("adds")).getState()).isEqualTo("HEALTHY");
    assertThat(tp.state(key("adds")).getStateReason()).isEqualTo("quarantine_expired");
  }

  @Test
  void shouldCarryStateScoreAndFlipsInTestStats() {
    start(FlakinessPolicy.defaults());
    tp.send(execution("adds", Result.FAILED, at(0), "r1", "c1", 0));
    tp.send(execution("adds", Result.PASSED, at(1), "r1", "c1", 1));
    tp.send(execution("adds", Result.PASSED, at(2), "r2", "c2", 0));

    TestStats last = tp.stats.readKeyValuesToMap().get(key("adds"));
    assertThat(last.state()).isEqualTo("FLAKY");
    assertThat(last.flips()).isEqualTo(1);
    assertThat(last.commitsSeen()).isEqualTo(2);
    // c1 flipped, c2 did not; c2 is newer, so it weighs a little more: score just under 1/2
    assertThat(last.flakinessScore()).isLessThan(0.5).isGreaterThan(0.49);
    assertThat(last.reliability()).isEqualTo(2.0 / 3);
  }

  @Test
  void shouldRejectAnInvalidPolicyNamingTheBadValueWhenTheTopologyIsBuilt() {
    TestpulseTopology topology = TestpulseTopology.withTopics(Topics.withPrefix("tp"))
        .withFlakinessPolicy(FlakinessPolicy.defaults().withWindow(1));
    assertThatThrownBy(topology::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window must be at least 2, was 1");
    assertThatThrownBy(() -> TestpulseTopology.withTopics(Topics.withPrefix("tp"))
        .withFlakinessPolicy(FlakinessPolicy.defaults().withBrokenRates(0.8, 0.9)).build())
        .hasMessageContaining("broken exit rate must be in [0, broken enter rate 0.8], was 0.9");
    assertThatThrownBy(() -> TestpulseTopology.create(new TestpulseConfig(Map.of(
        TestpulseConfig.FLAKINESS_MIN_SAMPLES_CONFIG, "60"))).build())
        .hasMessageContaining("min samples must be between 1 and the window (50), was 60");
  }

  @Test
  void shouldReadThePolicyFromConfiguration() {
    TestpulseConfig config = new TestpulseConfig(Map.of(TestpulseConfig.FLAKINESS_WINDOW_CONFIG, "30",
        TestpulseConfig.FLAKINESS_BRANCH_SCOPE_CONFIG, "DEFAULT_BRANCH",
        TestpulseConfig.FLAKINESS_GRACE_MS_CONFIG, "60000"));

    assertThat(config.flakinessPolicy()).isEqualTo(FlakinessPolicy.defaults().withWindow(30)
        .withBranchScope(BranchScope.DEFAULT_BRANCH).withGrace(Duration.ofMinutes(1)));
    assertThat(TestpulseConfig.toHtmlTable()).contains(TestpulseConfig.FLAKINESS_OUTAGE_FAILED_SHARE_CONFIG);
  }

  private static QuarantineCommand command(String action, Long expiresAt, Instant at) {
    return new QuarantineCommand(key("adds"), Executions.TENANT, testId("adds"), action, "too noisy", expiresAt,
        "acme:admin", at.toEpochMilli());
  }

}
