package io.testpulse.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.reference.FlakinessReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What testpulse must answer for the executions Kafka acknowledged: the reference model
 * ({@link FlakinessReference}, fed the same executions in the same per-test order) for states,
 * scores, flips and transitions, and exact per-test counts (de-duplicated by execution id, as the
 * topology does). {@link #compare} turns testpulse's answers into lost, duplicated and mismatched.
 */
final class Oracle {

  /** Expected counts of one test. */
  private static final class Counts {
    long passed;
    long failed;
    long skipped;
    long other;

    long executions() {
      return passed + failed + skipped + other;
    }
  }

  /**
   * The comparison of testpulse's answers with the oracle.
   *
   * @param lost acknowledged executions missing from the answers' counts (a test missing entirely counts all of its)
   * @param duplicated executions counted more than once
   * @param mismatched tests whose counts, state, flips or scores differ
   * @param details the first differences, for the report
   */
  record Comparison(long tests, long expectedExecutions, long answeredExecutions, long lost, long duplicated,
                    long mismatched, List<String> details) {
  }

  private static final double EPSILON = 1e-9;
  private static final int MAX_DETAILS = 8;

  private final FlakinessReference reference;
  private final Map<String, Counts> counts = new LinkedHashMap<>();
  private final Set<String> seen = new HashSet<>();

  Oracle(FlakinessPolicy policy) {
    this.reference = new FlakinessReference(policy);
  }

  synchronized void accept(TestExecution e) {
    String key = TestKeys.key(e.getTenant(), e.getTestId());
    reference.execution(e);
    if (!seen.add(key + "/" + e.getExecutionId())) {
      return;
    }
    Counts c = counts.computeIfAbsent(key, k -> new Counts());
    Result r = e.getResult();
    if (r == Result.PASSED) {
      c.passed++;
    } else if (r == Result.FAILED) {
      c.failed++;
    } else if (r == Result.SKIPPED) {
      c.skipped++;
    } else {
      c.other++;
    }
  }

  synchronized Set<String> keys() {
    return Set.copyOf(counts.keySet());
  }

  synchronized long executions() {
    return counts.values().stream().mapToLong(Counts::executions).sum();
  }

  /**
   * Compares testpulse's rows ({@code TestStats} JSON by key, from the API or the test-stats topic).
   *
   * @param strict also compare the scores, window and commit figures (false: counts, state and flips,
   *     for inputs whose event times the oracle only knows approximately, such as uploads)
   */
  synchronized Comparison compare(String source, Map<String, JsonNode> rows, boolean strict) {
    Map<String, FlakinessReference.Verdict> verdicts = reference.verdicts();
    long lost = 0;
    long duplicated = 0;
    long mismatched = 0;
    long expectedTotal = 0;
    long answeredTotal = 0;
    List<String> details = new ArrayList<>();
    for (var entry : counts.entrySet()) {
      String key = entry.getKey();
      Counts want = entry.getValue();
      expectedTotal += want.executions();
      JsonNode row = rows.get(key);
      if (row == null) {
        lost += want.executions();
        mismatched++;
        note(details, source + ": " + key + " missing (expected " + want.executions() + " executions)");
        continue;
      }
      long answered = row.path("executions").asLong();
      answeredTotal += answered;
      lost += Math.max(0, want.executions() - answered);
      duplicated += Math.max(0, answered - want.executions());
      List<String> diffs = new ArrayList<>();
      diff(diffs, "passed", want.passed, row.path("passed").asLong());
      diff(diffs, "failed", want.failed, row.path("failed").asLong());
      diff(diffs, "skipped", want.skipped, row.path("skipped").asLong());
      diff(diffs, "other", want.other, row.path("other").asLong());
      FlakinessReference.Verdict v = verdicts.get(key);
      diff(diffs, "state", v.state() == null ? null : v.state().name(), text(row, "state"));
      diff(diffs, "flips", v.flips(), row.path("flips").asLong());
      // The API answers a subset of the test-stats row (score under its short name, no commit figures):
      // what it leaves out is compared on the topic.
      if (row.has("flips_retracted")) {
        diff(diffs, "flips_retracted", v.flipsRetracted(), row.path("flips_retracted").asLong());
      }
      if (strict) {
        if (row.has("commits_seen")) {
          diff(diffs, "commits_seen", v.commitsSeen(), row.path("commits_seen").asLong());
          diff(diffs, "dropped_late", v.droppedLate(), row.path("dropped_late").asLong());
        }
        near(diffs, "flakiness_score", v.flakinessScore(), row.has("flakiness_score") ? row.path("flakiness_score")
            : row.path("score"));
        near(diffs, "transition_score", v.transitionScore(), row.path("transition_score"));
        near(diffs, "failure_rate", v.failureRate(), row.path("failure_rate"));
      }
      if (!diffs.isEmpty()) {
        mismatched++;
        note(details, source + ": " + key + " " + String.join(", ", diffs));
      }
    }
    return new Comparison(counts.size(), expectedTotal, answeredTotal, lost, duplicated, mismatched, details);
  }

  /**
   * Compares the flakiness transitions testpulse wrote (per key, in topic order) with the reference's
   * changes: from, to and reason. Times are not compared: the outage guard's verdict reaches the
   * test a few records later in the topology than in the reference, so a FLAKY change's time is the
   * test's clock at that later point. Returns the keys whose sequences differ, with the first details.
   */
  synchronized Comparison compareTransitions(Map<String, List<String>> written) {
    Map<String, List<String>> expected = new LinkedHashMap<>();
    for (FlakinessReference.Change c : reference.changes()) {
      expected.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.from() + ">" + c.to() + ":" + c.reason());
    }
    long mismatched = 0;
    long duplicated = 0;
    long lost = 0;
    long want = 0;
    long got = 0;
    List<String> details = new ArrayList<>();
    for (String key : counts.keySet()) {
      List<String> e = expected.getOrDefault(key, List.of());
      List<String> w = written.getOrDefault(key, List.of());
      want += e.size();
      got += w.size();
      if (!e.equals(w)) {
        mismatched++;
        lost += Math.max(0, e.size() - w.size());
        duplicated += Math.max(0, w.size() - e.size());
        note(details, "transitions: " + key + " expected " + e + " written " + w);
      }
    }
    return new Comparison(counts.size(), want, got, lost, duplicated, mismatched, details);
  }

  private static void note(List<String> details, String detail) {
    if (details.size() < MAX_DETAILS) {
      details.add(detail);
    }
  }

  private static String text(JsonNode row, String field) {
    JsonNode n = row.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static void diff(List<String> diffs, String field, Object want, Object got) {
    if (!Objects.equals(want, got)) {
      diffs.add(field + " " + got + " (expected " + want + ")");
    }
  }

  private static void near(List<String> diffs, String field, Double want, JsonNode got) {
    Double g = got == null || got.isNull() || got.isMissingNode() ? null : got.asDouble();
    boolean same = want == null ? g == null : g != null && Math.abs(want - g) <= EPSILON;
    if (!same) {
      diffs.add(field + " " + g + " (expected " + want + ")");
    }
  }
}
