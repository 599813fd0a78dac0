package io.testpulse.interactive.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validated query parameters of one request: an unknown, repeated or malformed parameter is a
 * {@link BadParameter}, answered 400 naming the parameter (never a 500).
 */
final class Params {

  /** Slugs: suites and list names. */
  static final Pattern SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final int MAX_TEXT = 1024;
  private static final Pattern MALFORMED_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");
  /** Instants a parameter or body field may name: years 0 to 9999 (epoch-millis arithmetic never overflows). */
  static final Instant EARLIEST_INSTANT = Instant.parse("0000-01-01T00:00:00Z");
  static final Instant LATEST_INSTANT = Instant.parse("9999-12-31T23:59:59.999Z");

  /** A bad parameter or body field; the message says what is wrong with it. */
  static final class BadParameter extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String field;

    BadParameter(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }

  private final Map<String, List<String>> query;

  Params(Context ctx, Set<String> allowed) {
    rejectMalformedEncoding(ctx.queryString());
    rejectInvalidUtf8(ctx.queryString());
    this.query = ctx.queryParamMap();
    for (Map.Entry<String, List<String>> entry : query.entrySet()) {
      if (!allowed.contains(entry.getKey())) {
        throw new BadParameter(entry.getKey(), "unknown parameter (accepted: " + String.join(", ",
            allowed.stream().sorted().toList()) + ")");
      }
      if (entry.getValue().size() > 1) {
        throw new BadParameter(entry.getKey(), "given more than once");
      }
    }
  }

  /**
   * Javalin drops a parameter whose percent-encoding is malformed ({@code cursor=%%}), so a bad cursor
   * would silently read as no cursor (the first page again): such a parameter is a 400 instead.
   */
  private static void rejectMalformedEncoding(String queryString) {
    if (queryString == null || !MALFORMED_ESCAPE.matcher(queryString).find()) {
      return;
    }
    for (String pair : queryString.split("&")) {
      if (MALFORMED_ESCAPE.matcher(pair).find()) {
        String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
        throw new BadParameter(MALFORMED_ESCAPE.matcher(name).find() || name.length() > 64 ? "query" : name,
            "malformed percent-encoding");
      }
    }
  }

  /**
   * Javalin decodes invalid UTF-8 ({@code name=%FF}) to U+FFFD, so a query for a name nobody can have
   * would answer an empty 200: such a parameter is a 400 instead.
   */
  private static void rejectInvalidUtf8(String queryString) {
    if (queryString == null || queryString.indexOf('%') < 0) {
      return;
    }
    for (String pair : queryString.split("&")) {
      if (!validUtf8(pair)) {
        String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
        throw new BadParameter(!validUtf8(name) || name.length() > 64 ? "query" : name, "is not valid UTF-8");
      }
    }
  }

  /** Whether the percent-decoded bytes of {@code encoded} (well-formed escapes) are UTF-8. */
  private static boolean validUtf8(String encoded) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%' && i + 2 < encoded.length()) {
        bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** {@code instant} as epoch millis, or a BadParameter on {@code field} outside years 0 to 9999. */
  static long epochMillis(String field, Instant instant) {
    if (instant.isBefore(EARLIEST_INSTANT) || instant.isAfter(LATEST_INSTANT)) {
      throw new BadParameter(field, "must be between years 0 and 9999");
    }
    return instant.toEpochMilli();
  }

  String raw(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Free text without control characters, at most 1024 characters; null when absent. */
  String text(String name) {
    String value = raw(name);
    if (value == null) {
      return null;
    }
    if (value.isEmpty() || value.length() > MAX_TEXT || value.chars().anyMatch(Character::isISOControl)) {
      throw new BadParameter(name, "must be 1 to " + MAX_TEXT + " characters without control characters");
    }
    return value;
  }

  String matching(String name, Pattern pattern, String what) {
    String value = raw(name);
    if (value != null && !pattern.matcher(value).matches()) {
      throw new BadParameter(name, "must be " + what);
    }
    return value;
  }

  int integer(String name, int fallback, int min, int max) {
    String value = raw(name);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < min || n > max) {
        throw new BadParameter(name, "must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadParameter(name, "must be an integer between " + min + " and " + max);
    }
  }

  boolean bool(String name) {
    String value = raw(name);
    if (value == null) {
      return false;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new BadParameter(name, "must be true or false");
    };
  }

  String oneOf(String name, List<String> values) {
    String value = raw(name);
    if (value == null) {
      return values.get(0);
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (!values.contains(lower)) {
      throw new BadParameter(name, "must be one of " + String.join(", ", values));
    }
    return lower;
  }

  /** A path parameter checked against a pattern. */
  static String path(Context ctx, String name, Pattern pattern, String what) {
    String value = ctx.pathParam(name);
    if (!pattern.matcher(value).matches()) {
      throw new BadParameter(name, "must be " + what);
    }
    return value;
  }
}
