package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestState;
import io.testpulse.topology.TestStats;

/**
 * A test as the query API answers it: every field of {@link TestStats} plus the flakiness fields.
 * JSON field names are snake_case and stable.
 *
 * @param state {@code HEALTHY}, {@code FLAKY}, {@code BROKEN} or {@code QUARANTINED}; null before the
 *     flakiness engine has seen the test
 * @param score the flakiness score in [0,1]: time-decayed share of commits on which the test flipped
 * @param stateSince event time (epoch millis) of the last state change
 * @param stateReason why the state last changed, e.g. {@code same_commit_flip}
 * @param transitionScore pass/fail changes between consecutive results of the last W, divided by W
 * @param failureRate failed share of the last W results; null below the minimum sample size
 * @param flips commits on which the test flipped (confirmed, not retracted)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TestSummary(
    String key,
    String tenant,
    String suite,
    String testId,
    String scope,
    String name,
    String fileName,
    String state,
    Double score,
    Long stateSince,
    String stateReason,
    Double transitionScore,
    Double failureRate,
    Long flips,
    Double reliability,
    long passed,
    long failed,
    long skipped,
    long other,
    long executions,
    long firstSeen,
    long lastSeen,
    String lastResult,
    long version) {

  /** A test's counts and, when the flakiness engine has seen it ({@code flakiness} not null), its flakiness. */
  public static TestSummary from(TestState state, FlakinessState flakiness) {
    TestStats s = TestStats.from(state, flakiness);
    return new TestSummary(s.key(), s.tenant(), s.suite(), s.testId(), s.scope(), s.name(), s.fileName(),
        s.state(), s.flakinessScore(), s.stateSince(), s.stateReason(), s.transitionScore(), s.failureRate(),
        s.flips(), s.reliability(), s.passed(), s.failed(), s.skipped(), s.other(), s.executions(),
        s.firstSeen(), s.lastSeen(), s.lastResult(), s.version());
  }
}
