package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.ExecutionLimits;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.errors.InvalidExecutionException;

/** Checks the invariants the topology relies on; a violation goes to the dead-letter topic. */
public final class ExecutionValidator {

  private ExecutionValidator() {
  }

  public static void validate(String key, TestExecution e) {
    if (e == null) {
      throw new InvalidExecutionException("null execution value (tombstones are not valid input)");
    }
    if (!TestKeys.isValidTenant(e.getTenant())) {
      throw new InvalidExecutionException("invalid tenant (must match " + TestKeys.TENANT + ")");
    }
    if (!TestKeys.isValidTestId(e.getTestId())) {
      throw new InvalidExecutionException("invalid test_id (must be 32 lowercase hex characters)");
    }
    if (!TestKeys.key(e.getTenant(), e.getTestId()).equals(key)) {
      throw new InvalidExecutionException("record key is not tenant/test_id of its value");
    }
    if (e.getDurationMicros() < 0) {
      throw new InvalidExecutionException("negative duration_micros");
    }
    if (e.getRun() == null || e.getRun().getKey() == null || e.getRun().getKey().isEmpty()) {
      throw new InvalidExecutionException("missing run key");
    }
    String tooLarge = ExecutionLimits.violation(e);
    if (tooLarge != null) {
      // its outputs could outgrow Kafka's message size and stop the stream thread
      throw new InvalidExecutionException(tooLarge);
    }
  }
}
