package io.testpulse.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The end of every scenario: once the cluster has settled (every live instance RUNNING, every
 * source record committed), testpulse's answers are compared with the {@link Oracle} in three
 * places: the HTTP API ({@code GET /api/v1/tests/{id}} of every test, spread over the live
 * instances), the compacted test-stats topic and the transitions topic (both read
 * {@code read_committed}, as ClickHouse reads them). A scenario's lost and duplicated are the worst
 * of API and topic; mismatched is the worst of the three.
 */
final class Verification {

  private Verification() {
  }

  /**
   * The test-stats topic compared with the model, read again until it agrees or a minute passes: a changed
   * test's row is written once per testpulse.stats.emit.interval.ms (5 s), at the first commit after it, so
   * the last rows land a few seconds after the input is committed.
   */
  private static Oracle.Comparison statsTopic(Oracle oracle, Answers answers, Set<String> keys, boolean strict)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Oracle.Comparison comparison = oracle.compare("test-stats topic", answers.viaStatsTopic(keys), strict);
      boolean agrees = comparison.lost() == 0 && comparison.duplicated() == 0 && comparison.mismatched() == 0;
      if (agrees || System.nanoTime() > deadline) {
        return comparison;
      }
      Thread.sleep(1000); // polling a live system (main code of the harness, not a test)
    }
  }

  static ScenarioReport report(String name, ChaosContext context, Oracle oracle, boolean strict,
                               Map<String, Object> figures, List<String> failures) throws Exception {
    if (context instanceof ProcessFaults faults) {
      try {
        Duration settled = faults.awaitSettled(Duration.ofMinutes(context.quick() ? 4 : 10));
        figures.put("settle_s", settled.toMillis() / 1e3);
      } catch (IllegalStateException e) {
        failures.add("did not settle: " + e.getMessage());
      }
    }
    Answers answers = new Answers(context);
    Set<String> keys = oracle.keys();
    List<URI> live = new ArrayList<>();
    for (int i = 0; i < context.instances().size(); i++) {
      if (context.alive(i)) {
        live.add(context.instances().get(i));
      }
    }
    Map<String, JsonNode> api = answers.viaApi(keys, live, Duration.ofSeconds(60));
    Oracle.Comparison viaApi = oracle.compare("api", api, strict);
    Oracle.Comparison viaTopic = statsTopic(oracle, answers, keys, strict);
    Oracle.Comparison transitions = oracle.compareTransitions(answers.transitions(keys));

    figures.put("tests", viaApi.tests());
    figures.put("acknowledged_executions", viaApi.expectedExecutions());
    figures.put("api_counted_executions", viaApi.answeredExecutions());
    figures.put("api_unanswered_tests", keys.size() - api.size());
    figures.put("api_lost", viaApi.lost());
    figures.put("api_duplicated", viaApi.duplicated());
    figures.put("api_mismatched", viaApi.mismatched());
    figures.put("topic_counted_executions", viaTopic.answeredExecutions());
    figures.put("topic_lost", viaTopic.lost());
    figures.put("topic_duplicated", viaTopic.duplicated());
    figures.put("topic_mismatched", viaTopic.mismatched());
    figures.put("transitions_expected", transitions.expectedExecutions());
    figures.put("transitions_written", transitions.answeredExecutions());
    figures.put("transitions_mismatched", transitions.mismatched());
    figures.put("compared_scores", strict);
    failures.addAll(viaApi.details());
    failures.addAll(viaTopic.details());
    failures.addAll(transitions.details());
    long lost = Math.max(viaApi.lost(), viaTopic.lost());
    long duplicated = Math.max(viaApi.duplicated(), viaTopic.duplicated());
    long mismatched = Math.max(Math.max(viaApi.mismatched(), viaTopic.mismatched()), transitions.mismatched());
    return ScenarioReport.of(name, lost, duplicated, mismatched, figures, failures);
  }

  /** Median and maximum of a list of seconds, into {@code figures} as {@code <prefix>_median_s} and {@code _max_s}. */
  static void summarize(Map<String, Object> figures, String prefix, List<Double> seconds) {
    figures.put(prefix + "_s", List.copyOf(seconds));
    if (seconds.isEmpty()) {
      return;
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    figures.put(prefix + "_median_s", sorted.get(sorted.size() / 2));
    figures.put(prefix + "_max_s", sorted.get(sorted.size() - 1));
  }
}
