package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationScopes;
import io.testpulse.topology.Stores;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Pre-aggregates suite and dimension-set durations per task: each execution is added to an in-memory
 * sketch of its rollup key and bucket, and at every commit, inside the commit's transaction, one partial
 * sketch per (rollup, bucket) goes through the duration-rollup-partials repartition, not one record per
 * execution. Partials not yet sent belong to input not yet committed: a crash loses both, and the input
 * is read again.
 *
 * <p>Lateness is judged here, where the execution is read, against this task's stream time (as for the
 * per-test buckets): the rollup task merges whatever partial arrives (only a bucket past retention is
 * dropped there), so replaying history from offset 0, with upstream tasks at different paces, drops nothing.
 * Partial keys are {@code scope NUL group NUL bucket_start}, partitioned by scope ({@link
 * DurationsStep#byScope}).
 */
final class RollupPartialProcessor implements Processor<String, TestExecution, String, DDSketchWithExactSummaryStatistics> {

  private final DurationOptions options;
  private final long bucketMs;
  private final Map<String, DDSketchWithExactSummaryStatistics> partials = new LinkedHashMap<>();
  private final Map<String, Long> newest = new HashMap<>();
  private ProcessorContext<String, DDSketchWithExactSummaryStatistics> context;
  private Sensor droppedLate;

  RollupPartialProcessor(DurationOptions options) {
    this.options = options;
    this.bucketMs = options.bucket().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, DDSketchWithExactSummaryStatistics> context) {
    this.context = context;
    partials.clear();
    newest.clear();
    CommitForwarder<String, DDSketchWithExactSummaryStatistics> forwarder = new CommitForwarder<>(context);
    SketchBucketStore hook = SketchBucketStore.unwrap(context.getStateStore(Stores.DURATION_TEST_BUCKETS.name()));
    hook.setBeforeCommit(getClass().getName(), () -> {
      for (Map.Entry<String, DDSketchWithExactSummaryStatistics> e : partials.entrySet()) {
        forwarder.forward(new Record<>(e.getKey(), e.getValue(), newest.get(e.getKey())));
      }
      partials.clear();
      newest.clear();
    });
    this.droppedLate = context.metrics().addRateTotalSensor("testpulse-durations", "rollup-partials-" + context.taskId(),
        "dropped-late", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void process(Record<String, TestExecution> record) {
    TestExecution e = record.value();
    if (!TestDurationProcessor.counts(record.key(), e)) {
      return;
    }
    long bucket = options.bucketStart(record.timestamp());
    long streamTime = context.currentStreamTimeMs();
    if (bucket + bucketMs + options.grace().toMillis() <= streamTime
        || bucket + bucketMs + options.retention().toMillis() <= streamTime) {
      droppedLate.record();
      return;
    }
    for (String rollup : DurationScopes.rollupKeys(e, options)) {
      String key = rollup + DurationScopes.GROUP_SEPARATOR + bucket;
      partials.computeIfAbsent(key, k -> DurationSketches.create()).accept(e.getDurationMicros());
      newest.merge(key, record.timestamp(), Math::max);
    }
  }

  @Override
  public void close() {
    if (droppedLate != null) {
      context.metrics().removeSensor(droppedLate);
    }
  }
}
