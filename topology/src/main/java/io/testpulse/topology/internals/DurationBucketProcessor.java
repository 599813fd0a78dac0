package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.StoreHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds each duration to its time bucket's sketch; once per emit interval, at a commit, forwards the buckets
 * that changed as {@link DurationBucket}s ({@link PendingEmits}: the obligation survives a crash at one
 * record per commit); once per bucket of stream time, deletes buckets past retention. An execution later
 * than its bucket's end plus grace is dropped.
 *
 * @param <V> the input value
 */
abstract class DurationBucketProcessor<V> implements Processor<String, V, String, DurationBucket> {

  private static final Logger LOG = LoggerFactory.getLogger(DurationBucketProcessor.class);

  private final StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle;
  private final StoreHandle<Long, byte[]> emitsHandle;
  protected final DurationOptions options;
  private final long bucketMs;
  private ProcessorContext<String, DurationBucket> context;
  private SketchBucketStore sketches;
  private PendingEmits<BucketKey> pending;
  private long lastPurgeStreamTime = Long.MIN_VALUE;
  private long dropped;

  DurationBucketProcessor(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle,
      StoreHandle<Long, byte[]> emitsHandle, DurationOptions options) {
    this.handle = handle;
    this.emitsHandle = emitsHandle;
    this.options = options;
    this.bucketMs = options.bucket().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, DurationBucket> context) {
    this.context = context;
    KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> store = context.getStateStore(handle.name());
    this.sketches = SketchBucketStore.unwrap(store);
    if (sketches == null) {
      throw new IllegalStateException(handle.name() + " must be built by SketchBucketStoreBuilder");
    }
    this.pending = new PendingEmits<>(context.getStateStore(emitsHandle.name()), BucketKey.serde(),
        options.emitInterval().toMillis(), context.currentSystemTimeMs());
    CommitForwarder<String, DurationBucket> forwarder = new CommitForwarder<>(context);
    sketches.setBeforeCommit(getClass().getName(), () -> pending.commit(context.currentSystemTimeMs(), (key, suite) -> {
      DurationSummary summary = DurationSummary.of(sketches.current(key));
      if (summary != null) {
        DurationBucket bucket = describe(key, suite.isEmpty() ? null : suite, summary);
        forwarder.forward(new Record<>(bucket.key(), bucket, Math.max(0, context.currentStreamTimeMs())));
      }
    }));
    // a commit follows a punctuation: changed buckets go out within the interval even when no input arrives
    Duration every = options.emitInterval().isZero() ? Duration.ofSeconds(1) : options.emitInterval();
    context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> maybePurge());
  }

  /** Adds one duration (microseconds) at event time {@code timestamp} to {@code (scope, group)}. */
  protected final void add(String scope, String group, String suite, long timestamp, long micros) {
    long bucket = options.bucketStart(timestamp);
    long streamTime = context.currentStreamTimeMs();
    if (bucket + bucketMs + options.grace().toMillis() <= streamTime
        || bucket + bucketMs + options.retention().toMillis() <= streamTime) {
      dropped++;
      if (dropped <= 10 || dropped % 10_000 == 0) {
        LOG.warn("{}: dropped an execution {} ms after its bucket closed (stream time {}, grace {}); {} dropped by "
            + "this task so far", handle.name(), streamTime - bucket - bucketMs, streamTime, options.grace(), dropped);
      }
      return;
    }
    BucketKey key = new BucketKey(scope, bucket, group);
    if (options.sketchCache()) {
      sketches.forUpdate(key).accept(micros);
    } else {
      DDSketchWithExactSummaryStatistics sketch = sketches.get(key);
      if (sketch == null) {
        sketch = DurationSketches.create();
      }
      sketch.accept(micros);
      sketches.put(key, sketch);
    }
    pending.mark(key, suite == null ? "" : suite);
  }

  /**
   * Merges a partial sketch (a task's durations of one rollup and bucket since its last commit) into
   * {@code (scope, group)}'s bucket: lateness was judged where the executions were read, so only a bucket
   * past retention is dropped here.
   */
  protected final void merge(String scope, String group, long bucketStart, DDSketchWithExactSummaryStatistics partial) {
    if (bucketStart + bucketMs + options.retention().toMillis() <= context.currentStreamTimeMs()) {
      dropped++;
      return;
    }
    BucketKey key = new BucketKey(scope, bucketStart, group);
    if (options.sketchCache()) {
      sketches.forUpdate(key).mergeWith(partial);
    } else {
      DDSketchWithExactSummaryStatistics sketch = sketches.get(key);
      if (sketch == null) {
        sketch = DurationSketches.create();
      }
      sketch.mergeWith(partial);
      sketches.put(key, sketch);
    }
    pending.mark(key, "");
  }

  /** The output record of one bucket, from its key, the suite it belongs to and its summary. */
  protected abstract DurationBucket describe(BucketKey key, String suite, DurationSummary summary);

  private void maybePurge() {
    long streamTime = context.currentStreamTimeMs();
    if (streamTime >= 0 && (lastPurgeStreamTime == Long.MIN_VALUE || streamTime - lastPurgeStreamTime >= bucketMs)) {
      lastPurgeStreamTime = streamTime;
      purge(streamTime);
    }
  }

  private void purge(long streamTime) {
    long retention = options.retention().toMillis();
    List<BucketKey> expired = new ArrayList<>();
    try (KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> it = sketches.allCurrent()) {
      while (it.hasNext()) {
        KeyValue<BucketKey, DDSketchWithExactSummaryStatistics> kv = it.next();
        if (kv.key.bucketStart() + bucketMs + retention <= streamTime) {
          expired.add(kv.key);
        }
      }
    }
    expired.forEach(sketches::delete);
    if (!expired.isEmpty()) {
      LOG.debug("deleted {} duration buckets past retention from {}", expired.size(), handle.name());
    }
  }

  protected static String tenantOf(String scope) {
    return scope.substring(0, scope.indexOf('/'));
  }
}
