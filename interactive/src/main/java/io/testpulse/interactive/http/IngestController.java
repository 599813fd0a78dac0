package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.ingest.Envelope;
import io.testpulse.interactive.ingest.IngestOutcome;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.ingest.MalformedUploadException;
import io.testpulse.ingest.UploadSpool;
import io.testpulse.ingest.UploadTooLargeException;
import io.testpulse.ingest.UploadTooSlowException;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /v1/uploads} and {@code POST /api/v1/uploads}: the Buildkite Test Engine upload API.
 * Accepts {@code application/json} (optionally {@code Content-Encoding: gzip}),
 * {@code multipart/form-data} ({@code data} file, {@code format}, {@code run_env[...]},
 * {@code tags[...]}) and a raw JUnit XML body ({@code application/xml}, run_env in the query
 * string). The body is spooled to a temporary file under the body limit, then handed to the
 * {@link IngestService}; its outcome is mapped to HTTP here, in one place.
 */
final class IngestController {

  private static final String MULTIPART_CONFIG_ATTRIBUTE = "org.eclipse.jetty.multipartConfig";
  private static final int MAX_FIELD_BYTES = 64 * 1024;

  private final IngestService ingest;
  /** Uploads being received: each holds a request thread while its body arrives. */
  private final Semaphore slots;

  IngestController(IngestService ingest) {
    this.ingest = ingest;
    this.slots = new Semaphore(ingest.settings().maxConcurrent());
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.ingest("/v1/uploads", this::upload);
    routes.ingest("/api/v1/uploads", this::upload);
  }

  void upload(Context ctx) throws IOException {
    if (!slots.tryAcquire()) {
      // a 4xx, not 503: the instance is fine, this client (or a crowd of slow ones) has to wait
      ctx.header("Retry-After", Long.toString(IngestService.RETRY_AFTER.toSeconds()));
      Problems.write(ctx, 429, "Too Many Requests", "more than " + ingest.settings().maxConcurrent()
          + " uploads are being received at once (testpulse.ingest.max.concurrent); retry later");
      return;
    }
    try {
      receive(ctx);
    } finally {
      slots.release();
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

  private void multipart(Context ctx, Principal principal, Instant receivedAt, long limit)
      throws IOException, UploadTooLargeException, MalformedUploadException {
    Path partsDir = Files.createTempDirectory("testpulse-multipart-");
    try {
      // Jetty writes parts over 1 MiB to partsDir: memory stays bounded; the limits answer 413
      ctx.req().setAttribute(MULTIPART_CONFIG_ATTRIBUTE,
          new MultipartConfigElement(partsDir.toString(), limit, limit, 1024 * 1024));
      Map<String, String> fields = new LinkedHashMap<>();
      Part data = null;
      try {
        for (Part part : ctx.req().getParts()) {
          if ("data".equals(part.getName())) {
            data = part;
          } else if (part.getSubmittedFileName() == null) {
            fields.put(part.getName(), readField(part));
          }
        }
      } catch (ServletException | RuntimeException e) {
        if (exceedsLimit(e)) {
          throw new UploadTooLargeException("the multipart upload exceeds the body limit of " + limit
              + " bytes (testpulse.ingest.max.body.bytes)");
        }
        throw new MalformedUploadException("invalid multipart/form-data body: " + e.getMessage(), e);
      }
      if (data == null) {
        throw new MalformedUploadException("multipart upload without a 'data' file");
      }
      boolean gzipped = isGzipPart(data);
      try (InputStream in = data.getInputStream(); UploadSpool spool = UploadSpool.of(in, gzipped, limit)) {
        answer(ctx, ingest.ingest(new IngestService.Upload(principal.tenant(), principal.suite(),
            Envelope.fromFields(fields), spool, receivedAt)));
      } finally {
        for (Part part : ctx.req().getParts()) {
          part.delete();
        }
      }
    } catch (ServletException e) {
      throw new MalformedUploadException("invalid multipart/form-data body: " + e.getMessage(), e);
    } finally {
      deleteQuietly(partsDir);
    }
  }

  /**
   * Reads and discards what the client is still sending (up to four times the limit) before a 413:
   * answering and closing while the client writes makes it see a connection reset instead of the
   * answer. Past the cap the connection is closed anyway.
   */
  private static void drain(Context ctx, long limit) {
    long cap = 4 * limit;
    long read = 0;
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = ctx.req().getInputStream();
      int n;
      while (read < cap && (n = in.read(buffer)) > 0) {
        read += n;
      }
    } catch (IOException | IllegalStateException e) {
      // the body cannot be read further (already failed or consumed): the 413 is still written
    }
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

  private static boolean isGzipPart(Part part) {
    String type = part.getContentType();
    String file = part.getSubmittedFileName();
    return (type != null && mediaType(type).equals("application/gzip"))
        || (file != null && file.toLowerCase(Locale.ROOT).endsWith(".gz"));
  }

  private static String readField(Part part) throws IOException {
    try (InputStream in = part.getInputStream()) {
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
