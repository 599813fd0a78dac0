package io.testpulse.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.nio.ByteBuffer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Serialized state of an application: reads every changelog topic of {@code applicationId} to its
 * end and adds up key and value bytes of the latest value of every key (what the stores hold,
 * serialized, without RocksDB's own overhead).
 */
final class StateBytes {

  record Size(long bytes, long keys, int changelogs) {
  }

  private StateBytes() {
  }

  static Size of(String bootstrap, Offsets offsets, String applicationId) throws Exception {
    List<String> changelogs = offsets.admin().listTopics().names().get().stream()
        .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-changelog")).toList();
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    Map<ByteBuffer, Integer> latest = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>(offsets.ends(changelogs).keySet());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          ByteBuffer key = ByteBuffer.wrap((r.topic() + "\u0000").getBytes()).duplicate();
          ByteBuffer full = ByteBuffer.allocate(key.remaining() + r.key().length).put(key).put(r.key()).flip();
          if (r.value() == null) {
            latest.remove(full);
          } else {
            latest.put(full, r.key().length + r.value().length);
          }
        }
      }
    }
    long bytes = latest.values().stream().mapToLong(Integer::longValue).sum();
    return new Size(bytes, latest.size(), changelogs.size());
  }
}
