package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.StoreHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Adds each duration to its time bucket's sketch; every emit interval, forwards the buckets that
 * changed as {@link DurationBucket}s; once per bucket of stream time, deletes buckets past retention.
 * An execution later than its bucket's end plus grace is dropped.
 *
 * @param <V> the input value
 */
abstract class DurationBucketProcessor<V> implements Processor<String, V, String, DurationBucket> {

  private static final Logger LOG = LoggerFactory.getLogger(DurationBucketProcessor.class);

  private final StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle;
  private final StoreHandle<BucketKey, String> pendingHandle;
  protected final DurationOptions options;
  private final long bucketMs;
  /**
   * Buckets updated since the last emission, with the suite they belong to; mirrored in the pending
   * store (one write per bucket per emit interval) so that the obligation to emit survives a crash.
   */
  private final Map<BucketKey, String> updated = new LinkedHashMap<>();
  private ProcessorContext<String, DurationBucket> context;
  private KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> store;
  private KeyValueStore<BucketKey, String> pending;
  private SketchBucketStore sketches;
  private long lastPurgeStreamTime = Long.MIN_VALUE;
  private long dropped;

  DurationBucketProcessor(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle,
      StoreHandle<BucketKey, String> pendingHandle, DurationOptions options) {
    this.handle = handle;
    this.pendingHandle = pendingHandle;
    this.options = options;
    this.bucketMs = options.bucket().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, DurationBucket> context) {
    this.context = context;
    this.store = context.getStateStore(handle.name());
    this.sketches = SketchBucketStore.unwrap(store);
    this.pending = context.getStateStore(pendingHandle.name());
    updated.clear();
    try (KeyValueIterator<BucketKey, String> it = pending.all()) {
      it.forEachRemaining(kv -> updated.put(kv.key, kv.value.isEmpty() ? null : kv.value));
    }
    context.schedule(options.emitInterval(), PunctuationType.WALL_CLOCK_TIME, now -> emitAndPurge());
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
    if (sketches != null) {
      sketches.forUpdate(key).accept(micros);
    } else {
      DDSketchWithExactSummaryStatistics sketch = store.get(key);
      if (sketch == null) {
        sketch = DurationSketches.create();
      }
      sketch.accept(micros);
      store.put(key, sketch);
    }
    if (!updated.containsKey(key)) {
      updated.put(key, suite);
      pending.put(key, suite == null ? "" : suite);
    }
  }

  /** The output record of one bucket, from its key, the suite it belongs to and its summary. */
  protected abstract DurationBucket describe(BucketKey key, String suite, DurationSummary summary);

  private void emitAndPurge() {
    long timestamp = Math.max(0, context.currentStreamTimeMs());
    List<Map.Entry<BucketKey, String>> batch = new ArrayList<>(updated.entrySet());
    updated.clear();
    for (Map.Entry<BucketKey, String> e : batch) {
      DurationSummary summary = DurationSummary.of(sketches != null ? sketches.current(e.getKey()) : store.get(e.getKey()));
      if (summary != null) {
        DurationBucket bucket = describe(e.getKey(), e.getValue(), summary);
        context.forward(new Record<>(bucket.key(), bucket, timestamp));
      }
      pending.delete(e.getKey());
    }
    long streamTime = context.currentStreamTimeMs();
    if (streamTime >= 0 && (lastPurgeStreamTime == Long.MIN_VALUE || streamTime - lastPurgeStreamTime >= bucketMs)) {
      lastPurgeStreamTime = streamTime;
      purge(streamTime);
    }
  }

  private void purge(long streamTime) {
    long retention = options.retention().toMillis();
    List<BucketKey> expired = new ArrayList<>();
    try (KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> it =
        sketches != null ? sketches.allCurrent() : store.all()) {
      while (it.hasNext()) {
        KeyValue<BucketKey, DDSketchWithExactSummaryStatistics> kv = it.next();
        if (kv.key.bucketStart() + bucketMs + retention <= streamTime) {
          expired.add(kv.key);
        }
      }
    }
    expired.forEach(store::delete);
    if (!expired.isEmpty()) {
      LOG.debug("deleted {} duration buckets past retention from {}", expired.size(), handle.name());
    }
  }

  protected static String tenantOf(String scope) {
    return scope.substring(0, scope.indexOf('/'));
  }
}
