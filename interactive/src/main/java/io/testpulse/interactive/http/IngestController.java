package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.ingest.Envelope;
import io.testpulse.interactive.TenantShares;
import io.testpulse.interactive.ingest.IngestOutcome;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.ingest.MalformedUploadException;
import io.testpulse.ingest.UploadSpool;
import io.testpulse.ingest.UploadTooLargeException;
import io.testpulse.ingest.UploadTooSlowException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/uploads} and {@code POST /api/v1/uploads}: the Buildkite Test Engine upload API.
 * Accepts {@code application/json} (optionally {@code Content-Encoding: gzip}),
 * {@code multipart/form-data} ({@code data} file, {@code format}, {@code run_env[...]},
 * {@code tags[...]}) and a raw JUnit XML body ({@code application/xml}, run_env in the query
 * string). The body is spooled to a temporary file under the body limit, then handed to the
 * {@link IngestService}; its outcome is mapped to HTTP here, in one place.
 */
final class IngestController {

  private static final Logger LOG = LoggerFactory.getLogger(IngestController.class);
  /** Most parts of a multipart upload (its fields and the data file); more are a 400. */
  private static final int MAX_PARTS = 1000;
  private static final int MAX_FIELD_BYTES = 64 * 1024;

  private final IngestService ingest;
  /** Uploads being received, per tenant: each holds a request thread while its body arrives. */
  private final TenantShares slots;

  IngestController(IngestService ingest) {
    this.ingest = ingest;
    this.slots = new TenantShares(ingest.settings().maxConcurrent(), ingest.settings().maxConcurrentPerTenant());
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.ingest("/v1/uploads", this::upload);
    routes.ingest("/api/v1/uploads", this::upload);
  }

  void upload(Context ctx) throws IOException {
    String tenant = Auth.principal(ctx).tenant();
    TenantShares.Refusal refused = slots.tryAcquire(tenant);
    if (refused != null) {
      // a 4xx, not 503: the instance is fine, this client (or a crowd of slow ones) has to wait
      ctx.header("Retry-After", Long.toString(IngestService.RETRY_AFTER.toSeconds()));
      Problems.write(ctx, 429, "Too Many Requests", refused == TenantShares.Refusal.TENANT_SHARE
          ? "this tenant already has " + slots.perTenant() + " uploads being received "
              + "(testpulse.ingest.max.concurrent.per.tenant); retry later"
          : "more than " + slots.total() + " uploads are being received at once "
              + "(testpulse.ingest.max.concurrent); retry later");
      return;
    }
    try {
      receive(ctx);
    } catch (SpoolFailure e) {
      LOG.warn("Upload spool failed ({}); answering 503", e.getCause().toString());
      Problems.unavailable(ctx, "this instance cannot store the upload now (its spool disk is full or failing); "
          + "retry later", IngestService.RETRY_AFTER);
    } finally {
      slots.release(tenant);
    }
  }

  private void receive(Context ctx) throws IOException {
    Principal principal = Auth.principal(ctx);
    Instant receivedAt = Instant.now();
    long limit = ingest.settings().maxBodyBytes();
    long declaredLength = ctx.req().getContentLengthLong();
    if (declaredLength > limit) {
      drain(ctx, limit);
      Problems.write(ctx, 413, "Content Too Large", "the body of " + declaredLength + " bytes exceeds the limit of "
          + limit + " bytes (testpulse.ingest.max.body.bytes)");
      return;
    }
    String contentType = mediaType(ctx.contentType());
    String encoding = ctx.header("Content-Encoding");
    boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
    if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
      Problems.write(ctx, 415, "Unsupported Media Type", "unsupported Content-Encoding '" + encoding
          + "' (gzip or none)");
      return;
    }
    try {
      if (contentType.equals("multipart/form-data")) {
        multipart(ctx, principal, receivedAt, limit);
      } else if (contentType.equals("application/json") || contentType.endsWith("+json")) {
        body(ctx, principal, singleValues(ctx.queryParamMap()), gzip, limit, receivedAt);
      } else if (contentType.equals("application/xml") || contentType.equals("text/xml")) {
        Map<String, String> fields = new LinkedHashMap<>(singleValues(ctx.queryParamMap()));
        fields.putIfAbsent("format", "junit");
        body(ctx, principal, fields, gzip, limit, receivedAt);
      } else {
        Problems.write(ctx, 415, "Unsupported Media Type", "Content-Type '" + ctx.contentType()
            + "' is not accepted: use application/json, multipart/form-data or application/xml");
      }
    } catch (UploadTooLargeException e) {
      drain(ctx, limit);
      Problems.write(ctx, 413, "Content Too Large", e.getMessage());
    } catch (MalformedUploadException e) {
      Problems.badRequest(ctx, e.getMessage());
    } catch (UploadTooSlowException e) {
      Problems.write(ctx, 408, "Request Timeout", e.getMessage());
    } catch (IOException e) {
      // reading from the client fails as MalformedUploadException or UploadTooSlowException; what is left
      // is local: the spool (disk full, a temp folder gone) or reading it back
      throw new SpoolFailure(e);
    }
  }

  /** The upload could not be stored or read back on this instance: a 503, the client retries. */
  private static final class SpoolFailure extends RuntimeException {
    SpoolFailure(IOException cause) {
      super(cause);
    }
  }

  /** A raw JSON or XML body, its envelope fields from the query string. */
  private void body(Context ctx, Principal principal, Map<String, String> fields, boolean gzip, long limit,
      Instant receivedAt) throws IOException, UploadTooLargeException, MalformedUploadException, UploadTooSlowException {
    try (UploadSpool spool = UploadSpool.of(ctx.bodyInputStream(), gzip, limit, ingest.settings().minDataRate(),
        System::nanoTime)) {
      answer(ctx, ingest.ingest(new IngestService.Upload(principal.tenant(), principal.suite(),
          Envelope.fromFields(fields), spool, receivedAt)));
    }
  }

  /**
   * A multipart upload. The raw body is spooled first, under the body limit and the minimum data rate
   * like any other body (Jetty's servlet multipart parsing reads without a rate check, so a client
   * trickling a multipart body held its ingest slot for as long as it liked); Jetty's multipart parser
   * then reads the spooled file, writing parts over 1 MiB to a temporary folder.
   */
  private void multipart(Context ctx, Principal principal, Instant receivedAt, long limit)
      throws IOException, UploadTooLargeException, MalformedUploadException, UploadTooSlowException {
    String boundary = MultiPart.extractBoundary(ctx.contentType());
    if (boundary == null || boundary.isEmpty()) {
      throw new MalformedUploadException("multipart/form-data without a boundary parameter");
    }
    Path partsDir = Files.createTempDirectory("testpulse-multipart-");
    try (UploadSpool raw = UploadSpool.of(ctx.bodyInputStream(), false, limit, ingest.settings().minDataRate(),
        System::nanoTime)) {
      MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
      parser.setFilesDirectory(partsDir);
      parser.setMaxMemoryFileSize(1024 * 1024);
      parser.setMaxFileSize(limit);
      parser.setMaxLength(limit);
      parser.setMaxParts(MAX_PARTS);
      MultiPartFormData.Parts parts;
      try (InputStream in = raw.open()) {
        parts = parser.parse(Content.Source.from(in)).get();
      } catch (ExecutionException e) {
        throw multipartFailure(e.getCause() instanceof Exception cause ? cause : e, limit);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while parsing a multipart upload", e);
      }
      try (parts) {
        Map<String, String> fields = new LinkedHashMap<>();
        MultiPart.Part data = null;
        for (MultiPart.Part part : parts) {
          if ("data".equals(part.getName())) {
            data = part;
          } else if (part.getFileName() == null && part.getName() != null) {
            fields.put(part.getName(), readField(part));
          }
        }
        if (data == null) {
          throw new MalformedUploadException("multipart upload without a 'data' file");
        }
        boolean gzipped = isGzipPart(data);
        try (InputStream in = Content.Source.asInputStream(data.createContentSource());
             UploadSpool spool = UploadSpool.of(in, gzipped, limit)) {
          answer(ctx, ingest.ingest(new IngestService.Upload(principal.tenant(), principal.suite(),
              Envelope.fromFields(fields), spool, receivedAt)));
        }
      }
    } finally {
      deleteQuietly(partsDir);
    }
  }

  /**
   * Reads and discards what the client is still sending (up to four times the limit) before a 413:
   * answering and closing while the client writes makes it see a connection reset instead of the
   * answer. Past the cap, or when the body arrives slower than the minimum data rate (after the same
   * grace as an upload), the connection is closed anyway: a trickling client cannot hold the slot.
   */
  private void drain(Context ctx, long limit) {
    long cap = 4 * limit;
    long read = 0;
    long minRate = ingest.settings().minDataRate();
    long start = System.nanoTime();
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = ctx.req().getInputStream();
      int n;
      while (read < cap && (n = in.read(buffer)) > 0) {
        read += n;
        long elapsed = System.nanoTime() - start;
        if (minRate > 0 && elapsed > UploadSpool.RATE_GRACE_NANOS && read * 1_000_000_000d / elapsed < minRate) {
          break;
        }
      }
    } catch (IOException | IllegalStateException e) {
      // the body cannot be read further (already failed or consumed): the 413 is still written
    }
  }

  /**
   * What a failure of Jetty's multipart parsing means for the client: over a size limit (413), too slow
   * (408), a local disk failure while Jetty stored a part (503, thrown as {@link SpoolFailure}), anything
   * else a malformed body (400, with Jetty's reason but never its exception's class).
   */
  private static MalformedUploadException multipartFailure(Exception e, long limit)
      throws UploadTooLargeException, UploadTooSlowException {
    if (exceedsLimit(e)) {
      throw new UploadTooLargeException("the multipart upload exceeds the body limit of " + limit
          + " bytes (testpulse.ingest.max.body.bytes)");
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (t instanceof java.nio.file.FileSystemException
          || (message != null && message.contains("No space left on device"))) {
        throw new SpoolFailure(t instanceof IOException io ? io : new IOException(message, t));
      }
      if (t instanceof java.util.concurrent.TimeoutException
          || (message != null && message.toLowerCase(Locale.ROOT).contains("data rate"))) {
        throw new UploadTooSlowException("the multipart body arrived too slowly (testpulse.ingest.min.data.rate)");
      }
    }
    return new MalformedUploadException("invalid multipart/form-data body: " + reason(e), e);
  }

  /** The innermost message of {@code e}'s causes, without a status prefix such as {@code "400: "}. */
  private static String reason(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    return message == null ? "unreadable" : message.replaceFirst("^\\d{3}:\\s*", "");
  }

  /**
   * Jetty's multipart parser reports its size limits ("max file size exceeded", "max length
   * exceeded") as the cause of a generic bad-message error; those are 413, anything else 400.
   */
  private static boolean exceedsLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.matches("(?s).*max (file size|length|memory file size) exceeded.*")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isGzipPart(MultiPart.Part part) {
    String type = part.getHeaders().get(HttpHeader.CONTENT_TYPE);
    String file = part.getFileName();
    return (type != null && mediaType(type).equals("application/gzip"))
        || (file != null && file.toLowerCase(Locale.ROOT).endsWith(".gz"));
  }

  private static String readField(MultiPart.Part part) throws IOException {
    try (InputStream in = Content.Source.asInputStream(part.createContentSource())) {
      byte[] bytes = in.readNBytes(MAX_FIELD_BYTES);
      return new String(bytes, StandardCharsets.UTF_8).trim();
    }
  }

  private static Map<String, String> singleValues(Map<String, java.util.List<String>> params) {
    Map<String, String> fields = new LinkedHashMap<>();
    params.forEach((k, v) -> {
      if (!v.isEmpty()) {
        fields.put(k, v.get(0));
      }
    });
    return fields;
  }

  private static void answer(Context ctx, IngestOutcome outcome) {
    switch (outcome.status()) {
      case ACCEPTED -> Responses.json(ctx, 202, outcome.receipt());
      case BAD_REQUEST -> Problems.badRequest(ctx, outcome.detail());
      case TOO_LARGE -> Problems.write(ctx, 413, "Content Too Large", outcome.detail());
      case UNAVAILABLE -> Problems.unavailable(ctx, outcome.detail(), outcome.retryAfter());
    }
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary folder is not worth failing an answered upload for; the OS cleans tmp
    }
  }
}
