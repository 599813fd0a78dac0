package io.testpulse.interactive.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web dashboard at {@code /ui/} (under the plugin's prefix): a few static files bundled in this jar,
 * read once at start and served from memory. Only the files named here are served, so no request path
 * ever reaches the class path. The pages call the public JSON API with the token the viewer enters; the
 * files themselves need none. The content security policy allows scripts, styles and requests of this
 * origin only (no inline script, no third-party resource).
 */
final class UiController {

  static final String RESOURCE_DIR = "/testpulse-ui/";
  static final List<String> FILES = List.of("index.html", "app.css", "app.js", "api.js", "chart.js", "format.js",
      "pages.js");
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Map<String, byte[]> files = new LinkedHashMap<>();

  UiController() {
    for (String file : FILES) {
      files.put(file, load(file));
    }
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.page("/ui", this::index);
    routes.page("/ui/{file}", this::file);
  }

  /** {@code /ui/} is the page; {@code /ui} redirects there, so the page's relative links resolve under /ui/. */
  void index(Context ctx) {
    if (!ctx.path().endsWith("/")) {
      ctx.redirect(ctx.path() + "/");
      return;
    }
    serve(ctx, "index.html");
  }

  void file(Context ctx) {
    String name = ctx.pathParam("file");
    if (!files.containsKey(name)) {
      Problems.notFound(ctx, "no such dashboard file; open /ui/");
      return;
    }
    serve(ctx, name);
  }

  private void serve(Context ctx, String name) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    // the files change with the jar only, but a new jar must not meet a cached old script
    ctx.header("Cache-Control", "no-cache");
    ctx.status(200).contentType(contentType(name)).result(files.get(name));
  }

  static String contentType(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "application/octet-stream";
  }

  private static byte[] load(String file) {
    try (InputStream in = UiController.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE_DIR + file + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
