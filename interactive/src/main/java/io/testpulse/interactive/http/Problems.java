package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.serdes.JsonSerde;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** RFC 9457 problem details: every error testpulse answers is {@code application/problem+json}. */
public final class Problems {

  /** The media type of every error answer. */
  public static final String CONTENT_TYPE = "application/problem+json";

  /** Routes of Buildkite's test-client protocol, whose errors also carry {@code message}. */
  private static final String BUILDKITE_PATHS = "/v2/analytics/";

  private Problems() {
  }

  /** Answers {@code status} with a problem body; {@code detail} must be safe to show to the caller. */
  public static void write(Context ctx, int status, String title, String detail) {
    write(ctx, status, title, detail, Map.of());
  }

  /** A problem with extension members (RFC 9457 section 3.2), e.g. {@code field} for a bad parameter. */
  public static void write(Context ctx, int status, String title, String detail, Map<String, Object> extensions) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    if (detail != null) {
      body.put("detail", scrub(detail));
    }
    body.put("instance", ctx.path());
    body.putAll(extensions);
    if (ctx.path().contains(BUILDKITE_PATHS)) {
      body.put("message", detail == null ? title : detail); // Buildkite's test client prints "message"
    }
    ctx.status(status).contentType(CONTENT_TYPE).result(JsonSerde.of(Map.class).encode(body));
  }

  /** A fully qualified class name ({@code org.eclipse.jetty.http.BadMessageException}), with a following colon. */
  private static final Pattern QUALIFIED_CLASS = Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*:?\\s*");
  /** A simple exception or error class name ({@code TimeoutException}), with a following colon. */
  private static final Pattern SIMPLE_CLASS = Pattern.compile("\\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\\b:?\\s*");

  /**
   * {@code detail} without Java class names: details are built from messages of libraries (Jetty,
   * Kafka) that sometimes wrap another exception's {@code toString()}; no error body names a class.
   */
  static String scrub(String detail) {
    String clean = SIMPLE_CLASS.matcher(QUALIFIED_CLASS.matcher(detail).replaceAll("")).replaceAll("").trim();
    return clean.isEmpty() ? "the request could not be processed" : clean;
  }

  /** 400: a parameter is invalid. */
  public static void badRequest(Context ctx, String detail) {
    write(ctx, 400, "Bad Request", detail);
  }

  /** A 400 naming the offending parameter or body field in {@code field}. */
  public static void badParameter(Context ctx, String field, String detail) {
    write(ctx, 400, "Bad Request", field + ": " + detail, Map.of("field", field));
  }

  /** 404: no such resource (or another tenant's). */
  public static void notFound(Context ctx, String detail) {
    write(ctx, 404, "Not Found", detail);
  }

  /** 503 with {@code Retry-After}: ask again later. */
  public static void unavailable(Context ctx, String detail, Duration retryAfter) {
    ctx.header("Retry-After", Long.toString(Math.max(1, retryAfter == null ? 1 : retryAfter.toSeconds())));
    write(ctx, 503, "Service Unavailable", detail);
  }
}
