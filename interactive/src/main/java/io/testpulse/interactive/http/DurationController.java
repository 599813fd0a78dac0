package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.DurationSource;
import io.testpulse.interactive.KeyRouter;
import io.testpulse.interactive.PeerClient;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.topology.TestKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/tests/{testId}/durations} and {@code GET /api/v1/suites/{suite}/durations}:
 * percentiles over {@code [from, to)} (default: the last 7 days). A test's or suite's durations live
 * in one partition: when another instance owns it, the request is forwarded to that instance's
 * internal mirror of the same route ({@code /internal/v1/fwd/...}) and its answer passed on.
 */
final class DurationController {

  static final Duration DEFAULT_RANGE = Duration.ofDays(7);
  private static final Pattern DIMENSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String FORWARDED = "testpulse.forwarded";

  private final TestpulseQueries queries;
  private final DurationSource durations;
  private final Clock clock;

  DurationController(TestpulseQueries queries, DurationSource durations, Clock clock) {
    this.queries = queries;
    this.durations = durations;
    this.clock = clock;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/api/v1/tests/{testId}/durations", this::test);
    routes.get("/api/v1/suites/{suite}/durations", this::suite);
    routes.before("/internal/v1/fwd/*", this::forwardedPrincipal);
    routes.get("/internal/v1/fwd/api/v1/tests/{testId}/durations", this::test);
    routes.get("/internal/v1/fwd/api/v1/suites/{suite}/durations", this::suite);
  }

  /** Internal mirror: the secret was checked by the internal before-handler; the tenant comes from the caller. */
  void forwardedPrincipal(Context ctx) {
    String tenant = ctx.header(TestpulseQueries.internalTenantHeader());
    if (!TestKeys.isValidTenant(tenant)) {
      Problems.badParameter(ctx, TestpulseQueries.internalTenantHeader(), "must be a tenant");
      ctx.skipRemainingHandlers();
      return;
    }
    Auth.setPrincipal(ctx, new Principal(tenant, Role.READ));
    ctx.attribute(FORWARDED, Boolean.TRUE);
  }

  void test(Context ctx) {
    Principal principal = Auth.principal(ctx);
    Params params = new Params(ctx, Set.of("from", "to"));
    String testId = Params.path(ctx, "testId", TestKeys.TEST_ID, "32 lowercase hex characters");
    Instant[] range = range(params);
    if (durations == null) {
      notConfigured(ctx);
      return;
    }
    answer(ctx, principal, durations.testStore(), TestKeys.key(principal.tenant(), testId),
        () -> durations.test(principal.tenant(), testId, range[0], range[1]), "from");
  }

  void suite(Context ctx) {
    Principal principal = Auth.principal(ctx);
    Params params = new Params(ctx, Set.of("from", "to", "groupBy"));
    String suite = Params.path(ctx, "suite", Params.SLUG, "a suite slug ([A-Za-z0-9._-], up to 128)");
    Instant[] range = range(params);
    List<String> groupBy = groupBy(params.raw("groupBy"));
    if (durations == null) {
      notConfigured(ctx);
      return;
    }
    if (groupBy.isEmpty()) {
      answer(ctx, principal, durations.suiteStore(), durations.suitePartitionKey(principal.tenant(), suite),
          () -> durations.suite(principal.tenant(), suite, range[0], range[1]), "from");
      return;
    }
    String partitionKey;
    try {
      partitionKey = durations.suiteByPartitionKey(principal.tenant(), suite, groupBy);
    } catch (IllegalArgumentException e) {
      throw new Params.BadParameter("groupBy", e.getMessage());
    }
    answer(ctx, principal, durations.suiteStore(), partitionKey,
        () -> durations.suiteBy(principal.tenant(), suite, groupBy, range[0], range[1]), "groupBy");
  }

  private void answer(Context ctx, Principal principal, String store, String partitionKey,
      Supplier<QueryOutcome<?>> local, String field) {
    if (Boolean.TRUE.equals(ctx.attribute(FORWARDED))) {
      run(ctx, local, field);
      return;
    }
    KeyRouter.Route route = queries.route(store, partitionKey);
    switch (route.kind()) {
      case LOCAL -> run(ctx, local, field);
      case UNAVAILABLE -> Problems.unavailable(ctx, route.detail(), TestpulseQueries.RETRY_AFTER);
      case REMOTE -> {
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        String path = ctx.path().substring(ctx.path().indexOf("/api/v1/"));
        QueryOutcome<PeerClient.RawAnswer> forwarded = queries.forward(route, "/internal/v1/fwd" + path + query,
            principal.tenant());
        if (forwarded.status() != QueryOutcome.Status.OK) {
          Responses.write(ctx, forwarded);
          return;
        }
        PeerClient.RawAnswer raw = forwarded.value();
        if (raw.retryAfter() != null) {
          ctx.header("Retry-After", raw.retryAfter());
        }
        ctx.status(raw.status()).contentType(raw.contentType()).result(raw.body());
      }
    }
  }

  /** Runs a local query; the engine's IllegalArgumentException (e.g. an unconfigured groupBy) is a 400. */
  private static void run(Context ctx, Supplier<QueryOutcome<?>> query, String field) {
    QueryOutcome<?> outcome;
    try {
      outcome = query.get();
    } catch (IllegalArgumentException e) {
      throw new Params.BadParameter(field, e.getMessage());
    }
    Responses.write(ctx, outcome);
  }

  private static void notConfigured(Context ctx) {
    Problems.unavailable(ctx, "duration queries are not configured on this instance", TestpulseQueries.RETRY_AFTER);
  }

  private Instant[] range(Params params) {
    Instant to = instant(params, "to", clock.instant());
    Instant from = instant(params, "from", to.minus(DEFAULT_RANGE));
    if (!from.isBefore(to)) {
      throw new Params.BadParameter("from", "must be before to");
    }
    return new Instant[] {from, to};
  }

  private static Instant instant(Params params, String name, Instant fallback) {
    String value = params.raw(name);
    if (value == null) {
      return fallback;
    }
    Instant instant;
    try {
      instant = value.chars().allMatch(Character::isDigit) && !value.isEmpty() && value.length() <= 15
          ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new Params.BadParameter(name, "must be an ISO-8601 instant (2026-11-01T00:00:00Z) or epoch millis");
    }
    // Instant reaches a billion years; epoch millis and bucket arithmetic overflow long before that
    if (instant.isBefore(Params.EARLIEST_INSTANT) || instant.isAfter(Params.LATEST_INSTANT)) {
      throw new Params.BadParameter(name, "must be between years 0 and 9999");
    }
    return instant;
  }

  private static List<String> groupBy(String value) {
    if (value == null || value.isEmpty()) {
      return List.of();
    }
    List<String> dims = Arrays.asList(value.split(",", -1));
    if (dims.size() > 8 || dims.stream().anyMatch(d -> !DIMENSION.matcher(d).matches())) {
      throw new Params.BadParameter("groupBy", "must be up to 8 comma-separated tag names");
    }
    return dims;
  }
}
