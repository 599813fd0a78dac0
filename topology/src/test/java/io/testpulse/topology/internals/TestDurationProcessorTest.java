package io.testpulse.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** What a restarted task finds in its restored stores: the emission it still owes. */
class TestDurationProcessorTest {

  @Test
  void shouldEmitBucketsStillPendingFromBeforeARestartAtTheFirstCommitAfterTheEmitInterval() throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pending-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    MockProcessorContext<String, DurationBucket> context = new MockProcessorContext<>(props, new TaskId(0, 0),
        Files.createTempDirectory("pending-test").toFile());
    KeyValueStore<BucketKey, DDSketchWithExactSummaryStatistics> buckets =
        new SketchBucketStoreBuilder(Stores.DURATION_TEST_BUCKETS).withLoggingDisabled().build();
    KeyValueStore<Long, byte[]> emits = Stores.DURATION_TEST_EMITS.storeBuilder().withLoggingDisabled().build();
    buckets.init(context.getStateStoreContext(), buckets);
    emits.init(context.getStateStoreContext(), emits);
    context.addStateStore(buckets);
    context.addStateStore(emits);
    // as restored from the changelogs: a committed bucket whose emission had not happened yet
    String testId = TestKeys.testId("acme", "web", "Cart", "restarts");
    long day = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();
    BucketKey key = new BucketKey(TestKeys.key("acme", testId), day, "");
    DDSketchWithExactSummaryStatistics sketch = DurationSketches.create();
    sketch.accept(4_000);
    buckets.put(key, sketch);
    PendingEmits<BucketKey> before = new PendingEmits<>(emits, BucketKey.serde(), 10_000, 0);
    before.mark(key, "web");
    before.commit(1, (k, suite) -> { }); // a commit before the interval: the key goes to a chunk
    context.setCurrentStreamTimeMs(day + 1_000);
    context.setCurrentSystemTimeMs(100_000);

    TestDurationProcessor processor = new TestDurationProcessor(DurationOptions.defaults());
    processor.init(context);
    context.setCurrentSystemTimeMs(100_000 + DurationOptions.defaults().emitInterval().toMillis());
    ((SketchBucketStore) buckets).flushCache(); // the next commit

    assertThat(context.forwarded()).singleElement().satisfies(forwarded -> {
      assertThat(forwarded.record().value().testId()).isEqualTo(testId);
      assertThat(forwarded.record().value().suite()).isEqualTo("web");
      assertThat(forwarded.record().value().count()).isEqualTo(1);
      assertThat(forwarded.record().value().maxMs()).isEqualTo(4.0);
    });
    try (var chunks = emits.all()) {
      assertThat(chunks.hasNext()).as("chunks deleted once emitted").isFalse();
    }
    buckets.close();
    emits.close();
  }
}
