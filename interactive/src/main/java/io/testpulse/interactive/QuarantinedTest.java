package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.topology.QuarantineCommand;

/**
 * A test under quarantine, as {@code GET /api/v1/quarantined} answers it: what a test runner needs
 * to skip or mute it (suite, scope, name, file), and why and until when.
 *
 * @param expiresAt epoch millis when the quarantine lapses by itself; null for none
 * @param quarantinedAt epoch millis of the quarantine command
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
    long quarantinedAt) {

  static QuarantinedTest from(QuarantineCommand c) {
    return new QuarantinedTest(c.testId(), null, null, null, null, c.reason(), c.expiresAt(), c.requestedBy(),
        c.requestedAt());
  }

  QuarantinedTest withIdentity(TestSummary test) {
    return new QuarantinedTest(testId, test.suite(), test.scope(), test.name(), test.fileName(), reason, expiresAt,
        quarantinedBy, quarantinedAt);
  }
}
