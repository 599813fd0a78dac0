package io.testpulse.testkit;

import io.testpulse.avro.TestExecution;
import java.util.List;

/**
 * What {@code driver.send(upload)} did, like the HTTP API's {@code 202} receipt: the upload's id (the
 * same for a re-sent identical upload), the executions sent to the topology, and the rejected results,
 * each named by its 0-based position.
 */
public record UploadResult(String id, List<TestExecution> queued, List<RejectedResult> errors) {

  /** A result of the upload that was not sent, and why (e.g. {@code missing name}). */
  public record RejectedResult(int index, String reason) {
  }

  public UploadResult {
    queued = List.copyOf(queued);
    errors = List.copyOf(errors);
  }

  /** How many results were rejected. */
  public int skipped() {
    return errors.size();
  }
}
