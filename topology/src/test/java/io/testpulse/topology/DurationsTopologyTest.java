package io.testpulse.topology;

import static io.testpulse.topology.Executions.execution;
import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.DurationSketches;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurationsTopologyTest {

  private static final Instant DAY0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final long DAY = Duration.ofDays(1).toMillis();

  @TempDir
  Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, TestExecution> input;
  private Topics topics;

  private void start(Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(settings);
    all.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, "tp");
    TestpulseConfig config = new TestpulseConfig(all);
    topics = config.topics();
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "durations-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    // a directory of its own: /tmp/kafka-streams is shared with every other build on the machine
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(TestpulseTopology.create(config).build(), props, DAY0);
    input = driver.createInputTopic(topics.executions().name(), Serdes.String().serializer(),
        topics.executions().valueSerde().serializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private static TestExecution timed(String name, Instant at, long micros, Map<String, String> tags) {
    TestExecution e = execution(name, Result.PASSED, at);
    return TestExecution.newBuilder(e).setDurationMicros(micros).setTags(new HashMap<>(tags)).build();
  }

  private void send(TestExecution e) {
    input.pipeInput(TestKeys.key(e.getTenant(), e.getTestId()), e, e.getEventTime());
  }

  private KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> store(StoreHandle<BucketKey, ?> handle) {
    return driver.getKeyValueStore(handle.name());
  }

  /** Every bucket of {@code scope} in {@code range}, merged per group. */
  private Map<String, DDSketchWithExactSummaryStatistics> query(StoreHandle<BucketKey, ?> handle, String scope,
      DurationRange range) {
    Map<String, DDSketchWithExactSummaryStatistics> groups = new HashMap<>();
    try (KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> it =
        store(handle).range(range.lower(scope), range.upper(scope))) {
      while (it.hasNext()) {
        KeyValue<BucketKey, DDSketchWithExactSummaryStatistics> kv = it.next();
        if (range.contains(kv.key)) {
          groups.computeIfAbsent(kv.key.group(), g -> DurationSketches.create()).mergeWith(kv.value);
        }
      }
    }
    return groups;
  }

  private static double exactQuantile(List<Long> values, double q) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[(int) Math.floor(q * (sorted.length - 1))];
  }

  @Test
  void shouldAnswerAnyRangeOfDaysWithinOnePercentWhenBucketsAreMerged() {
    start(Map.of());
    Random random = new Random(7);
    List<List<Long>> perDay = new ArrayList<>();
    for (int day = 0; day < 10; day++) {
      List<Long> values = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        long micros = (long) Math.exp(9 + day * 0.1 + random.nextGaussian());
        values.add(micros);
        send(timed("checkout", DAY0.plusMillis(day * DAY + random.nextInt((int) DAY)), micros, Map.of()));
      }
      perDay.add(values);
    }
    DurationOptions options = DurationOptions.defaults();
    for (int from = 0; from < 10; from += 3) {
      for (int to = from + 1; to <= 10; to += 2) {
        List<Long> exact = new ArrayList<>();
        perDay.subList(from, to).forEach(exact::addAll);
        // a range that starts and ends inside days covers those whole days
        DurationRange range = DurationRange.covering(options, DAY0.plusMillis(from * DAY + 3_600_000),
            DAY0.plusMillis((to - 1) * DAY + 7_200_000));
        DDSketchWithExactSummaryStatistics merged =
            query(Stores.DURATION_TEST_BUCKETS, Executions.key("checkout"), range).get("");

        assertThat((long) merged.getCount()).isEqualTo(exact.size());
        for (double q : new double[] {0.5, 0.9, 0.95, 0.99}) {
          assertThat(merged.getValueAtQuantile(q)).as("days [%d, %d) q %s", from, to, q)
              .isCloseTo(exactQuantile(exact, q), org.assertj.core.data.Percentage.withPercentage(1.0));
        }
      }
    }
  }

  @Test
  void shouldRollUpSuiteAndEachDimensionSetWhenConfigured() {
    start(Map.of(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "instance_type,arch;host.arch"));
    send(timed("a", DAY0.plusSeconds(10), 1_000, Map.of("instance_type", "m5", "arch", "x86", "host.arch", "x86")));
    send(timed("b", DAY0.plusSeconds(20), 3_000, Map.of("instance_type", "m5", "arch", "x86")));
    send(timed("a", DAY0.plusSeconds(30), 5_000, Map.of("instance_type", "c7", "arch", "arm", "host.arch", "arm")));
    DurationRange day = new DurationRange(DAY0.toEpochMilli(), DAY0.toEpochMilli() + DAY);

    Map<String, DDSketchWithExactSummaryStatistics> suite =
        query(Stores.DURATION_ROLLUP_BUCKETS, DurationScopes.suiteScope("acme", "web"), day);
    Map<String, DDSketchWithExactSummaryStatistics> byTypeAndArch = query(Stores.DURATION_ROLLUP_BUCKETS,
        DurationScopes.dimensionScope("acme", "instance_type,arch", "web"), day);
    Map<String, DDSketchWithExactSummaryStatistics> byHostArch =
        query(Stores.DURATION_ROLLUP_BUCKETS, DurationScopes.dimensionScope("acme", "host.arch", "web"), day);

    assertThat(suite.get("").getCount()).isEqualTo(3);
    Map<String, Long> counts = new HashMap<>();
    byTypeAndArch.forEach((group, sketch) -> counts.put(
        DurationScopes.groupValues(List.of("instance_type", "arch"), group).toString(), (long) sketch.getCount()));
    assertThat(counts).containsOnly(Map.entry("{instance_type=m5, arch=x86}", 2L),
        Map.entry("{instance_type=c7, arch=arm}", 1L));
    Map<String, Double> maxByHostArch = new HashMap<>();
    byHostArch.forEach((group, sketch) -> maxByHostArch.put(
        String.valueOf(DurationScopes.groupValues(List.of("host.arch"), group).get("host.arch")), sketch.getMaxValue()));
    assertThat(maxByHostArch).containsOnly(Map.entry("x86", 1_000.0), Map.entry("arm", 5_000.0),
        Map.entry("null", 3_000.0));
  }

  @Test
  void shouldPutLateExecutionInItsOwnBucketWhenWithinGrace() {
    start(Map.of(TestpulseConfig.DURATIONS_GRACE_MS_CONFIG, Duration.ofHours(6).toMillis()));
    send(timed("slowpoke", DAY0.plusMillis(DAY + 3_600_000), 2_000, Map.of()));   // day 1, 01:00
    send(timed("slowpoke", DAY0.plusMillis(DAY - 1), 9_000, Map.of()));          // day 0, late by 1 h: inside grace
    send(timed("slowpoke", DAY0.plusMillis(2 * DAY + 7 * 3_600_000L), 4_000, Map.of())); // day 2, 07:00
    send(timed("slowpoke", DAY0.plusMillis(DAY + 10), 7_000, Map.of()));         // day 1, late by 30 h: beyond grace

    KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> store = store(Stores.DURATION_TEST_BUCKETS);
    String key = Executions.key("slowpoke");
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli(), "")).getMaxValue()).isEqualTo(9_000);
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli(), "")).getCount()).isEqualTo(1);
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli() + DAY, "")).getCount()).isEqualTo(1);
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli() + DAY, "")).getMaxValue()).isEqualTo(2_000);
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli() + 2 * DAY, "")).getCount()).isEqualTo(1);
  }

  @Test
  void shouldHoldEveryBucketInTheChangelogAsOfEachCommitWhenSketchesAreCached() {
    start(Map.of(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "arch", TestpulseConfig.DURATIONS_GRACE_MS_CONFIG, 3 * DAY));
    TestOutputTopic<Bytes, byte[]> testChangelog = driver.createOutputTopic(
        "durations-test-" + Stores.DURATION_TEST_BUCKETS.name() + "-changelog",
        Serdes.Bytes().deserializer(), Serdes.ByteArray().deserializer());
    TestOutputTopic<Bytes, byte[]> rollupChangelog = driver.createOutputTopic(
        "durations-test-" + Stores.DURATION_ROLLUP_BUCKETS.name() + "-changelog",
        Serdes.Bytes().deserializer(), Serdes.ByteArray().deserializer());
    Map<Bytes, Bytes> replayedTests = new HashMap<>();
    Map<Bytes, Bytes> replayedRollups = new HashMap<>();
    Random random = new Random(3);
    for (int i = 0; i < 300; i++) {
      send(timed("t" + random.nextInt(5), DAY0.plusMillis(random.nextInt(3 * (int) DAY)), 1 + random.nextInt(100_000),
          Map.of("arch", random.nextBoolean() ? "arm" : "x86")));
      // The test driver commits after every record: the changelog must equal the store every time.
      testChangelog.readKeyValuesToList().forEach(kv -> replayedTests.put(kv.key, Bytes.wrap(kv.value)));
      rollupChangelog.readKeyValuesToList().forEach(kv -> replayedRollups.put(kv.key, Bytes.wrap(kv.value)));
      assertThat(replayedTests).as("after record %d", i).isEqualTo(storeBytes(Stores.DURATION_TEST_BUCKETS));
      assertThat(replayedRollups).as("after record %d", i).isEqualTo(storeBytes(Stores.DURATION_ROLLUP_BUCKETS));
    }
    assertThat(replayedTests).hasSize(5 * 3); // 5 tests over 3 days
    assertThat(replayedRollups).hasSize(3 * 3); // per day: the suite, arch=arm, arch=x86
  }

  private Map<Bytes, Bytes> storeBytes(StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle) {
    Map<Bytes, Bytes> bytes = new HashMap<>();
    try (KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> it = store(handle).all()) {
      it.forEachRemaining(kv -> bytes.put(Bytes.wrap(kv.key.toBytes()), Bytes.wrap(DurationSketches.encode(kv.value))));
    }
    return bytes;
  }

  @Test
  void shouldStoreTheSameSketchesWhenTheSketchCacheIsOff() {
    Map<BucketKey, byte[]> cached = runRandomLoad(true);
    close();
    Map<BucketKey, byte[]> naive = runRandomLoad(false);

    assertThat(cached).hasSameSizeAs(naive);
    cached.forEach((key, bytes) -> assertThat(bytes).as(key.toString()).isEqualTo(naive.get(key)));
  }

  private Map<BucketKey, byte[]> runRandomLoad(boolean cache) {
    start(Map.of(TestpulseConfig.DURATIONS_SKETCH_CACHE_CONFIG, cache, TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "arch"));
    Random random = new Random(11);
    for (int i = 0; i < 500; i++) {
      send(timed("t" + random.nextInt(7), DAY0.plusMillis(random.nextInt(4 * (int) DAY)), random.nextInt(5_000_000),
          Map.of("arch", random.nextBoolean() ? "arm" : "x86")));
    }
    Map<BucketKey, byte[]> all = new HashMap<>();
    for (StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> handle
        : List.of(Stores.DURATION_TEST_BUCKETS, Stores.DURATION_ROLLUP_BUCKETS)) {
      try (KeyValueIterator<BucketKey, DDSketchWithExactSummaryStatistics> it = store(handle).all()) {
        it.forEachRemaining(kv -> all.put(kv.key, DurationSketches.encode(kv.value)));
      }
    }
    return all;
  }

  @Test
  void shouldEmitUpdatedBucketsWithGrowingVersionWhenTheEmitIntervalPasses() {
    start(Map.of(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "arch"));
    TestOutputTopic<String, DurationBucket> out = driver.createOutputTopic(topics.durationBuckets().name(),
        Serdes.String().deserializer(), topics.durationBuckets().valueSerde().deserializer());
    send(timed("emits", DAY0.plusSeconds(1), 1_500, Map.of("arch", "arm")));
    send(timed("emits", DAY0.plusSeconds(2), 2_500, Map.of("arch", "arm")));
    assertThat(out.isEmpty()).isTrue();

    driver.advanceWallClockTime(Duration.ofSeconds(10));
    Map<String, DurationBucket> first = latestByKey(out.readRecordsToList());
    send(timed("emits", DAY0.plusSeconds(3), 3_500, Map.of("arch", "arm")));
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    Map<String, DurationBucket> second = latestByKey(out.readRecordsToList());

    String testKey = "acme/test/" + Executions.testId("emits") + "/" + DAY0.toEpochMilli();
    String suiteKey = "acme/suite/web/" + DAY0.toEpochMilli();
    String dimsKey = "acme/dims/arch/web/arm/" + DAY0.toEpochMilli();
    assertThat(first).containsOnlyKeys(testKey, suiteKey, dimsKey);
    DurationBucket test = second.get(testKey);
    assertThat(test.kind()).isEqualTo("test");
    assertThat(test.testId()).isEqualTo(Executions.testId("emits"));
    assertThat(test.suite()).isEqualTo("web");
    assertThat(test.count()).isEqualTo(3);
    assertThat(test.minMs()).isEqualTo(1.5);
    assertThat(test.maxMs()).isEqualTo(3.5);
    assertThat(test.meanMs()).isEqualTo(2.5);
    assertThat(test.p50Ms()).isCloseTo(2.5, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(test.bucketEnd() - test.bucketStart()).isEqualTo(DAY);
    assertThat(test.version()).isGreaterThan(first.get(testKey).version());
    assertThat(second.get(dimsKey).group()).containsExactly(Map.entry("arch", "arm"));
    assertThat(second.get(dimsKey).dimensions()).isEqualTo("arch");
    assertThat(second.get(suiteKey).count()).isEqualTo(3);
  }

  private static Map<String, DurationBucket> latestByKey(List<TestRecord<String, DurationBucket>> records) {
    Map<String, DurationBucket> latest = new HashMap<>();
    records.forEach(r -> {
      assertThat(r.value()).as("no tombstones").isNotNull();
      assertThat(r.value().key()).isEqualTo(r.key());
      latest.put(r.key(), r.value());
    });
    return latest;
  }

  @Test
  void shouldEmitSlowAndThenRecoveryWhenTheRecentMedianCrossesTheFactor() {
    start(Map.of(TestpulseConfig.DURATIONS_SLOW_FACTOR_CONFIG, 1.5, TestpulseConfig.DURATIONS_SLOW_MIN_SAMPLES_CONFIG, 5,
        TestpulseConfig.DURATIONS_SLOW_BASELINE_BUCKETS_CONFIG, 3));
    TestOutputTopic<String, Transition> transitions = driver.createOutputTopic(topics.transitions().name(),
        Serdes.String().deserializer(), topics.transitions().valueSerde().deserializer());
    for (int day = 0; day < 3; day++) {
      for (int i = 0; i < 10; i++) {
        send(timed("regresses", DAY0.plusMillis(day * DAY + i * 60_000L), 100_000 + i, Map.of()));
      }
      driver.advanceWallClockTime(Duration.ofSeconds(10));
    }
    for (int i = 0; i < 10; i++) {
      send(timed("regresses", DAY0.plusMillis(3 * DAY + i * 60_000L), 200_000 + i, Map.of()));
    }
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    List<Transition> slow = durationTransitions(transitions);
    for (int i = 0; i < 30; i++) {
      send(timed("regresses", DAY0.plusMillis(3 * DAY + (20 + i) * 60_000L), 100_000, Map.of()));
    }
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    List<Transition> recovered = durationTransitions(transitions);

    assertThat(slow).singleElement().satisfies(t -> {
      assertThat(t.from()).isEqualTo("NORMAL");
      assertThat(t.to()).isEqualTo("SLOW");
      assertThat(t.key()).isEqualTo(Executions.key("regresses"));
      assertThat(t.reason()).isEqualTo("median_duration_regression");
      assertThat(Double.parseDouble(t.evidence().get("recent_p50_ms"))).isCloseTo(200, org.assertj.core.data.Percentage.withPercentage(1));
      assertThat(Double.parseDouble(t.evidence().get("baseline_p50_ms"))).isCloseTo(100, org.assertj.core.data.Percentage.withPercentage(1));
    });
    assertThat(recovered).singleElement().satisfies(t -> {
      assertThat(t.from()).isEqualTo("SLOW");
      assertThat(t.to()).isEqualTo("NORMAL");
    });
  }

  @Test
  void shouldDeleteBucketsPastRetentionWhenStreamTimeMovesOn() {
    start(Map.of(TestpulseConfig.DURATIONS_RETENTION_MS_CONFIG, 2 * DAY));
    send(timed("old", DAY0.plusSeconds(1), 1_000, Map.of()));
    send(timed("old", DAY0.plusMillis(DAY + 1), 1_000, Map.of()));
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    send(timed("old", DAY0.plusMillis(3 * DAY + 1), 1_000, Map.of())); // day 0 ended 3 days ago: past 2 days of retention
    driver.advanceWallClockTime(Duration.ofSeconds(10));

    KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> store = store(Stores.DURATION_TEST_BUCKETS);
    String key = Executions.key("old");
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli(), ""))).isNull();
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli() + DAY, ""))).isNotNull();
    assertThat(store.get(new BucketKey(key, DAY0.toEpochMilli() + 3 * DAY, ""))).isNotNull();
  }

  /** SLOW/NORMAL transitions only: the flakiness engine writes its states to the same topic. */
  private static List<Transition> durationTransitions(TestOutputTopic<String, Transition> transitions) {
    return transitions.readValuesToList().stream().filter(t -> t.reason().startsWith("median_duration")).toList();
  }
}
