package io.testpulse.benchmarks;

import io.testpulse.avro.TestExecution;
import io.testpulse.examples.SampleData;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TopicHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The benchmark's workload: {@link SampleData}'s CI history (tests in suites, run on every commit,
 * a share of them flaky and retried, a few broken, lognormal durations by instance type and
 * architecture), plus a {@code runner} tag of configurable cardinality and a share of executions
 * delivered twice (same {@code execution_id}), as collectors retrying an upload do.
 *
 * @param tests distinct tests
 * @param commits commits every test runs on
 * @param flakyShare share of tests that are flaky
 * @param tagCardinality distinct values of the extra {@code runner} tag
 * <p>The history spans {@link #SPAN} and its newest execution is at {@code newest}: the harness sets
 * that to the wall-clock time of the preload ({@link #endingAt}), so that lookups' recent
 * percentiles and anything else read relative to now find the workload's buckets.
 *
 * @param duplicateShare share of executions delivered twice
 * @param newest event time of the newest execution: the last commit's retries (its build time plus 1 s;
 *     with no failure in the last commit, which the workloads here never lack, it would be 1 s older)
 */
record Workload(int tests, int commits, double flakyShare, int tagCardinality, double duplicateShare,
                Instant newest) {

  static final String TENANT = "bench";
  static final Duration SPAN = Duration.ofDays(28);

  /** The same workload with its newest execution at {@code newest}, e.g. now. */
  Workload endingAt(Instant newest) {
    return new Workload(tests, commits, flakyShare, tagCardinality, duplicateShare, newest);
  }

  SampleData data(long seed) {
    return new SampleData(new SampleData.Shape(TENANT, tests, commits, flakyShare, 0.01, SPAN, shapeEnd(), seed));
  }

  /**
   * {@link SampleData} builds commit {@code c} at {@code end - span + c * (span / commits)} and its
   * retries one second later, so the newest execution is the last commit's retry, at {@code end -
   * span + (commits - 1) * step + 1 s}. (Its one outage run, at 3/4 of the commits plus 30 minutes, is older for
   * more than 4 commits; WorkloadTest checks the newest event against {@code newest}.)
   */
  private Instant shapeEnd() {
    long stepMillis = SPAN.toMillis() / Math.max(1, commits);
    return newest.minusSeconds(1).minusMillis((Math.max(1, commits) - 1) * stepMillis).plus(SPAN);
  }

  /** Every execution of the data set (with duplicates), in commit order; returns how many were handed over. */
  long generate(long seed, String idPrefix, Consumer<TestExecution> sink) {
    SplittableRandom random = new SplittableRandom(seed * 31 + 7);
    AtomicLong count = new AtomicLong();
    Map<String, String> tags = new HashMap<>(4);
    data(seed).generate(e -> {
      tags.clear();
      tags.putAll(e.getTags());
      tags.put("runner", "runner-" + random.nextInt(Math.max(1, tagCardinality)));
      e.setTags(new HashMap<>(tags));
      if (!idPrefix.isEmpty()) {
        e.setExecutionId(idPrefix + e.getExecutionId());
      }
      sink.accept(e);
      count.incrementAndGet();
      if (random.nextDouble() < duplicateShare) {
        sink.accept(e);
        count.incrementAndGet();
      }
    });
    return count.get();
  }

  /**
   * Produces the data set to {@code topic} with an idempotent producer (acks=all). With
   * {@code eventsPerSecond > 0} it paces itself to that rate and stops after {@code maxDuration}.
   */
  long produce(String bootstrap, TopicHandle<String, TestExecution> topic, long seed, String idPrefix,
               double eventsPerSecond, Duration maxDuration) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, eventsPerSecond > 0 ? 5 : 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // One request in flight per connection: on a just-created topic the first produce request can
    // fail with NOT_LEADER_OR_FOLLOWER while later in-flight ones succeed, and the 4.3 client then
    // retries the first sequence forever (OUT_OF_ORDER_SEQUENCE_NUMBER). Seen here on the preload.
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long stopAt = maxDuration == null ? Long.MAX_VALUE : start + maxDuration.toNanos();
    AtomicLong sent = new AtomicLong();
    try (KafkaProducer<String, TestExecution> producer = new KafkaProducer<>(props,
        topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      try {
        generate(seed, idPrefix, e -> {
          long n = sent.incrementAndGet();
          if (eventsPerSecond > 0) {
            long due = start + (long) (n / eventsPerSecond * 1e9);
            long now = System.nanoTime();
            if (now > stopAt) {
              throw new Enough();
            }
            if (due > now + 1_000_000) {
              sleepNanos(due - now);
            }
          }
          producer.send(new ProducerRecord<>(topic.name(), null, e.getEventTime().toEpochMilli(),
              TestKeys.key(e.getTenant(), e.getTestId()), e), (md, ex) -> {
                if (ex != null) {
                  failure.compareAndSet(null, ex);
                }
              });
        });
      } catch (Enough enough) {
        sent.decrementAndGet();
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("workload was not fully written: " + failure.get().getMessage(), failure.get());
    }
    return sent.get();
  }

  private static void sleepNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Enough();
    }
  }

  /** Stops the generator once a paced run has used its time. */
  private static final class Enough extends RuntimeException {
    Enough() {
      super(null, null, false, false);
    }
  }
}
