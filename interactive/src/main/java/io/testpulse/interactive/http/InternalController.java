package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.Cursors;
import io.testpulse.interactive.ListQuery;
import io.testpulse.interactive.ListSpec;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.topology.TestKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The internal API between instances of one application: a forwarded key lookup and one instance's
 * part of a list, answered from local partitions only (never forwarded again). Every request must
 * carry the shared secret ({@code testpulse.internal.secret}); without it the answer is 403.
 */
final class InternalController {

  private static final Pattern KEY = Pattern.compile(TestKeys.TENANT.pattern() + "/" + TestKeys.TEST_ID.pattern());
  private static final Pattern PARTITIONS = Pattern.compile("\\d{1,5}(,\\d{1,5}){0,9999}");

  private final TestpulseQueries queries;
  private final int maxPageSize;

  InternalController(TestpulseQueries queries, int maxPageSize) {
    this.queries = queries;
    this.maxPageSize = maxPageSize;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.before("/internal/v1/*", this::requireSecret);
    routes.get("/internal/v1/stores/{store}/key", this::key);
    routes.get("/internal/v1/lists/{list}", this::list);
  }

  void requireSecret(Context ctx) {
    if (!queries.acceptsInternal(ctx.header(TestpulseQueries.internalSecretHeader()))) {
      Problems.write(ctx, 403, "Forbidden", "internal API: missing or wrong instance secret");
      ctx.skipRemainingHandlers();
    }
  }

  void key(Context ctx) {
    Params params = new Params(ctx, Set.of("key", "partition", "allowStale"));
    String store = ctx.pathParam("store");
    if (!queries.knowsStore(store)) {
      Problems.notFound(ctx, "no such store");
      return;
    }
    String key = params.matching("key", KEY, "tenant/testId");
    if (key == null) {
      throw new Params.BadParameter("key", "is required");
    }
    int partition = params.integer("partition", -1, 0, 99_999);
    if (partition < 0) {
      throw new Params.BadParameter("partition", "is required");
    }
    Responses.json(ctx, 200, queries.localKey(store, key, partition, params.bool("allowStale")));
  }

  void list(Context ctx) {
    ListSpec<?, ?> spec = queries.listSpec(ctx.pathParam("list")).orElse(null);
    if (spec == null) {
      Problems.notFound(ctx, "no such list");
      return;
    }
    Set<String> allowed = new java.util.HashSet<>(Set.of("tenant", "sort", "limit", "after", "partitions",
        "allowStale"));
    spec.filters().forEach(f -> allowed.add("f." + f));
    Params params = new Params(ctx, allowed);
    String tenant = params.matching("tenant", TestKeys.TENANT, "a tenant slug");
    String partitionsText = params.matching("partitions", PARTITIONS, "comma-separated partition numbers");
    if (tenant == null || partitionsText == null) {
      throw new Params.BadParameter(tenant == null ? "tenant" : "partitions", "is required");
    }
    Set<Integer> partitions = new TreeSet<>();
    for (String p : partitionsText.split(",")) {
      partitions.add(Integer.parseInt(p));
    }
    String sort = params.oneOf("sort", spec.sorts());
    int limit = params.integer("limit", 1, 1, maxPageSize);
    Map<String, String> filters = new HashMap<>();
    for (String f : spec.filters()) {
      String value = params.text("f." + f);
      if (value != null) {
        filters.put(f, value);
      }
    }
    List<Object> after = null;
    if (params.raw("after") != null) {
      try {
        after = Cursors.decodeKey(params.raw("after"));
      } catch (IllegalArgumentException e) {
        throw new Params.BadParameter("after", e.getMessage());
      }
    }
    boolean allowStale = params.bool("allowStale");
    ListQuery query = new ListQuery(tenant, filters, sort, limit, after, allowStale);
    Responses.json(ctx, 200, queries.localList(spec.name(), query, partitions, allowStale));
  }
}
