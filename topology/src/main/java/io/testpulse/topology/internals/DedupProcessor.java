package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import java.time.Duration;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * De-duplication and attempt numbering, per test (the record key {@code tenant/test_id}), in event
 * time:
 *
 * <ul>
 *   <li>an execution whose {@code execution_id} was seen for the same test within the horizon
 *       (before or after it in event time) is dropped and counted in the {@code dropped-duplicates}
 *       metric;
 *   <li>every other execution gets {@code attempt} = the number of unique executions of the same test
 *       with the same run key seen before it within the horizon (0, 1, 2, ...), whatever the
 *       collector said, so a retried CI job uploading separately numbers its executions on.
 * </ul>
 *
 * Keys carry the test key, so a tenant can never suppress another tenant's execution by reusing its id.
 */
final class DedupProcessor implements Processor<String, TestExecution, String, TestExecution> {

  /** Kafka Streams metric group {@code stream-testpulse-metrics}, operation {@code dropped-duplicates}. */
  static final String METRIC_SCOPE = "testpulse";
  static final String METRIC_OPERATION = "dropped-duplicates";

  private final String seenStoreName;
  private final String attemptsStoreName;
  private final long horizonMs;
  private ProcessorContext<String, TestExecution> context;
  private WindowStore<String, Long> seen;
  private WindowStore<String, Long> attempts;
  private Sensor droppedDuplicates;

  DedupProcessor(String seenStoreName, String attemptsStoreName, Duration horizon) {
    this.seenStoreName = seenStoreName;
    this.attemptsStoreName = attemptsStoreName;
    this.horizonMs = horizon.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, TestExecution> context) {
    this.context = context;
    this.seen = context.getStateStore(seenStoreName);
    this.attempts = context.getStateStore(attemptsStoreName);
    // one sensor per task (the entity), so tasks of one thread never share or remove each other's metric
    this.droppedDuplicates = context.metrics().addRateTotalSensor(METRIC_SCOPE, "dedup-" + context.taskId(),
        METRIC_OPERATION, Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, TestExecution> record) {
    ExecutionValidator.validate(record.key(), record.value());
    TestExecution e = record.value();
    long at = record.timestamp();
    String seenKey = record.key() + "/" + e.getExecutionId();
    if (latest(seen, seenKey, at) != null) {
      droppedDuplicates.record();
      return;
    }
    seen.put(seenKey, at, at);
    String runKey = record.key() + "/" + e.getRun().getKey();
    Long before = latest(attempts, runKey, at);
    long attempt = before == null ? 0 : before;
    attempts.put(runKey, attempt + 1, at);
    TestExecution numbered = e.getAttempt() == attempt ? e
        : TestExecution.newBuilder(e).setAttempt((int) Math.min(attempt, Integer.MAX_VALUE)).build();
    context.forward(record.withValue(numbered));
  }

  /** The largest value stored for {@code key} within the horizon around {@code at}, or null. */
  private Long latest(WindowStore<String, Long> store, String key, long at) {
    Long max = null;
    try (WindowStoreIterator<Long> it = store.fetch(key, Math.max(0, at - horizonMs), at + horizonMs)) {
      while (it.hasNext()) {
        long value = it.next().value;
        max = max == null ? value : Math.max(max, value);
      }
    }
    return max;
  }

  @Override
  public void close() {
    if (droppedDuplicates != null) {
      context.metrics().removeSensor(droppedDuplicates);
    }
  }
}
