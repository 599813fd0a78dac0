package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * A change of a test's state, written to {@code <prefix>.test-transitions.v1} the moment it
 * happens (flakiness states HEALTHY/FLAKY/BROKEN/QUARANTINED, and duration regressions SLOW).
 *
 * @param key {@code tenant/test_id}, also the record key
 * @param from the state before ({@code null} for a test's first state)
 * @param to the state after
 * @param reason a short machine-readable reason, e.g. {@code same_commit_flip}
 * @param evidence what triggered it, e.g. {@code commit_sha}, {@code run_key}, {@code attempts}
 * @param time event time of the change, epoch millis
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Transition(
    String key,
    String tenant,
    String testId,
    String suite,
    String from,
    String to,
    String reason,
    Map<String, String> evidence,
    long time) {
}
