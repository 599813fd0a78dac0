package io.testpulse.topology;

/** The flakiness state of a test. See the README's Definitions for when a test is in each. */
public enum HealthState {
  /** Neither flaky, broken nor quarantined. */
  HEALTHY,
  /** Flipped between pass and fail on one commit recently (hysteresis: see {@link FlakinessPolicy}). */
  FLAKY,
  /** Fails nearly always, with enough samples; a broken test is not flaky. */
  BROKEN,
  /** Set and lifted by a user's command, with an optional expiry; overrides the others. */
  QUARANTINED
}
