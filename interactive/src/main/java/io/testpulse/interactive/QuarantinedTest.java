package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestState;
import io.testpulse.topology.QuarantineCommand;

/**
 * A test under quarantine, as {@code GET /api/v1/quarantined} answers it: what a test runner needs
 * to skip or mute it (suite, scope, name, file), and why and until when.
 *
 * @param expiresAt epoch millis when the quarantine lapses by itself; null for none
 * @param quarantinedAt event time (epoch millis) the test entered QUARANTINED
 * @param mode {@code mute} (run, failure ignored) or {@code skip} (not run)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuarantinedTest(
    String testId,
    String suite,
    String scope,
    String name,
    String fileName,
    String reason,
    Long expiresAt,
    String quarantinedBy,
    long quarantinedAt,
    String mode) {

  /** The quarantine kept in a flakiness state, named by the test's state ({@code test} may be null). */
  static QuarantinedTest from(FlakinessState f, TestState test) {
    return new QuarantinedTest(f.getTestId(), test == null ? f.getSuite() : test.getSuite(),
        test == null ? null : test.getScope(), test == null ? null : test.getName(),
        test == null ? null : test.getFileName(), f.getQuarantineReason(), f.getQuarantineExpiresAt(),
        f.getQuarantinedBy(), f.getStateSince(),
        f.getQuarantineMode() == null ? QuarantineCommand.MUTE : f.getQuarantineMode());
  }
}
