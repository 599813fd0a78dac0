package io.testpulse.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.TestpulseSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The machine's ceilings, each in a child JVM of its own, on the same broker and data as the
 * topology: {@code consumer <bootstrap> <input>} reads and deserializes (Avro) the whole input;
 * {@code producer <bootstrap> <input> <output> <records>} writes that many records (input payloads
 * and keys, cycled) with an idempotent producer, acks=all. Prints {@code RESULT {json}}.
 */
public final class Ceilings {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Ceilings() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, Object> result = switch (args[0]) {
      case "consumer" -> consume(args[1], args[2]);
      case "producer" -> produce(args[1], args[2], args[3], Long.parseLong(args[4]));
      default -> throw new IllegalArgumentException("unknown ceiling " + args[0]);
    };
    System.out.println("RESULT " + JSON.writeValueAsString(result));
    System.out.flush();
    System.exit(0);
  }

  private static Map<String, Object> consume(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var deserializer = TestpulseSerdes.testExecution().deserializer();
    long records = 0;
    long checksum = 0;
    long cpu0 = SelfMeasure.cpuNanos();
    long t0 = System.nanoTime();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic)) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (!caughtUp(consumer, ends)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TestExecution e = deserializer.deserialize(topic, r.value());
          checksum += e.getDurationMicros();
          records++;
        }
      }
    }
    return figures(records, System.nanoTime() - t0, SelfMeasure.cpuNanos() - cpu0, checksum);
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
    for (var e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Object> produce(String bootstrap, String input, String output, long records)
      throws Exception {
    // Realistic payloads: the first records of the input, cycled.
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition p0 = new TopicPartition(input, 0);
      consumer.assign(List.of(p0));
      consumer.seekToBeginning(List.of(p0));
      long end = consumer.endOffsets(List.of(p0)).get(p0);
      while (keys.size() < 20_000 && consumer.position(p0) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          keys.add(r.key());
          values.add(r.value());
        }
      }
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Kafka Streams' own producer default (linger.ms=100 since Kafka 4.0); no compression, as the topology.
    props.put(ProducerConfig.LINGER_MS_CONFIG, 100);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long cpu0 = SelfMeasure.cpuNanos();
    long t0 = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (long i = 0; i < records; i++) {
        int k = (int) (i % keys.size());
        producer.send(new ProducerRecord<>(output, keys.get(k), values.get(k)), (md, ex) -> {
          if (ex != null) {
            failure.compareAndSet(null, ex);
          }
        });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return figures(records, System.nanoTime() - t0, SelfMeasure.cpuNanos() - cpu0, keys.size());
  }

  private static Map<String, Object> figures(long records, long wallNanos, long cpuNanos, long check) {
    Map<String, Object> m = new LinkedHashMap<>(new HashMap<>());
    m.put("records", records);
    m.put("wall_s", wallNanos / 1e9);
    m.put("cpu_s", cpuNanos / 1e9);
    m.put("check", check);
    return m;
  }
}
