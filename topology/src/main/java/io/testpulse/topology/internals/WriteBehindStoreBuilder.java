package io.testpulse.topology.internals;

import io.testpulse.topology.StoreHandle;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds a {@link WriteBehindStore} around the handle's persistent, change-logged store (Kafka's byte cache off). */
public final class WriteBehindStoreBuilder<K, V> implements StoreBuilder<KeyValueStore<K, V>> {

  private final StoreBuilder<KeyValueStore<K, V>> inner;
  private final UnaryOperator<V> mutable;

  public WriteBehindStoreBuilder(StoreHandle<K, V> handle, UnaryOperator<V> mutable) {
    this.inner = handle.storeBuilder().withCachingDisabled();
    this.mutable = mutable;
  }

  @Override
  public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
    return this; // the object cache is this store's cache
  }

  @Override
  public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
    inner.withLoggingEnabled(config);
    return this;
  }

  @Override
  public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
    inner.withLoggingDisabled();
    return this;
  }

  @Override
  public KeyValueStore<K, V> build() {
    return new WriteBehindStore<>(inner.build(), mutable);
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
