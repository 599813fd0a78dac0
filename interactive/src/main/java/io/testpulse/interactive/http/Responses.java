package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.serdes.JsonSerde;
import java.util.Map;

/** Maps a {@link QueryOutcome} to HTTP, in one place. */
final class Responses {

  private Responses() {
  }

  static void write(Context ctx, QueryOutcome<?> outcome) {
    switch (outcome.status()) {
      case OK -> json(ctx, 200, outcome.value());
      case NOT_FOUND -> Problems.notFound(ctx, outcome.detail());
      case UNAVAILABLE -> Problems.unavailable(ctx, outcome.detail(), outcome.retryAfter());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void json(Context ctx, int status, Object value) {
    Class type = value instanceof Map ? Map.class : value.getClass();
    ctx.status(status).contentType("application/json").result(JsonSerde.of(type).encode(value));
  }
}
