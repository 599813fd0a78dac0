package io.testpulse.reliability;

import java.util.stream.Collectors;

/** A scenario report as text for the test log: the figures the report section quotes. */
final class Reports {

  private Reports() {
  }

  static String describe(ScenarioReport report) {
    String figures = report.figures().entrySet().stream()
        .map(e -> "  " + e.getKey() + " = " + e.getValue())
        .collect(Collectors.joining("\n"));
    String failures = report.failures().isEmpty() ? "  (none)"
        : report.failures().stream().map(f -> "  - " + f).collect(Collectors.joining("\n"));
    return "scenario " + report.name() + ": " + (report.passed() ? "PASSED" : "FAILED")
        + " (lost " + report.lost() + ", duplicated " + report.duplicated() + ", mismatched " + report.mismatched() + ")\n"
        + "figures:\n" + figures + "\nfailures:\n" + failures;
  }
}
