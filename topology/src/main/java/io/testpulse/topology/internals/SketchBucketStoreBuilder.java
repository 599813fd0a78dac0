package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.StoreHandle;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds a {@link SketchBucketStore} around the handle's plain persistent, change-logged store. */
final class SketchBucketStoreBuilder implements StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> {

  private final StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> inner;

  SketchBucketStoreBuilder(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle) {
    // Kafka's record cache would hold bytes and defeat the point: keep it off.
    this.inner = handle.storeBuilder().withCachingDisabled();
  }

  @Override
  public StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> withCachingEnabled() {
    return this; // the sketch cache is this store's cache
  }

  @Override
  public StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> withLoggingEnabled(
      Map<String, String> config) {
    inner.withLoggingEnabled(config);
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> withLoggingDisabled() {
    inner.withLoggingDisabled();
    return this;
  }

  @Override
  public KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> build() {
    return new SketchBucketStore(inner.build());
  }

  @Override
  public Map<String, String> logConfig() {
    return inner.logConfig();
  }

  @Override
  public boolean loggingEnabled() {
    return inner.loggingEnabled();
  }

  @Override
  public String name() {
    return inner.name();
  }
}
