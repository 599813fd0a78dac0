package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.TestpulseQueries;
import java.util.Map;

/** {@code /health/live} and {@code /health/ready}, unauthenticated, for orchestrators. */
final class HealthController {

  private final TestpulseQueries queries;

  HealthController(TestpulseQueries queries) {
    this.queries = queries;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/health/live", this::live);
    routes.get("/health/ready", this::ready);
  }

  void live(Context ctx) {
    boolean live = queries.live();
    Responses.json(ctx, live ? 200 : 503, Map.of("status", live ? "UP" : "DOWN", "streams", queries.streamsState().name()));
  }

  void ready(Context ctx) {
    boolean ready = queries.ready();
    if (!ready) {
      ctx.header("Retry-After", Long.toString(TestpulseQueries.RETRY_AFTER.toSeconds()));
    }
    Responses.json(ctx, ready ? 200 : 503,
        Map.of("status", ready ? "UP" : "DOWN", "streams", queries.streamsState().name()));
  }
}
