package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import java.util.Map;
import java.util.TreeMap;

/**
 * One execution as a flat JSON row, written to {@code <prefix>.executions.v1.enriched} for
 * ClickHouse: the run's fields are lifted to the top level and tags stay a JSON object (a
 * {@code Map(String, String)} column). One row per execution the topology processes: the
 * enriched step is fed the same stream as the other steps.
 *
 * @param key {@code tenant/test_id}, also the record key
 * @param durationMicros the execution's duration in microseconds
 * @param eventTime build time if known, else receive time, epoch millis
 * @param attempt 0 for the first execution of the test in its run key
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EnrichedExecution(
    String key,
    String executionId,
    String tenant,
    String suite,
    String testId,
    String scope,
    String name,
    String fileName,
    String location,
    String result,
    long durationMicros,
    long eventTime,
    String ci,
    String runKey,
    String runNumber,
    String jobId,
    String branch,
    String commitSha,
    int attempt,
    Map<String, String> tags,
    String failureReason) {

  /** The flat row of an execution. */
  public static EnrichedExecution from(TestExecution e) {
    RunInfo run = e.getRun();
    Map<String, String> tags = new TreeMap<>();
    e.getTags().forEach((k, v) -> tags.put(k.toString(), v.toString()));
    return new EnrichedExecution(
        TestKeys.key(e.getTenant(), e.getTestId()), e.getExecutionId(), e.getTenant(), e.getSuite(),
        e.getTestId(), e.getScope(), e.getName(), e.getFileName(), e.getLocation(), e.getResult().name(),
        e.getDurationMicros(), e.getEventTime().toEpochMilli(),
        run.getCi(), run.getKey(), run.getNumber(), run.getJobId(), run.getBranch(), run.getCommitSha(),
        e.getAttempt(), tags, e.getFailureReason());
  }
}
