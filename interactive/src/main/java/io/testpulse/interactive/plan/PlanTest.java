package io.testpulse.interactive.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One entry of a plan in the client's format: a file, an example (one test) or a selector; also the
 * shape of {@code muted_tests} and {@code skipped_tests}, which the client matches by scope and name.
 *
 * @param format {@code file}, {@code example} or {@code selector}
 * @param estimatedDuration milliseconds (an integer: the client reads an int)
 * @param timingSampleSize executions behind the estimate (for a file, the most of any of its tests); 0 for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PlanTest(String path, String format, String identifier, String name, String scope,
    Long estimatedDuration, Long timingSampleSize, String value) {

  static PlanTest file(String path, long estimatedMs, long samples) {
    return new PlanTest(path, "file", null, null, null, estimatedMs, samples, null);
  }

  static PlanTest selector(String value, long estimatedMs, long samples) {
    return new PlanTest(value, "selector", null, null, null, estimatedMs, samples, value);
  }

  static PlanTest example(PlanRequest.Example e, long estimatedMs, long samples) {
    return new PlanTest(e.path(), "example", e.identifier(), e.name(), e.scope(), estimatedMs, samples, null);
  }

  /** A muted or skipped test: what the client needs to recognise it (scope and name). */
  static PlanTest state(String path, String testId, String scope, String name) {
    return new PlanTest(path == null ? "" : path, "example", testId, name, scope == null ? "" : scope, null, null,
        null);
  }
}
