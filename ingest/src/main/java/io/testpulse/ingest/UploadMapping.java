package io.testpulse.ingest;

import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.ExecutionLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * How one upload becomes executions, with no HTTP and no Kafka types: the one place that decides the
 * format, merges the envelope, picks the suite and the run, and maps each result. The HTTP ingest path
 * ({@code IngestService}) produces what this yields; the testkit's {@code driver.send(upload)} pipes it
 * into a {@code TopologyTestDriver}; both therefore map an upload identically.
 *
 * <p>{@link #prepare} reads the payload once to check it (syntax, format, number of results) so that a
 * malformed or oversized upload yields nothing; {@link Prepared#read} then reads it again, result by
 * result, with bounded memory.
 */
public final class UploadMapping {

  /**
   * The ingest limits and defaults ({@code testpulse.ingest.*}, {@code testpulse.failure.reason.max.bytes}).
   *
   * @param maxUploadTags most upload-level tags ({@code testpulse.ingest.max.upload.tags})
   * @param maxUploadTagBytes most UTF-8 bytes of all upload-level tags, plus
   *     {@link ExecutionLimits#TAG_OVERHEAD_BYTES} per tag ({@code testpulse.ingest.max.upload.tag.bytes})
   */
  public record Limits(String defaultSuite, int maxResults, int maxReasonBytes, int maxUploadTags,
                       int maxUploadTagBytes) {
    /** Upload tags bounded by the configuration's defaults. */
    public static final int DEFAULT_MAX_UPLOAD_TAGS = 100;
    public static final int DEFAULT_MAX_UPLOAD_TAG_BYTES = 16 * 1024;

    public Limits {
      Objects.requireNonNull(defaultSuite, "defaultSuite");
    }

    /** Limits with the default bounds on upload tags. */
    public Limits(String defaultSuite, int maxResults, int maxReasonBytes) {
      this(defaultSuite, maxResults, maxReasonBytes, DEFAULT_MAX_UPLOAD_TAGS, DEFAULT_MAX_UPLOAD_TAG_BYTES);
    }
  }

  /** One result of the upload: its 0-based position, and the execution or why it was rejected. */
  public record Item(int index, TestExecution execution, String error) {
    public boolean ok() {
      return execution != null;
    }
  }

  private UploadMapping() {
  }

  /**
   * Checks an upload and fixes what every result of it shares.
   *
   * @param tenant from the credential, never from the payload
   * @param tokenSuite the suite the credential is bound to, or null
   * @param fields format, run_env, tags and suite given outside the payload (multipart fields or query
   *     string); they win over the JSON envelope's
   * @param payload the decoded body (JSON results or envelope, or JUnit XML)
   * @param receivedAt the event time of every execution of the upload
   * @throws MalformedUploadException invalid JSON or XML, or an unknown or inconsistent format (a 400)
   * @throws UploadTooLargeException more results than {@link Limits#maxResults()} (a 413)
   */
  public static Prepared prepare(String tenant, String tokenSuite, Envelope fields, UploadSpool payload,
      Instant receivedAt, Limits limits) throws IOException, MalformedUploadException, UploadTooLargeException {
    boolean junit = junit(fields.format());
    Envelope envelope;
    try (InputStream in = payload.open()) {
      envelope = junit ? Envelope.empty().withResults(JunitXmlReader.scan(in)) : JsonUploadReader.scan(in);
    }
    if (!junit && envelope.format() != null && !envelope.format().trim().equalsIgnoreCase("json")) {
      throw new MalformedUploadException(envelope.format().trim().equalsIgnoreCase("junit")
          ? "format 'junit' needs the JUnit XML as the body or as the multipart 'data' file"
          : "unknown format '" + envelope.format() + "' (expected json or junit)");
    }
    Envelope merged = fields.orElse(envelope);
    if (merged.results() > limits.maxResults()) {
      throw new UploadTooLargeException("at most " + limits.maxResults() + " results per upload "
          + "(testpulse.ingest.max.results); this upload has " + merged.results());
    }
    checkUploadTags(merged.tags(), limits);
    String suite = firstNonBlank(tokenSuite, merged.suite(), limits.defaultSuite());
    String digest = payload.sha256();
    RunInfo run = UploadMapper.run(merged.runEnv(), "upload-" + digest.substring(0, 16));
    UploadMapper mapper = new UploadMapper(tenant, suite, run, merged.tags(), receivedAt, digest,
        limits.maxReasonBytes());
    String id = UUID.nameUUIDFromBytes(String.join("\0", tenant, suite, run.getKey(), digest)
        .getBytes(StandardCharsets.UTF_8)).toString();
    return new Prepared(id, suite, run, merged.results(), junit, payload, mapper);
  }

  /**
   * Upload tags are copied into every result: bounded here, once per upload and before any result
   * is read, the cost of an upload stays linear in its size (at most
   * {@code maxResults * maxUploadTagBytes} bytes of tags are written).
   */
  private static void checkUploadTags(Map<String, String> tags, Limits limits) throws MalformedUploadException {
    if (tags.size() > limits.maxUploadTags()) {
      throw new MalformedUploadException("tags: at most " + limits.maxUploadTags() + " upload tags "
          + "(testpulse.ingest.max.upload.tags); this upload has " + tags.size());
    }
    long bytes = 0;
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      bytes += ExecutionLimits.TAG_OVERHEAD_BYTES + utf8(tag.getKey()) + utf8(tag.getValue());
    }
    if (bytes > limits.maxUploadTagBytes()) {
      throw new MalformedUploadException("tags: upload tags of " + bytes + " bytes exceed "
          + limits.maxUploadTagBytes() + " (testpulse.ingest.max.upload.tag.bytes)");
    }
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** {@code json} (or none) or {@code junit}, case-insensitive. */
  private static boolean junit(String declared) throws MalformedUploadException {
    String format = declared == null ? null : declared.trim().toLowerCase(Locale.ROOT);
    if (format == null || format.equals("json")) {
      return false;
    }
    if (format.equals("junit")) {
      return true;
    }
    throw new MalformedUploadException("unknown format '" + declared + "' (expected json or junit)");
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    throw new IllegalArgumentException("no value");
  }

  /** A checked upload: what its results share, and a second, streaming read of them. */
  public static final class Prepared {

    private final String id;
    private final String suite;
    private final RunInfo run;
    private final int results;
    private final boolean junit;
    private final UploadSpool payload;
    private final UploadMapper mapper;

    private Prepared(String id, String suite, RunInfo run, int results, boolean junit, UploadSpool payload,
        UploadMapper mapper) {
      this.id = id;
      this.suite = suite;
      this.run = run;
      this.results = results;
      this.junit = junit;
      this.payload = payload;
      this.mapper = mapper;
    }

    /** The upload's id: the same for a re-sent identical upload (tenant, suite, run key, payload digest). */
    public String id() {
      return id;
    }

    public String suite() {
      return suite;
    }

    public RunInfo run() {
      return run;
    }

    /** How many results the upload holds (rejected ones included). */
    public int results() {
      return results;
    }

    /** Maps every result, in order, and hands each to {@code sink} as it is read. */
    public void read(Consumer<Item> sink) throws IOException {
      try (InputStream in = payload.open()) {
        Consumer<UploadRecord> map = r -> {
          UploadMapper.Mapped mapped = mapper.map(r);
          sink.accept(new Item(r.index(), mapped.execution(), mapped.error()));
        };
        if (junit) {
          JunitXmlReader.read(in, map);
        } else {
          JsonUploadReader.read(in, map);
        }
      } catch (MalformedUploadException e) {
        // prepare() read the same bytes without complaint: the file changed under us
        throw new IllegalStateException("upload payload changed between passes", e);
      }
    }
  }
}
