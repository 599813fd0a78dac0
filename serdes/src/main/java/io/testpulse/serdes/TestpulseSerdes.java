package io.testpulse.serdes;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.EvictedRuns;
import io.testpulse.avro.RunCandidate;
import io.testpulse.avro.TestRecord;
import io.testpulse.avro.RunOutcome;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;

/** Static factories for every serde testpulse uses. Serdes are stateless and may be shared. */
public final class TestpulseSerdes {

  private static final AvroSerde<TestExecution> TEST_EXECUTION = AvroSerde.of(TestExecution.class);
  private static final AvroSerde<TestState> TEST_STATE = AvroSerde.of(TestState.class);

  private static final DurationSketchSerde DURATION_SKETCH = new DurationSketchSerde();
  private static final AvroSerde<FlakinessState> FLAKINESS_STATE = AvroSerde.of(FlakinessState.class);
  private static final AvroSerde<CommitOutcome> COMMIT_OUTCOME = AvroSerde.of(CommitOutcome.class);
  private static final AvroSerde<RunOutcome> RUN_OUTCOME = AvroSerde.of(RunOutcome.class);
  private static final AvroSerde<RunCandidate> RUN_CANDIDATE = AvroSerde.of(RunCandidate.class);
  private static final AvroSerde<TestRecord> TEST_RECORD = AvroSerde.of(TestRecord.class);
  private static final AvroSerde<EvictedRuns> EVICTED_RUNS = AvroSerde.of(EvictedRuns.class);

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

  /** Per-test flakiness state (flakiness-state store). */
  public static AvroSerde<FlakinessState> flakinessState() {
    return FLAKINESS_STATE;
  }

  /** Per-test, per-commit outcomes (flakiness-commits store). */
  public static AvroSerde<CommitOutcome> commitOutcome() {
    return COMMIT_OUTCOME;
  }

  /** Per-run aggregate of the outage guard (run-outcomes store). */
  public static AvroSerde<RunOutcome> runOutcome() {
    return RUN_OUTCOME;
  }

  /** Everything kept about one test (test-record store): counts, flakiness state, recent runs. */
  public static AvroSerde<TestRecord> testRecord() {
    return TEST_RECORD;
  }

  /** A batch of runs moved out of a test's record (dedup-evicted-runs store). */
  public static AvroSerde<EvictedRuns> evictedRuns() {
    return EVICTED_RUNS;
  }

  /** One flip candidate of a run (run-candidates store). */
  public static AvroSerde<RunCandidate> runCandidate() {
    return RUN_CANDIDATE;
  }

  /** JSON for output topics and HTTP answers. */
  public static <T> JsonSerde<T> json(Class<T> type) {
    return JsonSerde.of(type);
  }
}
