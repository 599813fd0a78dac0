package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
    int deleted) {

  /** The view of a stored state. */
  public static TestStats from(TestState s) {
    long executions = s.getPassed() + s.getFailed() + s.getSkipped() + s.getOther();
    return new TestStats(
        TestKeys.key(s.getTenant(), s.getTestId()), s.getTenant(), s.getSuite(), s.getTestId(),
        s.getScope(), s.getName(), s.getFileName(),
        s.getPassed(), s.getFailed(), s.getSkipped(), s.getOther(), executions,
        reliability(s.getPassed(), s.getFailed()),
        s.getFirstSeen().toEpochMilli(), s.getLastSeen().toEpochMilli(), s.getLastResult().name(),
        s.getVersion(), 0);
  }

  /** {@code passed / (passed + failed)}; skipped, pending and unknown do not count. */
  public static Double reliability(long passed, long failed) {
    long decided = passed + failed;
    return decided == 0 ? null : (double) passed / decided;
  }
}
