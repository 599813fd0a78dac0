package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Per-event cost of the per-test duration buckets on a real RocksDB store (no broker, no changelog):
 * the naive read-decode-add-encode-write per execution, the sketch cache (objects, written at each
 * "commit"), and a plain counter (read a long, write it back) for reference. A commit is simulated
 * every {@code COMMIT_EVERY} executions, what 100 ms of exactly-once processing holds at ~100K/s.
 *
 * <p>Run: see benchmarks/RESULTS.md. Not a unit test (no assertions; its name does not end in Test).
 */
public final class DurationsThroughputBenchmark {

  private static final int TESTS = 2_000;
  private static final int EVENTS = 500_000;
  private static final int COMMIT_EVERY = 10_000;
  private static final Instant DAY0 = Instant.parse("2026-11-01T00:00:00Z");

  public static void main(String[] args) throws Exception {
    List<Record<String, TestExecution>> records = generate();
    for (int round = 1; round <= 3; round++) {
      System.out.printf("round %d: counter %,.0f/s, sketch naive %,.0f/s, sketch cached %,.0f/s%n", round,
          runCounter(records), runSketch(records, false), runSketch(records, true));
    }
    sizes();
    bucketChoice();
  }

  private static List<Record<String, TestExecution>> generate() {
    Random random = new Random(1);
    List<Record<String, TestExecution>> records = new ArrayList<>(EVENTS);
    for (int i = 0; i < EVENTS; i++) {
      int test = random.nextInt(TESTS);
      String testId = TestKeys.testId("acme", "web", "S", "t" + test);
      // one day of executions in event-time order: each test's bucket stays hot, as in real traffic
      Instant at = DAY0.plusMillis((long) i * Duration.ofDays(1).toMillis() / EVENTS);
      TestExecution e = TestExecution.newBuilder().setExecutionId("e" + i).setTenant("acme").setSuite("web")
          .setTestId(testId).setName("t" + test).setResult(Result.PASSED)
          .setDurationMicros((long) Math.exp(10 + (test % 7) * 0.3 + 0.5 * random.nextGaussian()))
          .setEventTime(at).setRun(RunInfo.newBuilder().setKey("r" + i).build()).setTags(Map.of()).build();
      records.add(new Record<>(TestKeys.key("acme", testId), e, at.toEpochMilli()));
    }
    return records;
  }

  private static MockProcessorContext<Object, Object> context() throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    File dir = Files.createTempDirectory("durations-bench").toFile();
    return new MockProcessorContext<>(props, new TaskId(0, 0), dir);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static double runSketch(List<Record<String, TestExecution>> records, boolean cached) throws Exception {
    MockProcessorContext<Object, Object> context = context();
    StoreBuilder<KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics>> builder =
        new SketchBucketStoreBuilder(Stores.DURATION_TEST_BUCKETS);
    KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> store = builder.withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    KeyValueStore<Long, byte[]> pending = Stores.DURATION_TEST_EMITS.storeBuilder().withLoggingDisabled().build();
    pending.init(context.getStateStoreContext(), pending);
    context.addStateStore(pending);
    TestDurationProcessor processor = new TestDurationProcessor(new io.testpulse.topology.TestpulseConfig(
        java.util.Map.of(io.testpulse.topology.TestpulseConfig.DURATIONS_SKETCH_CACHE_CONFIG, cached)).durationOptions());
    processor.init((MockProcessorContext) context);
    double rate = time(records, record -> {
      context.setCurrentStreamTimeMs(record.timestamp());
      processor.process(record);
    }, store);
    store.close();
    return rate;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static double runCounter(List<Record<String, TestExecution>> records) throws Exception {
    MockProcessorContext<Object, Object> context = context();
    KeyValueStore<String, Long> store = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentKeyValueStore("counts"), Serdes.String(), Serdes.Long())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    Processor<String, TestExecution, Void, Void> counter = record -> {
      Long count = store.get(record.key());
      store.put(record.key(), count == null ? 1 : count + 1);
    };
    double rate = time(records, counter::process, store);
    store.close();
    return rate;
  }

  private static <K, V> double time(List<Record<String, TestExecution>> records,
      java.util.function.Consumer<Record<String, TestExecution>> process, KeyValueStore<K, V> store) {
    long start = System.nanoTime();
    int n = 0;
    for (Record<String, TestExecution> record : records) {
      process.accept(record);
      if (++n % COMMIT_EVERY == 0) {
        flushBeforeCommit(store);
      }
    }
    flushBeforeCommit(store);
    return records.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static void flushBeforeCommit(KeyValueStore<?, ?> store) {
    if (store instanceof SketchBucketStore sketches) {
      sketches.flushCache(); // what Kafka Streams does before each commit
    }
    store.flush();
  }

  /** Serialized size of a typical test's daily sketch, in this encoding and in DDSketch's protobuf form. */
  private static void sizes() {
    Random random = new Random(5);
    for (int n : new int[] {1, 10, 100, 1_000, 100_000}) {
      DDSketchWithExactSummaryStatistics sketch = DurationSketches.create();
      for (int i = 0; i < n; i++) {
        sketch.accept(Math.exp(12 + 0.4 * random.nextGaussian()));
      }
      com.datadoghq.sketch.ddsketch.DDSketch plain = new com.datadoghq.sketch.ddsketch.DDSketch(
          new com.datadoghq.sketch.ddsketch.mapping.CubicallyInterpolatedMapping(0.01),
          com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore::new);
      for (int i = 0; i < n; i++) {
        plain.accept(Math.exp(12 + 0.4 * random.nextGaussian()));
      }
      System.out.printf("sketch of %,d lognormal durations: %d bytes (testpulse encoding), %d bytes (DDSketch.serialize, protobuf form)%n",
          n, DurationSketches.encode(sketch).length, plain.serialize().remaining());
    }
  }

  /** A 30-day query of one test with 50 executions a day: hourly vs daily buckets. */
  private static void bucketChoice() {
    Random random = new Random(9);
    for (int bucketsPerDay : new int[] {24, 1}) {
      List<byte[]> stored = new ArrayList<>();
      for (int b = 0; b < 30 * bucketsPerDay; b++) {
        DDSketchWithExactSummaryStatistics sketch = DurationSketches.create();
        for (int i = 0; i < 50 / bucketsPerDay + (random.nextInt(bucketsPerDay) < 50 % bucketsPerDay ? 1 : 0); i++) {
          sketch.accept(Math.exp(12 + 0.4 * random.nextGaussian()));
        }
        if (!sketch.isEmpty()) {
          stored.add(DurationSketches.encode(sketch));
        }
      }
      long bytes = stored.stream().mapToLong(s -> s.length).sum();
      int iterations = 2_000;
      long start = System.nanoTime();
      double sink = 0;
      for (int it = 0; it < iterations; it++) {
        DDSketchWithExactSummaryStatistics merged = DurationSketches.create();
        for (byte[] s : stored) {
          merged.mergeWith(DurationSketches.decode(s));
        }
        sink += merged.getValueAtQuantile(0.95);
      }
      double micros = (System.nanoTime() - start) / 1e3 / iterations;
      System.out.printf("%s buckets: %d entries, %,d bytes per test for 30 days; 30-day query decodes and merges in %.1f us (%s)%n",
          bucketsPerDay == 24 ? "hourly" : "daily", stored.size(), bytes, micros, sink > 0 ? "ok" : "?");
    }
  }
}
