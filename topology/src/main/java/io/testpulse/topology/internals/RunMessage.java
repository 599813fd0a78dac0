package io.testpulse.topology.internals;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What the per-test side tells the per-run aggregate (repartitioned by {@code tenant/run_key}):
 * a first attempt's outcome ({@code COUNT}), or a flip candidate whose failing execution belongs
 * to this run ({@code CANDIDATE}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunMessage(String kind, boolean failed, String testKey, String commitSha, long time) {

  static final String COUNT = "COUNT";
  static final String CANDIDATE = "CANDIDATE";

  static RunMessage count(boolean failed, long time) {
    return new RunMessage(COUNT, failed, null, null, time);
  }

  static RunMessage candidate(String testKey, String commitSha, long time) {
    return new RunMessage(CANDIDATE, true, testKey, commitSha, time);
  }

  static String runKey(String tenant, String runKey) {
    return tenant + "/" + runKey;
  }
}
