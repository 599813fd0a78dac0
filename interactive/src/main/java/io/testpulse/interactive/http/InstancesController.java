package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.testpulse.interactive.InstanceInfo;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.TestpulseQueries;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/v1/instances}: every instance of the application and the partitions it serves. */
final class InstancesController {

  private final TestpulseQueries queries;

  InstancesController(TestpulseQueries queries) {
    this.queries = queries;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/api/v1/instances", this::instances);
  }

  void instances(Context ctx) {
    new Params(ctx, Set.of());
    QueryOutcome<List<InstanceInfo>> outcome = queries.instances();
    if (outcome.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, outcome);
      return;
    }
    Responses.json(ctx, 200, Map.of("instances", outcome.value(), "streams_state", queries.streamsState().name()));
  }
}
