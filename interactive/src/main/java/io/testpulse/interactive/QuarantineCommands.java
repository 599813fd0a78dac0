package io.testpulse.interactive;

import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.TopicHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes quarantine and release commands to the quarantine-commands topic and waits for Kafka's
 * acknowledgement, so the API answers 202 only for a command that is durably written. Give it a
 * producer with {@code acks=all} and idempotence on (the producer's defaults).
 */
public final class QuarantineCommands implements AutoCloseable {

  private final Producer<String, QuarantineCommand> producer;
  private final TopicHandle<String, QuarantineCommand> topic;
  private final Duration ackTimeout;

  public QuarantineCommands(Producer<String, QuarantineCommand> producer, TopicHandle<String, QuarantineCommand> topic,
      Duration ackTimeout) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.ackTimeout = Objects.requireNonNull(ackTimeout, "ackTimeout");
  }

  /** Where the command was written; UNAVAILABLE when Kafka did not acknowledge it in time. */
  public QueryOutcome<RecordMetadata> send(QuarantineCommand command) {
    try {
      RecordMetadata metadata = producer.send(new ProducerRecord<>(topic.name(), command.key(), command))
          .get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return QueryOutcome.ok(metadata);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return QueryOutcome.unavailable("interrupted while waiting for Kafka", TestpulseQueries.RETRY_AFTER);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return QueryOutcome.unavailable("Kafka did not acknowledge the command; it may or may not have been written, "
          + "and repeating it is safe", TestpulseQueries.RETRY_AFTER);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
