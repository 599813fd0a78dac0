package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.StreamThreadFailures;
import io.testpulse.interactive.TestpulseQueries;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code /health/live} and {@code /health/ready}, unauthenticated, for orchestrators. */
final class HealthController {

  private final TestpulseQueries queries;
  private final StreamThreadFailures threadFailures;

  HealthController(TestpulseQueries queries, StreamThreadFailures threadFailures) {
    this.queries = queries;
    this.threadFailures = threadFailures;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/health/live", this::live);
    routes.get("/health/ready", this::ready);
  }

  /** Not live when Kafka Streams is down for good, or when stream threads keep dying (a crash loop). */
  void live(Context ctx) {
    Optional<String> crashLoop = threadFailures == null ? Optional.empty() : threadFailures.notLiveCause();
    boolean live = queries.live() && crashLoop.isEmpty();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", live ? "UP" : "DOWN");
    body.put("streams", queries.streamsState().name());
    crashLoop.ifPresent(cause -> body.put("cause", cause));
    Responses.json(ctx, live ? 200 : 503, body);
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
