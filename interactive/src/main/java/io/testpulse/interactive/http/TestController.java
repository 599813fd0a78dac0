package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.Cursors;
import io.testpulse.interactive.DurationSource;
import io.testpulse.interactive.KeyRouter;
import io.testpulse.interactive.PeerClient;
import io.testpulse.interactive.ListPage;
import io.testpulse.interactive.ListQuery;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.StoreRead;
import io.testpulse.interactive.TestListSpec;
import io.testpulse.interactive.TestSummary;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.serdes.JsonSerde;
import io.testpulse.interactive.QuarantinedTest;
import io.testpulse.topology.TestKeys;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/tests/{testId}} (one test, routed to the instance that owns it) and
 * {@code GET /api/v1/tests} (a ranked, filtered list from every instance, or a find by identity).
 */
final class TestController {

  static final int DEFAULT_LIMIT = 50;
  private static final Set<String> ONE_TEST_PARAMS = Set.of("allowStale");
  private static final Set<String> LIST_PARAMS = Set.of("state", "suite", "scope", "name", "sort", "limit", "cursor",
      "allowStale");

  private final TestpulseQueries queries;
  private final int maxPageSize;
  private final DurationSource durations;
  private final Clock clock;

  /**
   * @param durations the duration engine's queries, for a test's recent percentiles; {@code null}: the
   *     answer's {@code recent_durations} is always null
   */
  TestController(TestpulseQueries queries, int maxPageSize, DurationSource durations, Clock clock) {
    this.queries = queries;
    this.maxPageSize = maxPageSize;
    this.durations = durations;
    this.clock = clock;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/api/v1/tests/{testId}", this::getTest);
    routes.get("/api/v1/tests", this::listTests);
  }

  void getTest(Context ctx) {
    Principal principal = Auth.principal(ctx);
    Params params = new Params(ctx, ONE_TEST_PARAMS);
    String testId = Params.path(ctx, "testId", TestKeys.TEST_ID, "32 lowercase hex characters");
    boolean allowStale = params.bool("allowStale");
    QueryOutcome<StoreRead<TestpulseQueries.TestView>> outcome = queries.testView(principal.tenant(), testId,
        allowStale);
    if (outcome.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, outcome);
      return;
    }
    StoreRead<TestpulseQueries.TestView> read = outcome.value();
    Map<String, Object> body = asMap(read.value().summary());
    QuarantinedTest q = read.value().quarantine();
    body.put("quarantine", q == null ? null : quarantineView(q));
    body.put("recent_durations", recentDurations(principal.tenant(), testId));
    body.put("stale", read.stale());
    body.put("offset_lag", read.offsetLag());
    body.put("served_by", read.servedBy());
    Responses.json(ctx, 200, body);
  }

  /**
   * The test's duration percentiles over the last {@link DurationController#DEFAULT_RANGE}, as
   * {@code GET /api/v1/tests/{testId}/durations} answers them, from the instance that owns the test
   * (its duration buckets are co-partitioned with its stats). {@code null} when the test has no
   * durations in that range, or when they cannot be read right now: the counts above still answer.
   */
  private Object recentDurations(String tenant, String testId) {
    if (durations == null) {
      return null;
    }
    Instant to = clock.instant();
    Instant from = to.minus(DurationController.DEFAULT_RANGE);
    KeyRouter.Route route = queries.route(durations.testStore(), TestKeys.key(tenant, testId));
    switch (route.kind()) {
      case LOCAL -> {
        QueryOutcome<?> local = durations.test(tenant, testId, from, to);
        return local.status() == QueryOutcome.Status.OK ? local.value() : null;
      }
      case REMOTE -> {
        String path = "/internal/v1/fwd/api/v1/tests/" + testId + "/durations?from=" + from.toEpochMilli()
            + "&to=" + to.toEpochMilli();
        QueryOutcome<PeerClient.RawAnswer> forwarded = queries.forward(route, path, tenant);
        if (forwarded.status() != QueryOutcome.Status.OK || forwarded.value().status() != 200) {
          return null;
        }
        try {
          return JsonSerde.MAPPER.readTree(forwarded.value().body());
        } catch (IOException e) {
          return null;
        }
      }
      default -> {
        return null;
      }
    }
  }

  static Map<String, Object> quarantineView(QuarantinedTest q) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("mode", q.mode());
    view.put("reason", q.reason());
    view.put("expires_at", q.expiresAt());
    view.put("quarantined_by", q.quarantinedBy());
    view.put("quarantined_at", q.quarantinedAt());
    return view;
  }

  void listTests(Context ctx) {
    Principal principal = Auth.principal(ctx);
    Params params = new Params(ctx, LIST_PARAMS);
    Map<String, String> filters = new LinkedHashMap<>();
    putIfPresent(filters, "suite", params.matching("suite", Params.SLUG, "a suite slug ([A-Za-z0-9._-], up to 128)"));
    putIfPresent(filters, "scope", params.text("scope"));
    putIfPresent(filters, "name", params.text("name"));
    if (params.raw("state") != null) {
      filters.put("state", params.oneOf("state", List.copyOf(new java.util.TreeSet<>(TestListSpec.STATES))));
    }
    String sort = params.oneOf("sort", TestListSpec.SORTS);
    int limit = params.integer("limit", Math.min(DEFAULT_LIMIT, maxPageSize), 1, maxPageSize);
    boolean allowStale = params.bool("allowStale");
    List<Object> after = null;
    String cursor = params.raw("cursor");
    if (cursor != null) {
      try {
        after = Cursors.decode(cursor, TestListSpec.NAME, sort, filters);
      } catch (IllegalArgumentException e) {
        throw new Params.BadParameter("cursor", e.getMessage());
      }
    }
    if (filters.containsKey("suite") && filters.containsKey("scope") && filters.containsKey("name")
        && !filters.containsKey("state") && cursor == null) {
      findByIdentity(ctx, principal, filters, allowStale);
      return;
    }
    ListQuery query = new ListQuery(principal.tenant(), filters, sort, limit, after, allowStale);
    Responses.write(ctx, queries.tests(query));
  }

  /** suite + scope + name identify a test: its id is their hash, so this is a routed key lookup, not a fan-out. */
  private void findByIdentity(Context ctx, Principal principal, Map<String, String> filters, boolean allowStale) {
    String testId = TestKeys.testId(principal.tenant(), filters.get("suite"), filters.get("scope"),
        filters.get("name"));
    QueryOutcome<StoreRead<TestSummary>> outcome = queries.testSummary(principal.tenant(), testId, allowStale);
    List<TestSummary> items = new ArrayList<>();
    boolean stale = false;
    List<io.testpulse.interactive.PartPage.PartitionAnswer> stalePartitions = List.of();
    switch (outcome.status()) {
      case OK -> {
        items.add(outcome.value().value());
        stale = outcome.value().stale();
        if (stale) {
          stalePartitions = List.of(new io.testpulse.interactive.PartPage.PartitionAnswer(outcome.value().partition(),
              true, outcome.value().offsetLag(), outcome.value().servedBy()));
        }
      }
      case NOT_FOUND -> {
        // an empty page: the test is unknown
      }
      case UNAVAILABLE -> {
        Responses.write(ctx, outcome);
        return;
      }
    }
    Responses.json(ctx, 200, new ListPage<>(items, null, false, List.of(), stale, stalePartitions));
  }

  private static void putIfPresent(Map<String, String> map, String key, String value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object value) {
    return new LinkedHashMap<>(JsonSerde.MAPPER.convertValue(value, Map.class));
  }
}
