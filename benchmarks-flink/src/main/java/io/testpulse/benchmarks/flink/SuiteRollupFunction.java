package io.testpulse.benchmarks.flink;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** Duration sketches per suite and day (the topology's per-suite rollup), emitted every 10 s when changed. */
final class SuiteRollupFunction extends KeyedProcessFunction<String, SuiteDuration, Out> {

  private final String bucketsTopic;
  private transient MapState<Long, byte[]> buckets;
  private transient MapState<Long, Boolean> dirty;

  SuiteRollupFunction(String bucketsTopic) {
    this.bucketsTopic = bucketsTopic;
  }

  @Override
  public void open(OpenContext context) {
    buckets = getRuntimeContext().getMapState(new MapStateDescriptor<>("suite-buckets", Types.LONG,
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    dirty = getRuntimeContext().getMapState(new MapStateDescriptor<>("suite-dirty", Types.LONG, Types.BOOLEAN));
  }

  @Override
  public void processElement(SuiteDuration d, Context ctx, Collector<Out> out) throws Exception {
    long bucket = d.eventTime - Math.floorMod(d.eventTime, TestJobFunction.DAY_MS);
    DDSketch sketch = TestJobFunction.decode(buckets.get(bucket));
    sketch.accept(d.durationMicros);
    buckets.put(bucket, TestJobFunction.encode(sketch));
    if (!dirty.contains(bucket)) {
      dirty.put(bucket, Boolean.TRUE);
      long now = ctx.timerService().currentProcessingTime();
      ctx.timerService().registerProcessingTimeTimer(now - now % TestJobFunction.EMIT_INTERVAL_MS
          + TestJobFunction.EMIT_INTERVAL_MS);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Out> out) throws Exception {
    List<Long> changed = new ArrayList<>();
    for (Map.Entry<Long, Boolean> entry : dirty.entries()) {
      changed.add(entry.getKey());
    }
    dirty.clear();
    for (long bucket : changed) {
      String key = "suite/" + ctx.getCurrentKey() + "/" + bucket;
      out.collect(Out.of(bucketsTopic, key, TestJobFunction.summary(key, bucket,
          TestJobFunction.decode(buckets.get(bucket)))));
    }
  }
}
