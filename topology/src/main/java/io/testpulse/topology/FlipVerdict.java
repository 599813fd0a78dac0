package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The outage guard's answer about one flip candidate, sent from the per-run aggregate back to
 * the test on {@code <prefix>.flip-verdicts.v1} (keyed {@code tenant/test_id}, so it must have
 * as many partitions as the executions topic). Internal wire format of the flakiness topology.
 *
 * @param confirmed true: the failing run is not an outage (now); false: it is, withdraw the flip
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FlipVerdict(String testKey, String commitSha, String runKey, boolean confirmed, long time) {
}
