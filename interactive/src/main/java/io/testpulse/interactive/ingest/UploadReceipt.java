package io.testpulse.interactive.ingest;

import java.util.List;

/**
 * The answer to an accepted upload, as the Buildkite upload API gives it: the upload's {@code id},
 * how many results were {@code queued} (acknowledged by Kafka), how many were {@code skipped}, and
 * why, by position: {@code errors}.
 */
public record UploadReceipt(String id, int queued, int skipped, List<RecordError> errors) {

  public UploadReceipt {
    errors = List.copyOf(errors);
  }

  /** A rejected result: its 0-based position in the upload and the reason. */
  public record RecordError(int index, String reason) {
  }
}
