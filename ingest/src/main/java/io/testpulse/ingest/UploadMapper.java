package io.testpulse.ingest;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.ExecutionLimits;
import io.testpulse.topology.TestKeys;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Maps the results of one upload to {@link TestExecution}s (SPEC §2): tenant from the credential,
 * suite from the credential or the upload, {@code test_id} from (tenant, suite, scope, name),
 * {@code event_time} the receive time, run from {@code run_env}, tags of the upload overlaid by the
 * result's own, failure reasons truncated.
 *
 * <p>{@code execution_id} is the collector's {@code id} (or {@code external_id}). Without one it is a
 * hash of (tenant, run key, scope, name, location, position of the result in the upload, digest of the
 * upload's decoded payload). The position makes reruns inside one upload distinct; the digest makes
 * an identical re-sent upload produce identical ids (so the topology drops the copy), while a retried
 * CI job of the same run key, whose upload differs (other durations, timestamps or results), gets
 * ids of its own and is counted, as the next attempt.
 */
public final class UploadMapper {

  /** A mapped result: the execution, or why the result was rejected. */
  public record Mapped(TestExecution execution, String error) {
    public boolean ok() {
      return execution != null;
    }
  }

  private final String tenant;
  private final String suite;
  private final RunInfo run;
  private final Map<String, String> uploadTags;
  private final Instant eventTime;
  private final String payloadDigest;
  private final int maxReasonBytes;

  public UploadMapper(String tenant, String suite, RunInfo run, Map<String, String> uploadTags, Instant eventTime,
      String payloadDigest, int maxReasonBytes) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.suite = Objects.requireNonNull(suite, "suite");
    this.run = Objects.requireNonNull(run, "run");
    this.uploadTags = Map.copyOf(uploadTags);
    this.eventTime = Objects.requireNonNull(eventTime, "eventTime");
    this.payloadDigest = Objects.requireNonNull(payloadDigest, "payloadDigest");
    this.maxReasonBytes = maxReasonBytes;
  }

  public Mapped map(UploadRecord r) {
    if (r.problem() != null) {
      return new Mapped(null, r.problem());
    }
    if (r.name() == null || r.name().isBlank()) {
      return new Mapped(null, "missing name");
    }
    if (r.durationSeconds() == null) {
      return new Mapped(null, "missing history.duration (JSON) or time (JUnit), in seconds");
    }
    double seconds = r.durationSeconds();
    if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0) {
      return new Mapped(null, "duration must be a non-negative number of seconds");
    }
    String testId = TestKeys.testId(tenant, suite, r.scope(), r.name());
    // the upload's tags (bounded by UploadMapping) are shared by every result without a copy; a result
    // with tags of its own gets one merged map
    Map<String, String> tags = uploadTags;
    if (!r.tags().isEmpty()) {
      tags = new LinkedHashMap<>(uploadTags);
      tags.putAll(r.tags());
    }
    String id = r.id() != null && !r.id().isBlank() ? r.id() : derivedId(r);
    TestExecution execution = TestExecution.newBuilder()
        .setExecutionId(id)
        .setTenant(tenant).setSuite(suite).setTestId(testId)
        .setScope(r.scope()).setName(r.name()).setFileName(r.fileName()).setLocation(r.location())
        .setResult(result(r.result()))
        .setDurationMicros(Math.round(seconds * 1_000_000d))
        .setEventTime(eventTime)
        .setRun(run)
        .setAttempt(r.attemptInUpload())
        .setTags(tags)
        .setFailureReason(truncateUtf8(r.failureReason(), maxReasonBytes))
        .build();
    String tooLarge = ExecutionLimits.violation(execution);
    if (tooLarge != null) {
      // the topology would dead-letter it; Kafka could refuse it (a 503 the collector retries forever)
      return new Mapped(null, tooLarge);
    }
    return new Mapped(execution, null);
  }

  private String derivedId(UploadRecord r) {
    MessageDigest sha = sha256();
    for (String part : new String[] {tenant, run.getKey(), r.scope(), r.name(), r.location(),
        Integer.toString(r.index()), payloadDigest}) {
      sha.update((part == null ? "" : part).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
    return "tp-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  /** The run from {@code run_env}: {@code CI} or {@code ci}, key, number, job_id, branch, commit_sha, message, url. */
  public static RunInfo run(Map<String, String> runEnv, String fallbackKey) {
    String key = blankToNull(runEnv.get("key"));
    return RunInfo.newBuilder()
        .setCi(blankToNull(runEnv.getOrDefault("CI", runEnv.get("ci"))))
        .setKey(key != null ? key : fallbackKey)
        .setNumber(blankToNull(runEnv.get("number")))
        .setJobId(blankToNull(runEnv.get("job_id")))
        .setBranch(normaliseBranch(blankToNull(runEnv.get("branch"))))
        .setCommitSha(blankToNull(runEnv.get("commit_sha")))
        .setMessage(blankToNull(runEnv.get("message")))
        .setUrl(blankToNull(runEnv.get("url")))
        .build();
  }

  /** {@code refs/heads/x} becomes {@code x}; other values are kept. */
  public static String normaliseBranch(String branch) {
    return branch != null && branch.startsWith("refs/heads/") ? branch.substring("refs/heads/".length()) : branch;
  }

  /** passed, failed, skipped, pending; anything else (including unknown and nothing) is UNKNOWN. */
  public static Result result(String text) {
    if (text == null) {
      return Result.UNKNOWN;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "passed" -> Result.PASSED;
      case "failed" -> Result.FAILED;
      case "skipped" -> Result.SKIPPED;
      case "pending" -> Result.PENDING;
      default -> Result.UNKNOWN;
    };
  }

  /** At most {@code maxBytes} UTF-8 bytes, never cutting a character in two; null stays null, empty becomes null. */
  public static String truncateUtf8(String text, int maxBytes) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.length() * 3L <= maxBytes) {
      return text;
    }
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    ByteBuffer out = ByteBuffer.allocate(maxBytes);
    CharBuffer in = CharBuffer.wrap(text);
    encoder.encode(in, out, true);
    if (!in.hasRemaining()) {
      return text;
    }
    return text.substring(0, in.position());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
