package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestState;

/**
 * The current state of one test, as written to the compacted {@code <prefix>.test-stats.v1} topic
 * and answered by {@code GET /api/v1/tests/{testId}}. JSON field names are snake_case; the key
 * ({@code tenant/test_id}) is inside the value because ClickHouse and sink connectors read values.
 *
 * @param reliability {@code passed / (passed + failed)}, or null before the first pass or fail
 * @param version one more for every change of this test's state: ClickHouse's ReplacingMergeTree
 *     keeps the row with the highest version
 * @param deleted always 0 for now; a removed test is a row with 1, never a tombstone
 * @param state HEALTHY, FLAKY, BROKEN or QUARANTINED (null if the flakiness engine has not seen the test)
 * @param flakinessScore time-decayed share of commits on which the test flipped, in [0, 1]
 * @param transitionScore pass/fail changes between consecutive results of the last W, divided by W
 * @param failureRate failed share of the last W results; null below the minimum sample size
 * @param flips commits on which the test flipped (confirmed by the outage guard, not retracted)
 * @param quarantineExpiresAt epoch millis, or null (no quarantine, or one without expiry)
 * @param quarantineMode {@code mute} or {@code skip} while quarantined, else null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TestStats(
    String key,
    String tenant,
    String suite,
    String testId,
    String scope,
    String name,
    String fileName,
    long passed,
    long failed,
    long skipped,
    long other,
    long executions,
    Double reliability,
    long firstSeen,
    long lastSeen,
    String lastResult,
    long version,
    int deleted,
    String state,
    Long stateSince,
    String stateReason,
    Double flakinessScore,
    Double transitionScore,
    Double failureRate,
    Integer windowSize,
    Long flips,
    Long flipsRetracted,
    Long commitsSeen,
    Long droppedLate,
    Long quarantineExpiresAt,
    String quarantineReason,
    String quarantineMode) {

  /** A row without flakiness fields (all null), as before the flakiness engine. */
  public TestStats(String key, String tenant, String suite, String testId, String scope, String name, String fileName,
                   long passed, long failed, long skipped, long other, long executions, Double reliability,
                   long firstSeen, long lastSeen, String lastResult, long version, int deleted) {
    this(key, tenant, suite, testId, scope, name, fileName, passed, failed, skipped, other, executions, reliability,
        firstSeen, lastSeen, lastResult, version, deleted, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null);
  }

  /** The view of a stored state, without flakiness. */
  public static TestStats from(TestState s) {
    return from(s, null);
  }

  /** The view of a stored state and its flakiness state ({@code null} leaves the flakiness fields null). */
  public static TestStats from(TestState s, FlakinessState f) {
    long executions = s.getPassed() + s.getFailed() + s.getSkipped() + s.getOther();
    boolean q = f != null && f.getQuarantined();
    return new TestStats(
        TestKeys.key(s.getTenant(), s.getTestId()), s.getTenant(), s.getSuite(), s.getTestId(),
        s.getScope(), s.getName(), s.getFileName(),
        s.getPassed(), s.getFailed(), s.getSkipped(), s.getOther(), executions,
        reliability(s.getPassed(), s.getFailed()),
        s.getFirstSeen().toEpochMilli(), s.getLastSeen().toEpochMilli(), s.getLastResult().name(),
        s.getVersion(), 0,
        f == null ? null : f.getState(), f == null ? null : f.getStateSince(), f == null ? null : f.getStateReason(),
        f == null ? null : f.getFlakinessScore(), f == null ? null : f.getTransitionScore(),
        f == null ? null : f.getFailureRate(), f == null ? null : f.getWindow().size(),
        f == null ? null : f.getFlipsTotal(), f == null ? null : f.getFlipsRetracted(),
        f == null ? null : f.getCommitsSeen(), f == null ? null : f.getDroppedLate(),
        q ? f.getQuarantineExpiresAt() : null, q ? f.getQuarantineReason() : null,
        q ? (f.getQuarantineMode() == null ? QuarantineCommand.MUTE : f.getQuarantineMode()) : null);
  }

  /** {@code passed / (passed + failed)}; skipped, pending and unknown do not count. */
  public static Double reliability(long passed, long failed) {
    long decided = passed + failed;
    return decided == 0 ? null : (double) passed / decided;
  }
}
