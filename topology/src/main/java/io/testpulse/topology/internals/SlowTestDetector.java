package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.Transition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Duration regression: each time a test's newest bucket is emitted, compares the median of its
 * recent buckets with the median of the baseline buckets before them. Recent median above
 * {@code factor x} baseline median makes the test {@code SLOW}; back at or below it, the test
 * recovers ({@code NORMAL}). Each change is one {@link Transition}; nothing is emitted while both
 * sides do not have {@code minSamples} executions.
 */
final class SlowTestDetector implements Processor<String, DurationBucket, String, Transition> {

  static final String SLOW = "SLOW";
  static final String NORMAL = "NORMAL";

  private final DurationOptions options;
  private ProcessorContext<String, Transition> context;
  private KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> buckets;
  /** The sketch store under the decorators, to read unflushed sketches; null when the sketch cache is off. */
  private SketchBucketStore sketches;
  private KeyValueStore<String, Long> slowTests;

  SlowTestDetector(DurationOptions options) {
    this.options = options;
  }

  @Override
  public void init(ProcessorContext<String, Transition> context) {
    this.context = context;
    this.buckets = context.getStateStore(Stores.DURATION_TEST_BUCKETS.name());
    this.sketches = SketchBucketStore.unwrap(buckets);
    this.slowTests = context.getStateStore(Stores.DURATION_SLOW_TESTS.name());
  }

  @Override
  public void process(Record<String, DurationBucket> record) {
    DurationBucket bucket = record.value();
    long bucketMs = options.bucket().toMillis();
    long newest = options.bucketStart(context.currentStreamTimeMs());
    long recentFrom = newest - (options.slowRecentBuckets() - 1L) * bucketMs;
    if (bucket.bucketStart() < recentFrom) {
      return; // a late execution changed an old bucket: the recent median did not move
    }
    String testKey = TestKeys.key(bucket.tenant(), bucket.testId());
    DDSketchWithExactSummaryStatistics recent = merge(testKey, recentFrom, newest);
    DDSketchWithExactSummaryStatistics baseline =
        merge(testKey, recentFrom - options.slowBaselineBuckets() * bucketMs, recentFrom - bucketMs);
    if (recent.getCount() < options.slowMinSamples() || baseline.getCount() < options.slowMinSamples()) {
      return;
    }
    double recentMedian = recent.getValueAtQuantile(0.5);
    double baselineMedian = baseline.getValueAtQuantile(0.5);
    boolean slow = recentMedian > options.slowFactor() * baselineMedian;
    boolean wasSlow = slowTests.get(testKey) != null;
    if (slow == wasSlow) {
      return;
    }
    long now = context.currentStreamTimeMs();
    if (slow) {
      slowTests.put(testKey, now);
    } else {
      slowTests.delete(testKey);
    }
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("recent_p50_ms", Double.toString(recentMedian / 1_000));
    evidence.put("baseline_p50_ms", Double.toString(baselineMedian / 1_000));
    evidence.put("factor", Double.toString(options.slowFactor()));
    evidence.put("recent_count", Long.toString((long) recent.getCount()));
    evidence.put("baseline_count", Long.toString((long) baseline.getCount()));
    evidence.put("recent_from", Long.toString(recentFrom));
    Transition transition = new Transition(testKey, bucket.tenant(), bucket.testId(), bucket.suite(),
        slow ? NORMAL : SLOW, slow ? SLOW : NORMAL, slow ? "median_duration_regression" : "median_duration_recovered",
        evidence, now);
    context.forward(new Record<>(testKey, transition, Math.max(0, now)));
  }

  private DDSketchWithExactSummaryStatistics merge(String testKey, long fromBucket, long toBucket) {
    DDSketchWithExactSummaryStatistics merged = DurationSketches.create();
    for (long b = fromBucket; b <= toBucket; b += options.bucket().toMillis()) {
      BucketKey key = new BucketKey(testKey, b, "");
      DDSketchWithExactSummaryStatistics sketch = sketches != null ? sketches.current(key) : buckets.get(key);
      if (sketch != null) {
        merged.mergeWith(sketch);
      }
    }
    return merged;
  }
}
