package io.testpulse.topology;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A typed topic: its name, serdes and cleanup policy, built in one place ({@link Topics}) and
 * used by the topology, the ingest layer, tests and the app that creates topics.
 *
 * @param <K> key type
 * @param <V> value type
 */
public record TopicHandle<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, String cleanupPolicy) {

  public TopicHandle {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
  }

  /** Whether the topic is compacted (keeps the latest record per key) rather than deleted by time. */
  public boolean compacted() {
    return TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanupPolicy);
  }

  /** Consumed with explicit processor name {@code <name>-source}. */
  public Consumed<K, V> consumed() {
    return Consumed.with(keySerde, valueSerde).withName(name + "-source");
  }

  /** Produced with explicit processor name {@code <name>-sink}. */
  public Produced<K, V> produced() {
    return Produced.with(keySerde, valueSerde).withName(name + "-sink");
  }

  /** The topic as the app creates it when it is missing. */
  public NewTopic newTopic(int partitions, short replicationFactor) {
    return new NewTopic(name, Optional.of(partitions), Optional.of(replicationFactor))
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy));
  }
}
