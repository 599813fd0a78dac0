package io.testpulse.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scenario found: {@code lost} acknowledged executions missing from testpulse's counts,
 * {@code duplicated} executions counted more than once, {@code mismatched} tests whose verdict or
 * counts differ from the reference model, plus the scenario's own figures (recovery times, restore
 * rates, status-code histograms ...) and the reasons it failed, if it did.
 *
 * @param figures scenario-specific numbers, written to the JSON report next to the fixed fields
 * @param failures human-readable reasons; empty when the scenario passed
 */
public record ScenarioReport(String name, boolean passed, long lost, long duplicated, long mismatched,
                             Map<String, Object> figures, List<String> failures) {

  public ScenarioReport {
    figures = new LinkedHashMap<>(figures);
    failures = List.copyOf(failures);
  }

  /** A report that passed exactly when there are no failures and nothing was lost, duplicated or mismatched. */
  public static ScenarioReport of(String name, long lost, long duplicated, long mismatched,
                                  Map<String, Object> figures, List<String> failures) {
    boolean passed = failures.isEmpty() && lost == 0 && duplicated == 0 && mismatched == 0;
    return new ScenarioReport(name, passed, lost, duplicated, mismatched, figures, failures);
  }
}
