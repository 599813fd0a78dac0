package io.testpulse.topology;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.avro.TestState;
import io.testpulse.serdes.TestpulseSerdes;
import org.apache.kafka.common.serialization.Serdes;

/** Every state store of the testpulse topology. Renaming one orphans its state: see TopologyNamesTest. */
public final class Stores {

  /** Per-test state keyed by {@code tenant/test_id}. */
  public static final StoreHandle<String, TestState> TEST_STATE =
      StoreHandle.keyValue("test-state", Serdes.String(), TestpulseSerdes.testState());

  /** Duration sketches per test and time bucket: {@code BucketKey(tenant/test_id, bucket start, "")}. */
  public static final StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> DURATION_TEST_BUCKETS =
      StoreHandle.keyValue("duration-test-buckets", BucketKey.serde(), TestpulseSerdes.durationSketch());

  /**
   * Duration sketches per suite ({@code BucketKey(tenant/suite/<suite>, bucket start, "")}) and per suite
   * and dimension set ({@code BucketKey(tenant/dims/<set>/<suite>, bucket start, <values>)}), partitioned
   * by the duration-rollups repartition topic.
   */
  public static final StoreHandle<BucketKey, DDSketchWithExactSummaryStatistics> DURATION_ROLLUP_BUCKETS =
      StoreHandle.keyValue("duration-rollup-buckets", BucketKey.serde(), TestpulseSerdes.durationSketch());

  /**
   * Per-test buckets changed since they were last written to the duration-buckets topic (value: the
   * suite): kept in a store so that a crash between a commit and the next emission loses no update.
   */
  public static final StoreHandle<BucketKey, String> DURATION_TEST_PENDING =
      StoreHandle.keyValue("duration-test-pending", BucketKey.serde(), Serdes.String());

  /** Rollup buckets changed since they were last written to the duration-buckets topic. */
  public static final StoreHandle<BucketKey, String> DURATION_ROLLUP_PENDING =
      StoreHandle.keyValue("duration-rollup-pending", BucketKey.serde(), Serdes.String());

  /** Tests currently SLOW, keyed by {@code tenant/test_id}: the value is when they became SLOW (epoch millis). */
  public static final StoreHandle<String, Long> DURATION_SLOW_TESTS =
      StoreHandle.keyValue("duration-slow-tests", Serdes.String(), Serdes.Long());
  /**
   * Active quarantines keyed by {@code tenant/test_id}: the latest {@code QUARANTINE} command of a test,
   * removed by a {@code RELEASE}. Fed by the quarantine-commands topic; expiry is applied when read.
   * JSON values: the command as it was sent (the store is a projection of that topic).
   */
  public static final StoreHandle<String, QuarantineCommand> QUARANTINE =
      StoreHandle.keyValue("quarantine", Serdes.String(), TestpulseSerdes.json(QuarantineCommand.class));

  private Stores() {
  }
}
