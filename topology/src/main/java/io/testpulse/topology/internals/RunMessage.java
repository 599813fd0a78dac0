package io.testpulse.topology.internals;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What the per-test side tells the per-run aggregate (repartitioned by {@code tenant/run_key}): a task's
 * first attempts of the run since its last message about the run ({@code COUNTS}: how many passed or failed,
 * and how many failed), or a flip candidate whose failing execution belongs to this run ({@code CANDIDATE}).
 * {@code COUNT} (one first attempt, {@code failed}) is 0.1's form, still read.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunMessage(String kind, boolean failed, String testKey, String commitSha, long time, long decided,
                         long failures) {

  static final String COUNT = "COUNT";
  static final String COUNTS = "COUNTS";
  static final String CANDIDATE = "CANDIDATE";

  static RunMessage counts(long decided, long failures, long time) {
    return new RunMessage(COUNTS, failures > 0, null, null, time, decided, failures);
  }

  static RunMessage candidate(String testKey, String commitSha, long time) {
    return new RunMessage(CANDIDATE, true, testKey, commitSha, time, 0, 0);
  }

  /** First attempts this message counts: {@code decided} of a {@code COUNTS}, one for a {@code COUNT}. */
  long decidedCount() {
    return COUNT.equals(kind) ? 1 : decided;
  }

  /** Failed first attempts this message counts. */
  long failedCount() {
    return COUNT.equals(kind) ? (failed ? 1 : 0) : failures;
  }

  boolean isCount() {
    return COUNT.equals(kind) || COUNTS.equals(kind);
  }

  static String runKey(String tenant, String runKey) {
    return tenant + "/" + runKey;
  }
}
