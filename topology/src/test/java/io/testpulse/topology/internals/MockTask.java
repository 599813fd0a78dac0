package io.testpulse.topology.internals;

import io.testpulse.topology.StoreHandle;
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
