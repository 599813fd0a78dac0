package io.testpulse.interactive.http;

import io.javalin.config.JavalinState;
import io.testpulse.serdes.JsonSerde;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty answers itself, before any Javalin or testpulse code runs (an ambiguous encoded path, a
 * header too large, a malformed request line), as {@code application/problem+json} instead of Jetty's
 * HTML error page. Installed on the server (requests no context accepted) and on Javalin's servlet
 * context (requests the servlet layer refused).
 */
final class JettyProblems {

  /** Something that reads like a Java class or package name: never shown to a caller. */
  private static final Pattern CLASS_NAME = Pattern.compile(
      "(?s).*(\\b(java|javax|jakarta|org|com|io|kotlin)\\.[a-z]|[A-Za-z]+(Exception|Error)\\b).*");
  private static final int MAX_INSTANCE_CHARS = 256;

  private JettyProblems() {
  }

  /** Replaces Jetty's error pages for everything {@code state}'s server answers. */
  static void install(JavalinState state) {
    state.jetty.modifyServer(server -> server.setErrorHandler(new ServerErrors()));
    state.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new ContextErrors()));
  }

  /** A problem body for {@code status}; {@code message} only when it is safe to show. */
  static byte[] body(int status, String message, String path) {
    Map<String, Object> body = new LinkedHashMap<>();
    String reason = HttpStatus.getMessage(status);
    body.put("type", "about:blank");
    body.put("title", reason == null ? "Error" : reason);
    body.put("status", status);
    body.put("detail", safeDetail(message, reason));
    if (path != null) {
      body.put("instance", path.length() > MAX_INSTANCE_CHARS ? path.substring(0, MAX_INSTANCE_CHARS) : path);
    }
    return JsonSerde.of(Map.class).encode(body);
  }

  /**
   * Jetty's message without its status prefix, or the reason phrase when the message is missing or
   * names a class (a wrapped exception's {@code toString()}).
   */
  static String safeDetail(String message, String reason) {
    String fallback = reason == null ? "the request was refused" : reason;
    if (message == null || message.isBlank()) {
      return fallback;
    }
    String m = message.replaceFirst("^\\d{3}:\\s*", "").trim();
    if (m.isEmpty() || CLASS_NAME.matcher(m).matches() || m.length() > 200) {
      return fallback;
    }
    return m;
  }

  private static boolean write(Request request, Response response, Callback callback, int code, String message) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
    response.write(true, ByteBuffer.wrap(body(code, message, request.getHttpURI().getPath())), callback);
    return true;
  }

  /** For requests refused before they reach a context (and the parser's bad-message answers). */
  static final class ServerErrors extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    public boolean errorPageForMethod(String method) {
      return true;
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
        String contentType, List<Charset> charsets, int code, String message, Throwable cause) {
      return JettyProblems.write(request, response, callback, code, message);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
      return ByteBuffer.wrap(body(status, reason, null));
    }
  }

  /** For requests Javalin's servlet context refused (an ambiguous path, for example). */
  static final class ContextErrors extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    public boolean errorPageForMethod(String method) {
      return true;
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
        String contentType, List<Charset> charsets, int code, String message, Throwable cause) {
      return JettyProblems.write(request, response, callback, code, message);
    }
  }
}
