package io.testpulse.topology;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A typed key-value state store: the one place its name and serdes are defined. The topology
 * builds it ({@link #storeBuilder()}), the query layer reads it, tests open it by the same handle.
 *
 * @param <K> key type
 * @param <V> value type
 */
public record StoreHandle<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public StoreHandle {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }

  /** A key-value store named {@code name}; the name is also part of its changelog topic's name. */
  public static <K, V> StoreHandle<K, V> keyValue(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return new StoreHandle<>(name, keySerde, valueSerde);
  }

  /** A persistent (RocksDB), change-logged store builder for the Processor API. */
  public StoreBuilder<KeyValueStore<K, V>> storeBuilder() {
    return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name), keySerde, valueSerde);
  }

  /** The same store for the DSL. */
  public Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized() {
    return Materialized.<K, V, KeyValueStore<Bytes, byte[]>>as(name).withKeySerde(keySerde).withValueSerde(valueSerde);
  }
}
