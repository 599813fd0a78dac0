package io.testpulse.reliability;

import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TopicHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Steady load into the input topic, as a CI collector's backend would write it: an idempotent
 * producer with {@code acks=all}. A batch is resent (same execution ids) until Kafka acknowledged
 * every record of it, and only then handed to the oracle: what the oracle expects is exactly what
 * Kafka acknowledged, in the order each test's executions were acknowledged. Rounds are paced to
 * {@code eventsPerSecond}.
 */
final class Feeder implements AutoCloseable {

  private final KafkaProducer<String, TestExecution> producer;
  private final TopicHandle<String, TestExecution> topic;
  private final ChaosLoad load;
  private final Oracle oracle;
  private final double eventsPerSecond;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  private final AtomicLong rounds = new AtomicLong();
  private CompletableFuture<Void> running;

  Feeder(String bootstrap, TopicHandle<String, TestExecution> topic, ChaosLoad load, Oracle oracle,
         double eventsPerSecond) {
    this.topic = topic;
    this.load = load;
    this.oracle = oracle;
    this.eventsPerSecond = eventsPerSecond;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15000,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 15000),
        topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /** Starts feeding in the background until {@link #stop()}. */
  Feeder start() {
    running = CompletableFuture.runAsync(this::loop);
    return this;
  }

  /** Feeds {@code n} rounds in the calling thread, unpaced. */
  void rounds(int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      feedRound();
    }
  }

  private void loop() {
    try {
      long t0 = System.nanoTime();
      while (!stop.get()) {
        feedRound();
        // pace: the next round starts when the events sent so far are due at the target rate
        long dueNanos = t0 + (long) (acked.get() / eventsPerSecond * 1e9);
        long wait;
        while (!stop.get() && (wait = dueNanos - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(200)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void feedRound() throws InterruptedException {
    int round = (int) rounds.incrementAndGet();
    for (List<TestExecution> batch : load.round(round, Instant.now())) {
      sendUntilAcked(batch, Duration.ofMinutes(5));
      batch.forEach(oracle::accept);
      acked.addAndGet(batch.size());
    }
  }

  private void sendUntilAcked(List<TestExecution> batch, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TestExecution> pending = batch;
    while (!pending.isEmpty()) {
      List<CompletableFuture<Boolean>> results = new ArrayList<>();
      for (TestExecution e : pending) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        try {
          producer.send(new ProducerRecord<>(topic.name(), TestKeys.key(e.getTenant(), e.getTestId()), e),
              (metadata, error) -> done.complete(error == null));
        } catch (RuntimeException sendFailed) {
          done.complete(false);   // e.g. metadata not available within max.block.ms while the broker is down
        }
        results.add(done);
      }
      producer.flush();
      List<TestExecution> failed = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        if (!results.get(i).join()) {
          failed.add(pending.get(i));
        }
      }
      resent.addAndGet(failed.size());
      pending = failed;
      if (!pending.isEmpty() && System.nanoTime() > deadline) {
        throw new IllegalStateException(pending.size() + " executions not acknowledged by Kafka within " + timeout);
      }
    }
  }

  /** Stops the background loop after its current round; rethrows what ended it, if anything did. */
  void stop() {
    stop.set(true);
    if (running != null) {
      running.join();
    }
  }

  long acked() {
    return acked.get();
  }

  long resent() {
    return resent.get();
  }

  long roundsFed() {
    return rounds.get();
  }

  @Override
  public void close() {
    stop();
    producer.close(Duration.ofSeconds(10));
  }
}
