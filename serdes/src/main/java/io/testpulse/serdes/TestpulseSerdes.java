package io.testpulse.serdes;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;

/** Static factories for every serde testpulse uses. Serdes are stateless and may be shared. */
public final class TestpulseSerdes {

  private static final AvroSerde<TestExecution> TEST_EXECUTION = AvroSerde.of(TestExecution.class);
  private static final AvroSerde<TestState> TEST_STATE = AvroSerde.of(TestState.class);

  private static final DurationSketchSerde DURATION_SKETCH = new DurationSketchSerde();

  private TestpulseSerdes() {
  }

  /** Input events: Avro single-object encoding. */
  public static AvroSerde<TestExecution> testExecution() {
    return TEST_EXECUTION;
  }

  /** Per-test state in the test-state store and its changelog. */
  public static AvroSerde<TestState> testState() {
    return TEST_STATE;
  }

  /** Duration sketches (DDSketch, 1% relative accuracy) in their compact form: see {@link DurationSketches}. */
  public static DurationSketchSerde durationSketch() {
    return DURATION_SKETCH;
  }

  /** JSON for output topics and HTTP answers. */
  public static <T> JsonSerde<T> json(Class<T> type) {
    return JsonSerde.of(type);
  }
}
