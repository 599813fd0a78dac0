package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.avro.TestState;
import io.testpulse.topology.TestStats;

/**
 * A test as the query API answers it: every field of {@link TestStats} plus the flakiness fields.
 * JSON field names are snake_case and stable.
 *
 * @param state {@code HEALTHY}, {@code FLAKY}, {@code BROKEN} or {@code QUARANTINED}; null until the
 *     flakiness engine keeps a state for the test
 * @param score flakiness score in [0,1]; null until the flakiness engine keeps one
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

  public static TestSummary from(TestState state) {
    TestStats s = TestStats.from(state);
    return new TestSummary(s.key(), s.tenant(), s.suite(), s.testId(), s.scope(), s.name(), s.fileName(),
        null, null, s.reliability(), s.passed(), s.failed(), s.skipped(), s.other(), s.executions(),
        s.firstSeen(), s.lastSeen(), s.lastResult(), s.version());
  }
}
