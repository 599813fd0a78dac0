package io.testpulse.topology.internals;

import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/** Processors on Kafka Streams' {@link MockProcessorContext}, with in-memory stores under the topology's names and serdes. */
final class MockTask {

  private MockTask() {
  }

  static <K, V> MockProcessorContext<K, V> context(String applicationId, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new MockProcessorContext<>(props);
  }

  /** The engine's test-record store: a write-behind store over an in-memory one, added to {@code context}. */
  static WriteBehindStore<String, io.testpulse.avro.TestRecord> records(MockProcessorContext<?, ?> context) {
    KeyValueStore<String, io.testpulse.avro.TestRecord> inner = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.TEST_RECORD.name()),
        Stores.TEST_RECORD.keySerde(), Stores.TEST_RECORD.valueSerde()).withLoggingDisabled().build();
    WriteBehindStore<String, io.testpulse.avro.TestRecord> store = new WriteBehindStore<>(inner, TestRecords::mutable);
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  /** The engine's evicted-runs window store (in memory), added to {@code context}. */
  static void evictedRuns(MockProcessorContext<?, ?> context, java.time.Duration horizon) {
    var store = org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryWindowStore(Stores.DEDUP_EVICTED_RUNS, horizon,
            java.time.Duration.ofMillis(1), true),
        org.apache.kafka.common.serialization.Serdes.String(), io.testpulse.serdes.TestpulseSerdes.evictedRuns())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  /** An in-memory store, not change-logged (the mock context has no changelog), added to {@code context}. */
  static <K, V> KeyValueStore<K, V> store(MockProcessorContext<?, ?> context, StoreHandle<K, V> handle) {
    KeyValueStore<K, V> store = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(handle.name()), handle.keySerde(),
        handle.valueSerde()).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }
}
