package io.testpulse.ingest;

import java.util.Map;

/**
 * One result as read from an upload, before mapping: the fields of a Buildkite-format JSON record
 * (or of a JUnit testcase) that testpulse uses. Nulls where the upload did not say.
 *
 * @param index position of the result in the upload (0-based), used to name it in errors
 * @param id the collector's {@code id}, else Ruby's {@code external_id}
 * @param durationSeconds {@code history.duration} (JSON) or {@code time} (JUnit), seconds
 * @param attemptInUpload 0 for a plain result; 1, 2, ... for Surefire reruns of the same testcase
 * @param problem why the record cannot be used even before mapping (e.g. it is not a JSON object)
 */
public record UploadRecord(int index, String id, String scope, String name, String fileName, String location,
                           String result, Double durationSeconds, String failureReason, Map<String, String> tags,
                           int attemptInUpload, String problem) {

  public UploadRecord {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  static UploadRecord malformed(int index, String problem) {
    return new UploadRecord(index, null, null, null, null, null, null, null, null, Map.of(), 0, problem);
  }
}
