package io.testpulse.topology;

import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import java.util.Map;

/**
 * How large one execution may be. Every output record repeats an execution's text (the enriched
 * row all of it, the test's stats its identity), and JSON writes a control character as six bytes,
 * so an execution that is small enough for the input topic can still make an output record larger
 * than Kafka accepts, which stops Kafka Streams. The topology dead-letters an execution over these
 * limits and the upload API rejects it (that one record), so no output can outgrow them: at most
 * {@code 6 * (MAX_TEXT_BYTES + MAX_FAILURE_REASON_BYTES)} bytes of JSON text, 768 KiB.
 */
public final class ExecutionLimits {

  /**
   * Most UTF-8 bytes of an execution's text without its failure reason: ids, suite, scope, name,
   * file name, location, run fields, tag keys and values (each tag also counts {@value #TAG_OVERHEAD_BYTES}).
   */
  public static final int MAX_TEXT_BYTES = 64 * 1024;

  /** Most UTF-8 bytes of a failure reason ({@code testpulse.failure.reason.max.bytes} truncates to less at ingest). */
  public static final int MAX_FAILURE_REASON_BYTES = 64 * 1024;

  /** What a tag costs beyond its text: JSON quotes, colon and comma, so a million empty tags are not free. */
  public static final int TAG_OVERHEAD_BYTES = 8;

  private ExecutionLimits() {
  }

  /** The UTF-8 bytes that count against {@link #MAX_TEXT_BYTES}. */
  public static long textBytes(TestExecution e) {
    long bytes = utf8(e.getExecutionId()) + utf8(e.getTenant()) + utf8(e.getSuite()) + utf8(e.getTestId())
        + utf8(e.getScope()) + utf8(e.getName()) + utf8(e.getFileName()) + utf8(e.getLocation());
    RunInfo run = e.getRun();
    if (run != null) {
      bytes += utf8(run.getCi()) + utf8(run.getKey()) + utf8(run.getNumber()) + utf8(run.getJobId())
          + utf8(run.getBranch()) + utf8(run.getCommitSha()) + utf8(run.getMessage()) + utf8(run.getUrl());
    }
    Map<String, String> tags = e.getTags();
    if (tags != null) {
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        bytes += TAG_OVERHEAD_BYTES + utf8(tag.getKey()) + utf8(tag.getValue());
      }
    }
    return bytes;
  }

  /** Why {@code e} is too large, or null when it is within the limits. */
  public static String violation(TestExecution e) {
    long text = textBytes(e);
    if (text > MAX_TEXT_BYTES) {
      return "execution text of " + text + " UTF-8 bytes (ids, identity, run, tags) exceeds " + MAX_TEXT_BYTES;
    }
    long reason = utf8(e.getFailureReason());
    if (reason > MAX_FAILURE_REASON_BYTES) {
      return "failure_reason of " + reason + " UTF-8 bytes exceeds " + MAX_FAILURE_REASON_BYTES;
    }
    return null;
  }

  /** UTF-8 length without encoding: one pass over the chars. */
  private static long utf8(String s) {
    if (s == null) {
      return 0;
    }
    long bytes = 0;
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
