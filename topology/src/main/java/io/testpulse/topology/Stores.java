package io.testpulse.topology;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.RunCandidate;
import io.testpulse.avro.RunOutcome;
import io.testpulse.avro.TestRecord;
import io.testpulse.serdes.TestpulseSerdes;
import org.apache.kafka.common.serialization.Serdes;

/** Every state store of the testpulse topology. Renaming one orphans its state: see TopologyNamesTest. */
public final class Stores {

  /**
   * Everything kept about one test, keyed by {@code tenant/test_id}: its counts ({@link TestRecord#getStats()}),
   * its flakiness state ({@link TestRecord#getFlakiness()}: state, window, flips, score, quarantine) and its recent
   * runs (de-duplication and attempt numbering). Replaces the test-state, flakiness-state, dedup-seen and
   * run-attempts stores of 0.1 (see the README, "Upgrading").
   */
  public static final StoreHandle<String, TestRecord> TEST_RECORD =
      StoreHandle.keyValue("test-record", Serdes.String(), TestpulseSerdes.testRecord());

  /**
   * Tests whose stats changed since they were last written to the test-stats topic, in chunks of keys
   * (one record per commit, see the engine's {@code PendingEmits}): the obligation to write them survives
   * a crash.
   */
  public static final StoreHandle<Long, byte[]> STATS_PENDING =
      StoreHandle.keyValue("test-stats-pending", Serdes.Long(), Serdes.ByteArray());

  /**
   * Runs moved out of a test's record when it has more recent runs than the record keeps, in batches keyed by
   * {@code tenant/test_id}: a window store whose retention is the de-dup horizon.
   */
  public static final String DEDUP_EVICTED_RUNS = "dedup-evicted-runs";

  /** Duration sketches per test and time bucket: {@code BucketKey(tenant/test_id, bucket start, "")}. */
  public static final StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> DURATION_TEST_BUCKETS =
      StoreHandle.keyValue("duration-test-buckets", BucketKey.serde(), TestpulseSerdes.durationSketch());

  /**
   * Duration sketches per suite ({@code BucketKey(tenant/suite/<suite>, bucket start, "")}) and per suite
   * and dimension set ({@code BucketKey(tenant/dims/<set>/<suite>, bucket start, <values>)}), partitioned
   * by the duration-rollup-partials repartition topic.
   */
  public static final StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> DURATION_ROLLUP_BUCKETS =
      StoreHandle.keyValue("duration-rollup-buckets", BucketKey.serde(), TestpulseSerdes.durationSketch());

  /**
   * Per-test buckets changed since they were last written to the duration-buckets topic, in chunks of keys
   * (one record per commit, not one per bucket): a crash between a commit and the next emission loses no
   * update. Replaces duration-test-pending of 0.1 (a record per bucket and a tombstone per emission).
   */
  public static final StoreHandle<Long, byte[]> DURATION_TEST_EMITS =
      StoreHandle.keyValue("duration-test-emits", Serdes.Long(), Serdes.ByteArray());

  /** Rollup buckets changed since they were last written to the duration-buckets topic, like {@link #DURATION_TEST_EMITS}. */
  public static final StoreHandle<Long, byte[]> DURATION_ROLLUP_EMITS =
      StoreHandle.keyValue("duration-rollup-emits", Serdes.Long(), Serdes.ByteArray());

  /** Tests currently SLOW, keyed by {@code tenant/test_id}: the value is when they became SLOW (epoch millis). */
  public static final StoreHandle<String, Long> DURATION_SLOW_TESTS =
      StoreHandle.keyValue("duration-slow-tests", Serdes.String(), Serdes.Long());
  /**
   * The tests of each state, keyed by {@link #stateIndexKey tenant/STATE/test_id} (value empty): the
   * list query's {@code ?state=} filter scans one tenant's state instead of every test. Kept by the
   * flakiness step with each transition, in the tasks (partitions) of {@link #TEST_RECORD}.
   */
  public static final StoreHandle<String, String> STATE_INDEX =
      StoreHandle.keyValue("flakiness-state-index", Serdes.String(), Serdes.String());

  /** Per-test, per-commit outcomes keyed by {@code tenant/test_id/commit_sha}; expire with commit.expiry. */
  public static final StoreHandle<String, CommitOutcome> FLAKINESS_COMMITS =
      StoreHandle.keyValue("flakiness-commits", Serdes.String(), TestpulseSerdes.commitOutcome());

  /** The newest accepted execution time per input partition (the lateness watermark). */
  public static final StoreHandle<Integer, Long> FLAKINESS_WATERMARK =
      StoreHandle.keyValue("flakiness-watermark", Serdes.Integer(), Serdes.Long());

  /** Per-run aggregate of the outage guard keyed by {@code tenant/run_key} (after a repartition by run). */
  public static final StoreHandle<String, RunOutcome> RUN_OUTCOMES =
      StoreHandle.keyValue("run-outcomes", Serdes.String(), TestpulseSerdes.runOutcome());

  /**
   * The flip candidates of each run, keyed by {@code tenant/run_key/<sequence>} (zero-padded, so a
   * prefix scan returns them in arrival order): answered again when the run's judgement changes.
   */
  public static final StoreHandle<String, RunCandidate> RUN_CANDIDATES =
      StoreHandle.keyValue("run-candidates", Serdes.String(), TestpulseSerdes.runCandidate());

  private Stores() {
  }

  /** The {@link #STATE_INDEX} key of a test in a state: {@code tenant/STATE/test_id}. */
  public static String stateIndexKey(String tenant, String state, String testId) {
    return tenant + "/" + state + "/" + testId;
  }

  /** The first {@link #STATE_INDEX} key of a tenant's tests in {@code state}. */
  public static String stateIndexFrom(String tenant, String state) {
    return tenant + "/" + state + "/";
  }

  /** Just past the last {@link #STATE_INDEX} key of a tenant's tests in {@code state} ('0' follows '/'). */
  public static String stateIndexTo(String tenant, String state) {
    return tenant + "/" + state + "0";
  }

  /** The test's key ({@code tenant/test_id}) of a {@link #STATE_INDEX} key. */
  public static String testKeyOfStateIndexKey(String indexKey) {
    int tenantEnd = indexKey.indexOf('/');
    int stateEnd = indexKey.indexOf('/', tenantEnd + 1);
    return indexKey.substring(0, tenantEnd + 1) + indexKey.substring(stateEnd + 1);
  }
}
