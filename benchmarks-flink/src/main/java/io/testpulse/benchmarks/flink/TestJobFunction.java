package io.testpulse.benchmarks.flink;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The testpulse job in Flink, per test (keyed by {@code tenant/test_id}): drop an execution whose
 * id was already seen (de-duplication), count a flip when one commit has both a pass and a fail
 * (same-commit flips), keep per-test counts and a per-test duration sketch (DDSketch, 1% relative
 * accuracy), and emit the test's new state as JSON on every accepted execution, as the Streams
 * topology does on its test-stats topic.
 */
final class TestJobFunction extends KeyedProcessFunction<String, Exec, String> {

  private static final double RELATIVE_ACCURACY = 0.01;

  private transient MapState<String, Boolean> seen;
  private transient MapState<String, Integer> commits;
  private transient ValueState<TestState> state;
  private transient ValueState<byte[]> sketch;

  @Override
  public void open(OpenContext context) {
    seen = getRuntimeContext().getMapState(new MapStateDescriptor<>("seen-executions", Types.STRING, Types.BOOLEAN));
    commits = getRuntimeContext().getMapState(new MapStateDescriptor<>("commit-results", Types.STRING, Types.INT));
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("test-state", TypeInformation.of(TestState.class)));
    sketch = getRuntimeContext().getState(new ValueStateDescriptor<>("duration-sketch",
        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
  }

  @Override
  public void processElement(Exec e, Context ctx, Collector<String> out) throws Exception {
    if (seen.contains(e.executionId)) {
      return;
    }
    seen.put(e.executionId, Boolean.TRUE);

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
    if ((e.result == 0 || e.result == 1) && e.commitSha != null) {
      Integer bits = commits.get(e.commitSha);
      int before = bits == null ? 0 : bits;
      int after = before | (e.result == 0 ? 1 : 2);
      if (after != before) {
        commits.put(e.commitSha, after);
        if (after == 3) {
          s.flips++;
        }
      }
    }
    s.firstSeen = Math.min(s.firstSeen, e.eventTime);
    s.lastSeen = Math.max(s.lastSeen, e.eventTime);
    s.version++;
    state.update(s);

    DDSketch d;
    byte[] bytes = sketch.value();
    if (bytes == null) {
      d = DDSketches.unboundedDense(RELATIVE_ACCURACY);
    } else {
      d = DDSketch.decode(ByteArrayInput.wrap(bytes), UnboundedSizeDenseStore::new);
    }
    if (e.durationMicros >= 0) {
      d.accept(e.durationMicros / 1000.0);
    }
    GrowingByteArrayOutput encoded = GrowingByteArrayOutput.withDefaultInitialCapacity();
    d.encode(encoded, false);
    sketch.update(encoded.trimmedCopy());

    out.collect("{\"key\":\"" + ctx.getCurrentKey() + "\",\"passed\":" + s.passed + ",\"failed\":" + s.failed
        + ",\"skipped\":" + s.skipped + ",\"other\":" + s.other + ",\"flips\":" + s.flips
        + ",\"first_seen\":" + s.firstSeen + ",\"last_seen\":" + s.lastSeen + ",\"version\":" + s.version
        + ",\"p50_ms\":" + d.getValueAtQuantile(0.5) + ",\"p95_ms\":" + d.getValueAtQuantile(0.95) + "}");
  }
}
