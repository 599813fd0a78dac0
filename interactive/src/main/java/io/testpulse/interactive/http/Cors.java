package io.testpulse.interactive.http;

import io.javalin.http.Context;
import java.util.List;

/**
 * CORS for the configured origins only ({@code testpulse.http.cors.origins}); not registered at
 * all when none is configured, so browsers on other origins cannot read the API.
 */
final class Cors {

  private final List<String> origins;

  Cors(List<String> origins) {
    this.origins = List.copyOf(origins);
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.before("/*", this::headers);
    routes.options("/*", ctx -> ctx.status(204));
  }

  void headers(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null) {
      return;
    }
    boolean any = origins.contains("*");
    if (!any && !origins.contains(origin)) {
      return;
    }
    ctx.header("Access-Control-Allow-Origin", any ? "*" : origin);
    ctx.header("Vary", "Origin");
    if ("OPTIONS".equals(ctx.method().name())) {
      ctx.header("Access-Control-Allow-Methods", "GET, PUT, DELETE, POST, OPTIONS");
      ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
      ctx.header("Access-Control-Max-Age", "600");
      ctx.status(204);
      ctx.skipRemainingHandlers();
    }
  }
}
