package io.testpulse.testkit;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationRange;
import io.testpulse.topology.DurationScopes;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.Flip;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.TopicHandle;
import io.testpulse.topology.Topics;
import io.testpulse.topology.Transition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * testpulse's topology (alone, or inside your own) on a {@link TopologyTestDriver}, with typed
 * input, typed store access through the same {@link Stores} and {@link Topics} handles the
 * topology uses, and a clock you move. No serde classes and no store or topic name strings.
 *
 * <pre>{@code
 * try (TestpulseDriver driver = TestpulseDriver.create()) {
 *   ExecutionBuilder addsItem = driver.executions().test("Cart", "adds an item");
 *   driver.send(addsItem.passed());
 *   driver.send(addsItem.failed());
 *
 *   assertThat(driver).test(addsItem.ref()).hasPassed(1).hasFailed(1).hasReliability(0.5);
 * }
 * }</pre>
 *
 * <p>Time: {@link #now()} is the event time of executions built without one and starts at
 * {@link #DEFAULT_START}. {@link #advanceTime(Duration)} moves it and the wall clock together;
 * stream time moves with the event times of what you send (see {@link #advanceStreamTime(Duration)}).
 *
 * <p>Not thread-safe, like the {@link TopologyTestDriver} it wraps. Close it (try-with-resources)
 * to free its RocksDB stores and temporary state directory.
 */
public final class TestpulseDriver implements AutoCloseable {

  /** When a driver's clock starts unless told otherwise: a fixed instant, so tests are repeatable. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-05T09:00:00Z");

  /** The tenant of the executions {@link #advanceStreamTime(Duration)} sends to move stream time. */
  public static final String CLOCK_TENANT = "testkit-clock";

  private final TopologyTestDriver driver;
  private final TestpulseConfig config;
  private final Topics topics;
  private final Set<String> sourceTopics;
  private final Path stateDir;
  private final Executions executions;
  private final UploadSender uploads;
  private final Map<String, TestOutputTopic<?, ?>> outputTopics = new HashMap<>();
  private final Map<String, List<TestRecord<?, ?>>> received = new HashMap<>();
  private Instant now;

  private TestpulseDriver(Builder builder) {
    this.config = new TestpulseConfig(builder.config);
    this.topics = config.topics();
    this.uploads = new UploadSender(config);
    Topology topology = builder.topology != null ? builder.topology.apply(config)
        : TestpulseTopology.create(config).build();
    this.sourceTopics = sourceTopics(topology);
    if (!sourceTopics.contains(topics.executions().name())) {
      throw new IllegalArgumentException("the topology does not read " + topics.executions().name()
          + " (it reads " + sourceTopics + "): build it with TestpulseTopology.create(config).addTo(builder), "
          + "using the TestpulseConfig the driver passes to your topology function");
    }
    try {
      this.stateDir = Files.createTempDirectory("testpulse-testkit-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory for the test driver", e);
    }
    Properties props = config.streamsProperties();
    props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, "testpulse-testkit-" + UUID.randomUUID());
    props.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "testkit.invalid:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    this.now = builder.start;
    this.driver = new TopologyTestDriver(topology, props, builder.start);
    this.executions = Executions.withClock(this::now);
  }

  /** A driver running testpulse's topology alone, with the default configuration. */
  public static TestpulseDriver create() {
    return builder().build();
  }

  /** A driver to configure: testpulse keys, Kafka Streams keys, your own topology, the start time. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link TestpulseDriver}. */
  public static final class Builder {
    private final Map<String, Object> config = new HashMap<>();
    private Function<TestpulseConfig, Topology> topology;
    private Instant start = DEFAULT_START;

    private Builder() {
      // TopologyTestDriver commits after every record: emit test-stats and duration buckets at every commit,
      // so a test sees an execution's outputs at once (a running instance writes them once per interval)
      config.put(TestpulseConfig.STATS_EMIT_INTERVAL_MS_CONFIG, 0L);
      config.put(TestpulseConfig.DURATIONS_EMIT_INTERVAL_MS_CONFIG, 0L);
    }

    /** A testpulse key (see {@link TestpulseConfig}) or a Kafka Streams key. */
    public Builder config(String key, Object value) {
      config.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder config(Map<String, ?> entries) {
      entries.forEach(this::config);
      return this;
    }

    /**
     * Your own topology, which adds testpulse's with {@code TestpulseTopology.create(config).addTo(builder)}.
     * The function receives the driver's {@link TestpulseConfig}, so topic names match.
     */
    public Builder topology(Function<TestpulseConfig, Topology> topology) {
      this.topology = Objects.requireNonNull(topology, "topology");
      return this;
    }

    /** Where the clock (event time of new executions, and wall clock) starts. */
    public Builder startingAt(Instant start) {
      this.start = Objects.requireNonNull(start, "start");
      return this;
    }

    public TestpulseDriver build() {
      return new TestpulseDriver(this);
    }
  }

  // ---- configuration and handles

  public TestpulseConfig config() {
    return config;
  }

  /** The topic handles of this driver's configuration (its prefix). */
  public Topics topics() {
    return topics;
  }

  /** The wrapped driver, for your own topics and stores next to testpulse's. */
  public TopologyTestDriver testDriver() {
    return driver;
  }

  /** A factory of executions whose default event time is this driver's clock. */
  public Executions executions() {
    return executions;
  }

  // ---- input

  /** Builds and sends one execution, keyed {@code tenant/test_id}, timestamped at its event time. */
  public TestExecution send(ExecutionBuilder execution) {
    TestExecution built = execution.build();
    send(built);
    return built;
  }

  /** Sends one execution as it is (send it twice to test de-duplication). */
  public void send(TestExecution execution) {
    input(topics.executions()).pipeInput(TestKeys.key(execution.getTenant(), execution.getTestId()), execution,
        execution.getEventTime());
  }

  /** Builds and sends several executions, in order. */
  public List<TestExecution> sendAll(ExecutionBuilder... executions) {
    List<TestExecution> sent = new ArrayList<>();
    for (ExecutionBuilder e : executions) {
      sent.add(send(e));
    }
    return sent;
  }

  /**
   * Sends an upload as {@code POST /v1/uploads} receives it: read and mapped to executions by the HTTP
   * ingest path's own code (same test ids, execution ids, run, tags, attempts and rejections), each sent
   * keyed {@code tenant/test_id} at its event time (the upload's receive time, default {@link #now()}).
   * Sending the same upload twice sends the same execution ids, as a collector's retry does.
   *
   * @throws IllegalArgumentException where the HTTP API answers 400 or 413; nothing is sent then
   */
  public UploadResult send(Upload upload) {
    return uploads.send(upload, executions.tenant(), now, this::send);
  }

  /** Sends bytes that are not a valid execution to the executions topic, to test bad input. */
  public void sendRaw(String key, byte[] value) {
    driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(), Serdes.ByteArray().serializer())
        .pipeInput(key, value, now);
  }

  /** Sends a quarantine command, as the HTTP API does. */
  public void send(QuarantineCommand command) {
    input(topics.quarantineCommands()).pipeInput(command.key(), command, now);
  }

  /** Quarantines a test now, for {@code duration} (null: until released). */
  public QuarantineCommand quarantine(TestRef test, String reason, Duration duration) {
    QuarantineCommand command = new QuarantineCommand(test.key(), test.tenant(), test.testId(),
        QuarantineCommand.QUARANTINE, reason, duration == null ? null : now.plus(duration).toEpochMilli(),
        "testkit", now.toEpochMilli());
    send(command);
    return command;
  }

  /** Releases a quarantined test now. */
  public QuarantineCommand release(TestRef test) {
    QuarantineCommand command = new QuarantineCommand(test.key(), test.tenant(), test.testId(),
        QuarantineCommand.RELEASE, null, null, "testkit", now.toEpochMilli());
    send(command);
    return command;
  }

  /** A typed input topic: {@code driver.input(driver.topics().executions())}, or one of your own. */
  public <K, V> TestInputTopic<K, V> input(TopicHandle<K, V> topic) {
    if (!sourceTopics.contains(topic.name())) {
      throw new IllegalArgumentException("the topology does not read " + topic.name() + " (it reads "
          + sourceTopics + "); is the step that consumes it part of this build?");
    }
    return driver.createInputTopic(topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /** {@code driver.input(Topics::executions)}. */
  public <K, V> TestInputTopic<K, V> input(Function<Topics, TopicHandle<K, V>> topic) {
    return input(topic.apply(topics));
  }

  // ---- output

  /**
   * Every record written to {@code topic} since the driver started, oldest first. Reading does
   * not consume: a later call returns these again, plus anything new.
   */
  @SuppressWarnings("unchecked")
  public <K, V> List<TestRecord<K, V>> output(TopicHandle<K, V> topic) {
    TestOutputTopic<K, V> out = (TestOutputTopic<K, V>) outputTopics.computeIfAbsent(topic.name(),
        name -> driver.createOutputTopic(name, topic.keySerde().deserializer(), topic.valueSerde().deserializer()));
    List<TestRecord<?, ?>> all = received.computeIfAbsent(topic.name(), name -> new ArrayList<>());
    all.addAll(out.readRecordsToList());
    List<TestRecord<K, V>> typed = new ArrayList<>(all.size());
    all.forEach(r -> typed.add((TestRecord<K, V>) r));
    return List.copyOf(typed);
  }

  /** {@code driver.output(Topics::testStats)}. */
  public <K, V> List<TestRecord<K, V>> output(Function<Topics, TopicHandle<K, V>> topic) {
    return output(topic.apply(topics));
  }

  /** Every state change written to the transitions topic, oldest first. */
  public List<Transition> transitions() {
    return output(topics.transitions()).stream().map(TestRecord::value).toList();
  }

  /** The state changes of one test, oldest first. */
  public List<Transition> transitions(TestRef test) {
    return output(topics.transitions()).stream().filter(r -> test.key().equals(r.key())).map(TestRecord::value)
        .toList();
  }

  /** The test-stats rows written for one test, oldest first (the compacted topic keeps the last). */
  public List<TestStats> statsUpdates(TestRef test) {
    return output(topics.testStats()).stream().filter(r -> test.key().equals(r.key())).map(TestRecord::value)
        .toList();
  }

  /** Every record the topology dead-lettered, oldest first. */
  public List<DeadLetter> deadLetters() {
    return output(topics.deadLetters()).stream().map(TestpulseDriver::deadLetter).toList();
  }

  private static DeadLetter deadLetter(TestRecord<byte[], byte[]> r) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    headers.values().removeIf(Objects::isNull);
    return new DeadLetter(r.key(), r.value(), headers);
  }

  // ---- state

  /**
   * A state store of the topology, typed by its handle: {@code driver.store(Stores.TEST_RECORD)}.
   * Works for your own {@link StoreHandle}s too.
   */
  public <K, V> KeyValueStore<K, V> store(StoreHandle<K, V> store) {
    KeyValueStore<K, V> found = driver.getKeyValueStore(store.name());
    if (found == null) {
      throw new IllegalArgumentException("no key-value store named " + store.name() + " in this topology; it has "
          + driver.getAllStateStores().keySet());
    }
    return found;
  }

  /** A snapshot of a store's contents, in key order. */
  public <K, V> Map<K, V> storeContents(StoreHandle<K, V> store) {
    Map<K, V> contents = new LinkedHashMap<>();
    try (KeyValueIterator<K, V> it = store(store).all()) {
      it.forEachRemaining(kv -> contents.put(kv.key, kv.value));
    }
    return contents;
  }

  /**
   * The current state of a test as the HTTP API answers it (counts, reliability, flakiness state
   * and scores); empty if the topology has none.
   */
  public Optional<TestStats> stats(TestRef test) {
    return Optional.ofNullable(store(Stores.TEST_RECORD).get(test.key()))
        .filter(r -> r.getStats() != null)
        .map(r -> TestStats.from(r.getStats(), r.getFlakiness()));
  }

  /** The test's flakiness state (HEALTHY, FLAKY, BROKEN, QUARANTINED); empty before its first execution. */
  public Optional<HealthState> state(TestRef test) {
    return Optional.ofNullable(store(Stores.TEST_RECORD).get(test.key()))
        .map(io.testpulse.avro.TestRecord::getFlakiness)
        .filter(f -> f.getState() != null)
        .map(f -> HealthState.valueOf(f.getState()));
  }

  /** The same-commit flips of one test (and their retractions), oldest first. */
  public List<Flip> flips(TestRef test) {
    return output(topics.flips()).stream().filter(r -> test.key().equals(r.key())).map(TestRecord::value).toList();
  }

  /**
   * The durations of one test's executions whose event time falls in the buckets overlapping
   * {@code [from, to)}: count, min, max, mean exact; percentiles within 1% (DDSketch). Empty if none.
   */
  public Optional<DurationSummary> durations(TestRef test, Instant from, Instant to) {
    return mergedDurations(Stores.DURATION_TEST_BUCKETS, test.key(), from, to);
  }

  /** The durations of one test over every bucket the store holds. */
  public Optional<DurationSummary> durations(TestRef test) {
    return durations(test, Instant.EPOCH, now.plus(Duration.ofDays(36_500)));
  }

  /** The durations of a whole suite of {@code tenant} in the buckets overlapping {@code [from, to)}. */
  public Optional<DurationSummary> suiteDurations(String tenant, String suite, Instant from, Instant to) {
    return mergedDurations(Stores.DURATION_ROLLUP_BUCKETS, DurationScopes.suiteScope(tenant, suite), from, to);
  }

  private Optional<DurationSummary> mergedDurations(
      StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle, String scope, Instant from, Instant to) {
    DurationRange range = DurationRange.covering(config.durationOptions(), from, to);
    List<DDSketchWithExactSummaryStatistics> sketches = new ArrayList<>();
    try (KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> it =
        store(handle).range(range.lower(scope), range.upper(scope))) {
      it.forEachRemaining(kv -> {
        if (range.contains(kv.key) && kv.key.group().isEmpty() && kv.value != null) {
          sketches.add(kv.value);
        }
      });
    }
    return Optional.ofNullable(DurationSummary.of(DurationSketches.merged(sketches)));
  }

  /** The keys ({@code tenant/test_id}) of every test with state, sorted; the clock's test is left out. */
  public List<String> testKeys() {
    Set<String> keys = new TreeSet<>();
    storeContents(Stores.TEST_RECORD).forEach((key, r) -> {
      if (r.getStats() != null) {
        keys.add(key);
      }
    });
    keys.removeIf(TestpulseDriver::isClockKey);
    return List.copyOf(keys);
  }

  /** Every test's current state, ordered by key; the clock's test is left out. */
  public List<TestStats> allStats() {
    return storeContents(Stores.TEST_RECORD).entrySet().stream()
        .filter(e -> !isClockKey(e.getKey()) && e.getValue().getStats() != null)
        .map(e -> TestStats.from(e.getValue().getStats(), e.getValue().getFlakiness()))
        .sorted(Comparator.comparing(TestStats::key)).toList();
  }

  private static boolean isClockKey(String key) {
    return key.startsWith(CLOCK_TENANT + "/");
  }

  TestState rawState(TestRef test) {
    io.testpulse.avro.TestRecord r = store(Stores.TEST_RECORD).get(test.key());
    return r == null ? null : r.getStats();
  }

  // ---- time

  /** The driver's clock: the event time of executions built without one. */
  public Instant now() {
    return now;
  }

  /**
   * Moves the clock and the wall clock forward together: wall-clock punctuations that fall due
   * run now, and executions built from now on happen later.
   */
  public void advanceTime(Duration duration) {
    requireForward(duration);
    now = now.plus(duration);
    driver.advanceWallClockTime(duration);
  }

  /** Moves only the wall clock (processing time), e.g. to fire wall-clock punctuations. */
  public void advanceWallClock(Duration duration) {
    requireForward(duration);
    driver.advanceWallClockTime(duration);
  }

  /**
   * Moves the clock forward and makes stream time follow. Kafka Streams moves stream time only
   * when a record arrives, so this sends one passing execution of a test of the reserved tenant
   * {@value #CLOCK_TENANT} at the new time; that tenant's state is the testkit's, not yours, and
   * {@link #testKeys()}, {@link #allStats()} and {@code hasTests(n)} leave it out.
   */
  public void advanceStreamTime(Duration duration) {
    advanceTime(duration);
    send(Executions.withClock(this::now).withTenant(CLOCK_TENANT).withSuite("clock")
        .test(null, "tick").result(Result.PASSED).executionId("tick-" + now.toEpochMilli()));
  }

  private static void requireForward(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + duration);
    }
  }

  // ---- lifecycle

  private static Set<String> sourceTopics(Topology topology) {
    Set<String> names = new TreeSet<>();
    for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
          names.addAll(source.topicSet());
        }
      }
    }
    return names;
  }

  /** Closes the driver and deletes its temporary state directory. */
  @Override
  public void close() {
    try {
      driver.close();
    } finally {
      deleteRecursively(stateDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the test driver's state directory " + dir, e);
    }
  }
}
