package io.testpulse.interactive.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * A test plan as {@code GET}/{@code POST .../test_plan} answer it, in Buildkite's test-client format.
 *
 * @param tasks one task per node, keyed by the node number as a string ({@code "0"} to {@code parallelism - 1})
 * @param mutedTests the suite's tests quarantined with mode {@code mute}: run, failure ignored
 * @param skippedTests the suite's tests quarantined with mode {@code skip}: not run (and left out of the tasks)
 * @param knownTimingsRatio share of the planned entries that had measured durations
 * @param createdAt epoch millis
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TestPlan(String identifier, int parallelism, String branch, Map<String, Task> tasks,
    List<PlanTest> mutedTests, List<PlanTest> skippedTests, TimingMetadata timingMetadata, Double knownTimingsRatio,
    long createdAt) {

  /** The tests of one node. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Task(int nodeNumber, List<PlanTest> tests) {

    /** The node's estimated total, in milliseconds. */
    public long estimatedMs() {
      return tests.stream().mapToLong(t -> t.estimatedDuration() == null ? 0 : t.estimatedDuration()).sum();
    }
  }

  /**
   * The timing data the plan used, per entry format (absent when the plan has no entry of that format).
   *
   * @param window how far back durations were read, e.g. {@code P7D}
   * @param branchScope {@code all}: durations are measured over every branch
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record TimingMetadata(FormatTiming file, FormatTiming example, FormatTiming selector, String window,
      String branchScope, Boolean partial) {
  }

  /**
   * @param medianDuration the median (ms) of the measured entries of this format, used for entries without
   *     history; null when none had any (then {@code defaultDuration} is used)
   * @param defaultDuration milliseconds assumed when no entry of this format has history
   * @param known entries of this format with measured durations
   * @param unknown entries of this format estimated with the median or the default
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record FormatTiming(Double medianDuration, double defaultDuration, int known, int unknown) {
  }
}
