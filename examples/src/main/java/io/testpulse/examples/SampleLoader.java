package io.testpulse.examples;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TopicHandle;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes generated executions to the input topic with an idempotent producer (acks=all). */
public final class SampleLoader {

  private SampleLoader() {
  }

  /** Produces every execution of {@code data}; returns once the broker acknowledged all of them. */
  public static long load(String bootstrapServers, TopicHandle<String, TestExecution> topic, SampleData data) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    AtomicReference<Exception> failure = new AtomicReference<>();
    long count;
    try (KafkaProducer<String, TestExecution> producer = new KafkaProducer<>(props,
        topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      // Record timestamp = now, not the (weeks old) event time: the topology reads event time from the
      // value, and an old record timestamp would let the broker's time retention delete input unread.
      count = data.generate(e -> producer.send(new ProducerRecord<>(topic.name(),
          TestKeys.key(e.getTenant(), e.getTestId()), e), (md, ex) -> {
            if (ex != null) {
              failure.compareAndSet(null, ex);
            }
          }));
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("sample data was not fully written: " + failure.get().getMessage(), failure.get());
    }
    return count;
  }
}
