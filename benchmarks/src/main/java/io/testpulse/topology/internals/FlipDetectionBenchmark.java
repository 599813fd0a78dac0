package io.testpulse.topology.internals;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.WindowEntry;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Flip detection, the engine's per-execution work: {@code execution} applies one execution through
 * {@link TestEngineProcessor} (de-duplication and attempt, counts, lateness check, window insert,
 * per-commit outcome with flip candidates, evaluation, transition) on in-memory stores with the
 * topology's Avro serdes, committing after each execution so that it includes the record's decode and
 * encode (a commit per execution, the worst case), and no broker, changelog or RocksDB; {@code evaluate}
 * is the evaluation alone on a full window; {@code windowInsert} one result into a full window.
 * 1,000 tests, a new commit per execution, every tenth test flaky (a failure, then a pass on the
 * same commit in another run). In the package of the processors, which are not public.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlipDetectionBenchmark {

  private static final int TESTS = 1_000;
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private final FlakinessPolicy policy = FlakinessPolicy.defaults();
  private final SplittableRandom random = new SplittableRandom(11);
  private Path stateDir;
  private TestEngineProcessor processor;
  private WriteBehindStore<String, io.testpulse.avro.TestRecord> records;
  private MockProcessorContext<String, Object> context;
  private final List<String> keys = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();
  private long n;
  private FlakinessState full;
  private WindowEntry newest;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    stateDir = Files.createTempDirectory("flip-bench");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "flip-bench");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    context = new MockProcessorContext<>(props);
    context.setCurrentSystemTimeMs(0);
    KeyValueStore<String, io.testpulse.avro.TestRecord> inner = org.apache.kafka.streams.state.Stores
        .keyValueStoreBuilder(org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.TEST_RECORD.name()),
            Stores.TEST_RECORD.keySerde(), Stores.TEST_RECORD.valueSerde()).withLoggingDisabled().build();
    records = new WriteBehindStore<>(inner, TestRecords::mutable);
    records.init(context.getStateStoreContext(), records);
    context.addStateStore(records);
    var evicted = org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryWindowStore(Stores.DEDUP_EVICTED_RUNS,
            java.time.Duration.ofDays(7), java.time.Duration.ofMillis(1), true),
        org.apache.kafka.common.serialization.Serdes.String(), io.testpulse.serdes.TestpulseSerdes.evictedRuns())
        .withLoggingDisabled().build();
    evicted.init(context.getStateStoreContext(), evicted);
    context.addStateStore(evicted);
    store(Stores.FLAKINESS_COMMITS);
    store(Stores.STATS_PENDING);
    store(Stores.STATE_INDEX);
    store(Stores.FLAKINESS_WATERMARK);
    processor = new TestEngineProcessor(policy, java.time.Duration.ofDays(7), java.time.Duration.ofSeconds(5));
    processor.init(context);
    for (int t = 0; t < TESTS; t++) {
      ids.add(TestKeys.testId("bench", "web", "Cart", "test " + t));
      keys.add(TestKeys.key("bench", ids.get(t)));
    }
    for (int i = 0; i < 100 * TESTS; i++) { // every window full, as in steady state
      execution();
    }
    full = FlakinessRules.mutable(records.get(keys.get(0)).getFlakiness());
    newest = new WindowEntry(Long.MAX_VALUE, 0, "newest", false);
  }

  /** An in-memory store under the topology's name and serdes, not change-logged (the mock context has no changelog). */
  private <K, V> void store(StoreHandle<K, V> handle) {
    KeyValueStore<K, V> store = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
        org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(handle.name()), handle.keySerde(),
        handle.valueSerde()).withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    processor.close();
    try (var files = Files.walk(stateDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** One execution of the next test; a flaky test's failure is followed by a pass on the same commit. */
  @Benchmark
  public int execution() {
    long i = n++;
    int t = (int) (i % TESTS);
    long round = i / TESTS;
    boolean flaky = t % 10 == 0;
    boolean failed = flaky ? random.nextInt(4) == 0 : false;
    send(t, round, "run-" + round, failed ? Result.FAILED : Result.PASSED, 0);
    if (failed) {
      send(t, round, "rerun-" + round, Result.PASSED, 0);
    }
    records.flushCache(); // the commit: encode and write every changed record
    int forwarded = context.forwarded().size();
    context.resetForwards();
    return forwarded;
  }

  private void send(int t, long round, String run, Result result, int attempt) {
    TestExecution e = TestExecution.newBuilder()
        .setExecutionId(run + "/" + t).setTenant("bench").setSuite("web").setTestId(ids.get(t))
        .setScope("Cart").setName("test " + t).setResult(result).setDurationMicros(1_000)
        .setEventTime(T0.plusSeconds(round * 60))
        .setRun(RunInfo.newBuilder().setKey(run).setBranch("main").setCommitSha("sha-" + round).build())
        .setAttempt(attempt).setTags(Map.of()).build();
    processor.process(new Record<>(keys.get(t), e, e.getEventTime().toEpochMilli()));
  }

  /** The state's evaluation alone: scores, failure rate, flip expiry and the state rule, on a full window. */
  @Benchmark
  public Object evaluate() {
    full.setState(null);
    return FlakinessRules.evaluate(full, policy);
  }

  /** One result into a full window (the newest: it goes last, the oldest falls out). */
  @Benchmark
  public int windowInsert() {
    List<WindowEntry> window = full.getWindow();
    WindowEntry oldest = window.get(0);
    FlakinessRules.insert(window, newest, policy.window());
    window.remove(window.size() - 1); // back to the window it was
    window.add(0, oldest);
    return window.size();
  }
}
