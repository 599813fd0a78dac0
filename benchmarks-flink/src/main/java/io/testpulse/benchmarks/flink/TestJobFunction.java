package io.testpulse.benchmarks.flink;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The testpulse job in Flink, per test (keyed by {@code tenant/test_id}): drop an execution whose
 * id was already seen (de-duplication) and number attempts per run key; count a flip when one
 * commit has both a pass and a fail (same-commit flips); keep per-test counts and a duration
 * sketch per test and day (DDSketch, 1% relative accuracy); emit per accepted execution the test's
 * new state (test-stats) and the enriched row, every 10 s the day buckets that changed, and each
 * duration to the per-suite rollup (a second keyed stage, as the topology's repartition by suite).
 */
final class TestJobFunction extends KeyedProcessFunction<String, Exec, Out> {

  static final OutputTag<SuiteDuration> SUITE_DURATIONS = new OutputTag<>("suite-durations") { };
  static final double RELATIVE_ACCURACY = 0.01;
  static final long DAY_MS = 86_400_000L;
  static final long EMIT_INTERVAL_MS = 10_000L;

  private final String statsTopic;
  private final String enrichedTopic;
  private final String bucketsTopic;
  private transient MapState<String, Boolean> seen;
  private transient MapState<String, Integer> attempts;
  private transient MapState<String, Integer> commits;
  private transient ValueState<TestState> state;
  private transient MapState<Long, byte[]> buckets;
  private transient MapState<Long, Boolean> dirty;

  TestJobFunction(String statsTopic, String enrichedTopic, String bucketsTopic) {
    this.statsTopic = statsTopic;
    this.enrichedTopic = enrichedTopic;
    this.bucketsTopic = bucketsTopic;
  }

  @Override
  public void open(OpenContext context) {
    seen = getRuntimeContext().getMapState(new MapStateDescriptor<>("seen-executions", Types.STRING, Types.BOOLEAN));
    attempts = getRuntimeContext().getMapState(new MapStateDescriptor<>("run-attempts", Types.STRING, Types.INT));
    commits = getRuntimeContext().getMapState(new MapStateDescriptor<>("commit-results", Types.STRING, Types.INT));
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("test-state", TypeInformation.of(TestState.class)));
    buckets = getRuntimeContext().getMapState(new MapStateDescriptor<>("duration-buckets", Types.LONG,
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    dirty = getRuntimeContext().getMapState(new MapStateDescriptor<>("dirty-buckets", Types.LONG, Types.BOOLEAN));
  }

  @Override
  public void processElement(Exec e, Context ctx, Collector<Out> out) throws Exception {
    if (seen.contains(e.executionId)) {
      return;
    }
    seen.put(e.executionId, Boolean.TRUE);
    Integer before = attempts.get(e.runKey);
    int attempt = before == null ? 0 : before;
    attempts.put(e.runKey, attempt + 1);

    TestState s = state.value();
    if (s == null) {
      s = new TestState();
      s.firstSeen = e.eventTime;
    }
    switch (e.result) {
      case 0 -> s.passed++;
      case 1 -> s.failed++;
      case 2 -> s.skipped++;
      default -> s.other++;
    }
    boolean decided = e.result == 0 || e.result == 1;
    if (decided && e.commitSha != null) {
      Integer bits = commits.get(e.commitSha);
      int was = bits == null ? 0 : bits;
      int now = was | (e.result == 0 ? 1 : 2);
      if (now != was) {
        commits.put(e.commitSha, now);
        if (now == 3) {
          s.flips++;
        }
      }
    }
    s.firstSeen = Math.min(s.firstSeen, e.eventTime);
    s.lastSeen = Math.max(s.lastSeen, e.eventTime);
    s.version++;
    state.update(s);

    String key = ctx.getCurrentKey();
    if (decided) {
      long bucket = e.eventTime - Math.floorMod(e.eventTime, DAY_MS);
      DDSketch d = decode(buckets.get(bucket));
      d.accept(e.durationMicros);
      buckets.put(bucket, encode(d));
      if (!dirty.contains(bucket)) {
        dirty.put(bucket, Boolean.TRUE);
        long now = ctx.timerService().currentProcessingTime();
        ctx.timerService().registerProcessingTimeTimer(now - now % EMIT_INTERVAL_MS + EMIT_INTERVAL_MS);
      }
      SuiteDuration sd = new SuiteDuration();
      sd.suite = e.suite;
      sd.eventTime = e.eventTime;
      sd.durationMicros = e.durationMicros;
      ctx.output(SUITE_DURATIONS, sd);
    }
    out.collect(Out.of(statsTopic, key, "{\"key\":\"" + key + "\",\"passed\":" + s.passed + ",\"failed\":" + s.failed
        + ",\"skipped\":" + s.skipped + ",\"other\":" + s.other + ",\"flips\":" + s.flips
        + ",\"first_seen\":" + s.firstSeen + ",\"last_seen\":" + s.lastSeen + ",\"version\":" + s.version + "}"));
    out.collect(Out.of(enrichedTopic, key, e.row + ",\"attempt\":" + attempt + "}"));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Out> out) throws Exception {
    List<Long> changed = new ArrayList<>();
    for (Map.Entry<Long, Boolean> entry : dirty.entries()) {
      changed.add(entry.getKey());
    }
    dirty.clear();
    for (long bucket : changed) {
      String key = ctx.getCurrentKey() + "/" + bucket;
      out.collect(Out.of(bucketsTopic, key, summary(key, bucket, decode(buckets.get(bucket)))));
    }
  }

  static DDSketch decode(byte[] bytes) throws IOException {
    return bytes == null ? DDSketches.unboundedDense(RELATIVE_ACCURACY)
        : DDSketch.decode(ByteArrayInput.wrap(bytes), UnboundedSizeDenseStore::new);
  }

  static byte[] encode(DDSketch d) throws IOException {
    GrowingByteArrayOutput encoded = GrowingByteArrayOutput.withDefaultInitialCapacity();
    d.encode(encoded, false);
    return encoded.trimmedCopy();
  }

  /** A bucket's JSON row: count and p50..p99, like the topology's duration-buckets topic. */
  static String summary(String key, long bucket, DDSketch d) {
    return "{\"key\":\"" + key + "\",\"bucket_start\":" + bucket + ",\"count\":" + (long) d.getCount()
        + ",\"min\":" + d.getMinValue() + ",\"max\":" + d.getMaxValue()
        + ",\"p50\":" + d.getValueAtQuantile(0.5) + ",\"p90\":" + d.getValueAtQuantile(0.9)
        + ",\"p95\":" + d.getValueAtQuantile(0.95) + ",\"p99\":" + d.getValueAtQuantile(0.99) + "}";
  }
}
