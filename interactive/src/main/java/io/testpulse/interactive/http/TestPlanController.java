package io.testpulse.interactive.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.testpulse.interactive.QuarantinedTest;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.plan.PlanRequest;
import io.testpulse.interactive.plan.PlanStore;
import io.testpulse.interactive.plan.TestPlan;
import io.testpulse.interactive.plan.TestPlanService;
import io.testpulse.topology.QuarantineCommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Buildkite's test-client protocol ({@code bktec}) under
 * {@code /v2/analytics/organizations/{org}/suites/{suite}}: test plans that split a suite over N nodes
 * by measured durations, with muted and skipped tests, and Buildkite's REST shapes for test states.
 *
 * <p>The token decides the tenant and {@code {org}} must name it; {@code {suite}} is the suite slug (an
 * ingest token bound to a suite may only use that suite). Any role may read plans, timings and test
 * states (the client uses one token, the CI job's ingest token, for everything); creating a plan and
 * posting run metadata need ingest (or admin); changing a test's state needs admin. Successes are
 * {@code 200} (the client treats anything else as an error); errors carry {@code message}.
 */
final class TestPlanController {

  static final String BASE = "/v2/analytics/organizations/{org}/suites/{suite}";
  private static final Pattern IDENTIFIER = Pattern.compile("[^\\p{Cntrl}]{1,1024}");

  private final TestPlanService plans;
  private final QuarantineController quarantine;

  TestPlanController(TestPlanService plans, QuarantineController quarantine) {
    this.plans = plans;
    this.quarantine = quarantine;
  }

  void register(TestpulsePlugin.Routes routes, Auth auth) {
    routes.before("/v2/analytics/*", auth::requireAnyRole);
    routes.get(BASE + "/test_plan", this::getPlan);
    routes.post(BASE + "/test_plan", this::createPlan);
    routes.post(BASE + "/test_plan/filter_tests", this::filterTests);
    routes.post(BASE + "/test_files", this::testFiles);
    routes.post(BASE + "/test_plan_metadata", this::metadata);
    routes.get(BASE + "/tests/muted", ctx -> states(ctx, QuarantineCommand.MUTE));
    routes.get(BASE + "/tests/skipped", ctx -> states(ctx, QuarantineCommand.SKIP));
    routes.put(BASE + "/tests/{testId}/mute", ctx -> changeState(ctx, QuarantineCommand.MUTE));
    routes.put(BASE + "/tests/{testId}/skip", ctx -> changeState(ctx, QuarantineCommand.SKIP));
    routes.put(BASE + "/tests/{testId}/enable", ctx -> changeState(ctx, null));
  }

  void getPlan(Context ctx) {
    Suite s = suite(ctx, r -> true, "read test plans");
    if (s == null) {
      return;
    }
    Params params = new Params(ctx, Set.of("identifier", "job_retry_count"));
    String identifier = params.matching("identifier", IDENTIFIER, "1 to 1024 characters without control characters");
    if (identifier == null) {
      throw new Params.BadParameter("identifier", "is required");
    }
    params.integer("job_retry_count", 0, 0, Integer.MAX_VALUE); // a retried job gets the step's plan
    Optional<TestPlan> plan = plans.find(s.tenant(), s.suite(), identifier);
    if (plan.isEmpty()) {
      Problems.notFound(ctx, "no test plan for identifier " + identifier);
      return;
    }
    Responses.json(ctx, 200, plan.get());
  }

  void createPlan(Context ctx) {
    Suite s = suite(ctx, Role::mayIngest, "create test plans");
    if (s == null) {
      return;
    }
    new Params(ctx, Set.of());
    JsonNode body = PlanBodies.object(ctx);
    if (body == null) {
      return;
    }
    PlanRequest request = PlanBodies.planRequest(body);
    if (!IDENTIFIER.matcher(request.identifier()).matches()) {
      throw new Params.BadParameter("identifier", "must be 1 to 1024 characters without control characters");
    }
    QueryOutcome<PlanStore.Created> created;
    try {
      created = plans.create(s.tenant(), s.suite(), request);
    } catch (IllegalArgumentException e) {
      throw new Params.BadParameter("parallelism", e.getMessage());
    }
    if (created.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, created);
      return;
    }
    if (created.value() instanceof PlanStore.Created.Plan p) {
      Responses.json(ctx, 200, p.plan());
    } else {
      Problems.write(ctx, 409, "Conflict", "the plan for identifier " + request.identifier()
          + " is being created by another request; retry");
    }
  }

  void filterTests(Context ctx) {
    Suite s = suite(ctx, r -> true, "read test timings");
    if (s == null) {
      return;
    }
    new Params(ctx, Set.of());
    JsonNode body = PlanBodies.object(ctx);
    if (body == null) {
      return;
    }
    List<String> files = PlanBodies.filePaths(body);
    JsonNode env = body.path("env");
    int parallelism = env.isObject() ? PlanBodies.integer(env, "BUILDKITE_PARALLEL_JOB_COUNT") : 0;
    QueryOutcome<List<String>> split = plans.filterTests(s.tenant(), s.suite(), files, parallelism,
        PlanBodies.integer(body, "max_parallelism"), PlanBodies.number(body, "target_time"));
    if (split.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, split);
      return;
    }
    Responses.json(ctx, 200, Map.of("tests", split.value().stream().map(p -> Map.of("path", p)).toList()));
  }

  void testFiles(Context ctx) {
    Suite s = suite(ctx, r -> true, "read test timings");
    if (s == null) {
      return;
    }
    new Params(ctx, Set.of());
    JsonNode body = PlanBodies.object(ctx);
    if (body == null) {
      return;
    }
    QueryOutcome<Map<String, Long>> timings = plans.fileTimings(s.tenant(), s.suite(), PlanBodies.paths(body));
    if (timings.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, timings);
      return;
    }
    Responses.json(ctx, 200, new LinkedHashMap<>(timings.value()));
  }

  void metadata(Context ctx) {
    Suite s = suite(ctx, Role::mayIngest, "post test plan metadata");
    if (s == null) {
      return;
    }
    new Params(ctx, Set.of());
    JsonNode body = PlanBodies.object(ctx);
    if (body == null) {
      return;
    }
    plans.recordMetadata(s.tenant(), s.suite(), body);
    Responses.json(ctx, 200, Map.of());
  }

  void states(Context ctx, String mode) {
    Suite s = suite(ctx, r -> true, "read test states");
    if (s == null) {
      return;
    }
    new Params(ctx, Set.of());
    QueryOutcome<List<QuarantinedTest>> tests = plans.quarantined(s.tenant(), s.suite(), mode);
    if (tests.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, tests);
      return;
    }
    String state = QuarantineCommand.SKIP.equals(mode) ? "skipped" : "muted";
    Responses.json(ctx, 200, Map.of("tests", tests.value().stream().map(q -> testState(q, state)).toList()));
  }

  private static Map<String, Object> testState(QuarantinedTest q, String state) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("id", q.testId());
    t.put("scope", q.scope());
    t.put("name", q.name());
    t.put("location", q.fileName());
    t.put("state", state);
    t.put("reason", q.reason());
    t.put("expires_at", q.expiresAt());
    t.put("changed_by", q.quarantinedBy());
    t.put("changed_at", q.quarantinedAt());
    return t;
  }

  /** {@code mute}/{@code skip} quarantine the test in that mode; {@code enable} (null) releases it. */
  void changeState(Context ctx, String mode) {
    Suite s = suite(ctx, r -> r == Role.ADMIN, "change test states");
    if (s == null) {
      return;
    }
    if (mode == null) {
      quarantine.release(ctx);
    } else {
      quarantine.quarantineAs(ctx, mode);
    }
  }

  private record Suite(String tenant, String suite) {
  }

  /** The caller's tenant and the suite, after the role, organization and suite checks; null after answering. */
  private static Suite suite(Context ctx, Predicate<Role> allowed, String what) {
    Principal principal = Auth.principal(ctx);
    if (!allowed.test(principal.role())) {
      Problems.write(ctx, 403, "Forbidden", "this token may not " + what + " (role " + principal.role() + ")");
      return null;
    }
    String org = ctx.pathParam("org");
    if (!org.equals(principal.tenant())) {
      Problems.notFound(ctx, "organization " + org + " is not this token's tenant");
      return null;
    }
    String suite = Params.path(ctx, "suite", Params.SLUG, "a suite slug ([A-Za-z0-9._-], up to 128)");
    if (principal.suite() != null && !principal.suite().equals(suite)) {
      Problems.write(ctx, 403, "Forbidden", "this token is bound to suite " + principal.suite());
      return null;
    }
    return new Suite(principal.tenant(), suite);
  }
}
