package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;

/** {@code GET /api/v1/tests/{testId}}: the current state of one test of the caller's tenant. */
final class TestController {

  private final TestpulseQueries queries;

  TestController(TestpulseQueries queries) {
    this.queries = queries;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/api/v1/tests/{testId}", this::getTest);
  }

  void getTest(Context ctx) {
    Principal principal = Auth.principal(ctx);
    String testId = ctx.pathParam("testId");
    if (!TestKeys.isValidTestId(testId)) {
      Problems.badRequest(ctx, "testId must be 32 lowercase hex characters");
      return;
    }
    QueryOutcome<TestStats> outcome = queries.test(principal.tenant(), testId);
    Responses.write(ctx, outcome);
  }
}
