package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A same-commit flip: the test passed and failed on one commit, written to
 * {@code <prefix>.test-flips.v1} (keyed {@code tenant/test_id}) the moment it is confirmed, and
 * again with {@code retracted = true} if the failing run later turns out to be an outage.
 *
 * @param failRunKey run key of the failing execution
 * @param failAttempt its attempt (0 for the first execution of the test in that run)
 * @param passRunKey run key of the first passing execution on the commit
 * @param passAttempt its attempt
 * @param time event time at which the pass and the failure first met, epoch millis
 * @param retracted true when this withdraws an earlier flip of the same commit
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Flip(
    String key,
    String tenant,
    String testId,
    String suite,
    String commitSha,
    String failRunKey,
    int failAttempt,
    String passRunKey,
    int passAttempt,
    long time,
    boolean retracted) {
}
