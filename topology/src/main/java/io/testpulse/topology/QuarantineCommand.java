package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A user's quarantine decision, written to {@code <prefix>.quarantine-commands.v1} (keyed
 * {@code tenant/test_id}) by the HTTP API and applied by the flakiness topology.
 *
 * @param action {@code QUARANTINE} or {@code RELEASE}
 * @param expiresAt epoch millis after which a quarantine lapses by itself; null for no expiry
 * @param requestedBy who asked (the token's tenant and role, or a user name given by the caller)
 * @param requestedAt epoch millis
 * @param mode for QUARANTINE: {@link #MUTE} (run the test, ignore its failure) or {@link #SKIP} (do not run
 *     it); null means {@link #MUTE} (commands written before modes existed)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuarantineCommand(
    String key,
    String tenant,
    String testId,
    String action,
    String reason,
    Long expiresAt,
    String requestedBy,
    long requestedAt,
    String mode) {

  /** {@link #action()}: quarantine the test until {@code expiresAt} or a release. */
  public static final String QUARANTINE = "QUARANTINE";
  /** {@link #action()}: end the test's quarantine. */
  public static final String RELEASE = "RELEASE";
  /** {@link #mode()}: the test runs and its failure does not fail the build (the default). */
  public static final String MUTE = "mute";
  /** {@link #mode()}: the test is not run. */
  public static final String SKIP = "skip";

  /** A command without a mode: a quarantine mutes. */
  public QuarantineCommand(String key, String tenant, String testId, String action, String reason, Long expiresAt,
      String requestedBy, long requestedAt) {
    this(key, tenant, testId, action, reason, expiresAt, requestedBy, requestedAt, null);
  }

  /** The mode a QUARANTINE applies: {@link #SKIP} when asked for, else {@link #MUTE}. */
  public String effectiveMode() {
    return SKIP.equals(mode) ? SKIP : MUTE;
  }
}
