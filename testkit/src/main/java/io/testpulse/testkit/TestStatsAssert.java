package io.testpulse.testkit;

import io.testpulse.avro.Result;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.TestStats;
import java.time.Instant;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/** Assertions on one test's state ({@link TestStats}: what {@code GET /api/v1/tests/{testId}} answers). */
public final class TestStatsAssert extends AbstractAssert<TestStatsAssert, TestStats> {

  /** Reliability is a ratio of counts: equal within this much. */
  private static final double RATIO_TOLERANCE = 1e-9;

  TestStatsAssert(TestStats actual) {
    super(actual, TestStatsAssert.class);
  }

  public TestStatsAssert hasPassed(long expected) {
    return hasCount("passed", expected, stats().passed());
  }

  public TestStatsAssert hasFailed(long expected) {
    return hasCount("failed", expected, stats().failed());
  }

  public TestStatsAssert hasSkipped(long expected) {
    return hasCount("skipped", expected, stats().skipped());
  }

  /** PENDING and UNKNOWN results. */
  public TestStatsAssert hasOther(long expected) {
    return hasCount("other (pending and unknown)", expected, stats().other());
  }

  /** Every result received. */
  public TestStatsAssert hasExecutions(long expected) {
    return hasCount("executions", expected, stats().executions());
  }

  /** {@code passed / (passed + failed)}, compared within 1e-9. */
  public TestStatsAssert hasReliability(double expected) {
    Double reliability = stats().reliability();
    if (reliability == null || Math.abs(reliability - expected) > RATIO_TOLERANCE) {
      failWithMessage("Expected reliability %s but was %s (passed %s, failed %s)", expected, reliability,
          actual.passed(), actual.failed());
    }
    return this;
  }

  /** No reliability yet: the test has neither passed nor failed. */
  public TestStatsAssert hasNoReliability() {
    if (stats().reliability() != null) {
      failWithMessage("Expected no reliability but was %s (passed %s, failed %s)", actual.reliability(),
          actual.passed(), actual.failed());
    }
    return this;
  }

  /** The result of the latest execution in event time. */
  public TestStatsAssert hasLastResult(Result expected) {
    if (!Objects.equals(expected.name(), stats().lastResult())) {
      failWithMessage("Expected last result %s but was %s", expected, actual.lastResult());
    }
    return this;
  }

  public TestStatsAssert wasLastSeenAt(Instant expected) {
    if (stats().lastSeen() != expected.toEpochMilli()) {
      failWithMessage("Expected last seen at %s but was %s", expected, Instant.ofEpochMilli(actual.lastSeen()));
    }
    return this;
  }

  public TestStatsAssert wasFirstSeenAt(Instant expected) {
    if (stats().firstSeen() != expected.toEpochMilli()) {
      failWithMessage("Expected first seen at %s but was %s", expected, Instant.ofEpochMilli(actual.firstSeen()));
    }
    return this;
  }

  /** The test's flakiness state is {@code expected}. */
  public TestStatsAssert isIn(HealthState expected) {
    if (!Objects.equals(expected.name(), stats().state())) {
      failWithMessage("Expected state %s but was %s (reason %s; flips %s, failure rate %s, transition score %s)",
          expected, actual.state(), actual.stateReason(), actual.flips(), actual.failureRate(), actual.transitionScore());
    }
    return this;
  }

  /** HEALTHY: neither flaky, broken nor quarantined. */
  public TestStatsAssert isHealthy() {
    return isIn(HealthState.HEALTHY);
  }

  /** FLAKY: flipped on one commit recently. */
  public TestStatsAssert isFlaky() {
    return isIn(HealthState.FLAKY);
  }

  /** BROKEN: fails nearly always. */
  public TestStatsAssert isBroken() {
    return isIn(HealthState.BROKEN);
  }

  /** QUARANTINED by a user's command. */
  public TestStatsAssert isQuarantined() {
    return isIn(HealthState.QUARANTINED);
  }

  /** Quarantined, with the quarantine lapsing at {@code expiresAt}. */
  public TestStatsAssert isQuarantinedUntil(Instant expiresAt) {
    isQuarantined();
    if (!Objects.equals(expiresAt.toEpochMilli(), actual.quarantineExpiresAt())) {
      failWithMessage("Expected the quarantine to expire at %s but it expires at %s", expiresAt,
          actual.quarantineExpiresAt() == null ? "never" : Instant.ofEpochMilli(actual.quarantineExpiresAt()));
    }
    return this;
  }

  /** Commits on which the test flipped (confirmed, not retracted). */
  public TestStatsAssert hasFlips(long expected) {
    Long flips = stats().flips();
    return hasCount("flips", expected, flips == null ? 0 : flips);
  }

  /** The flakiness score, in [0, 1], within {@code tolerance}. */
  public TestStatsAssert hasFlakinessScore(double expected, double tolerance) {
    return hasRatio("flakiness score", expected, tolerance, stats().flakinessScore());
  }

  /** Flips between consecutive results of the last W, divided by W, within 1e-9. */
  public TestStatsAssert hasTransitionScore(double expected) {
    return hasRatio("transition score", expected, RATIO_TOLERANCE, stats().transitionScore());
  }

  /** The failed share of the last W results, within 1e-9. */
  public TestStatsAssert hasFailureRate(double expected) {
    return hasRatio("failure rate", expected, RATIO_TOLERANCE, stats().failureRate());
  }

  /** No failure rate yet: fewer results than the minimum sample size. */
  public TestStatsAssert hasNoFailureRate() {
    if (stats().failureRate() != null) {
      failWithMessage("Expected no failure rate (below the minimum sample size) but was %s", actual.failureRate());
    }
    return this;
  }

  private TestStatsAssert hasRatio(String what, double expected, double tolerance, Double value) {
    if (value == null || Math.abs(value - expected) > tolerance) {
      failWithMessage("Expected %s %s (within %s) but was %s", what, expected, tolerance, value);
    }
    return this;
  }

  /** The monotonic version: one more for every change of the test's state. */
  public TestStatsAssert hasVersion(long expected) {
    return hasCount("version", expected, stats().version());
  }

  private TestStats stats() {
    isNotNull();
    return actual;
  }

  private TestStatsAssert hasCount(String what, long expected, long value) {
    if (value != expected) {
      failWithMessage("Expected %s to be %s but was %s in %s", what, expected, value, actual);
    }
    return this;
  }
}
