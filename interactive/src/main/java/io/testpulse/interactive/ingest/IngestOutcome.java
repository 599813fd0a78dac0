package io.testpulse.interactive.ingest;

import java.time.Duration;

/**
 * What became of an upload, as a value (mapped to HTTP in one place, the ingest controller):
 * {@code ACCEPTED} with a receipt only once Kafka acknowledged every queued record.
 */
public record IngestOutcome(Status status, UploadReceipt receipt, String detail, Duration retryAfter) {

  public enum Status { ACCEPTED, BAD_REQUEST, TOO_LARGE, UNAVAILABLE }

  public static IngestOutcome accepted(UploadReceipt receipt) {
    return new IngestOutcome(Status.ACCEPTED, receipt, null, null);
  }

  public static IngestOutcome badRequest(String detail) {
    return new IngestOutcome(Status.BAD_REQUEST, null, detail, null);
  }

  public static IngestOutcome tooLarge(String detail) {
    return new IngestOutcome(Status.TOO_LARGE, null, detail, null);
  }

  public static IngestOutcome unavailable(String detail, Duration retryAfter) {
    return new IngestOutcome(Status.UNAVAILABLE, null, detail, retryAfter);
  }
}
