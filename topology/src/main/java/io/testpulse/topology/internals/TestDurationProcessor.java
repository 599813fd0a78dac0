package io.testpulse.topology.internals;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.Stores;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Per-test duration buckets, keyed by the input key ({@code tenant/test_id}): no repartition.
 * Passed and failed executions count; skipped, pending and unknown ones have no meaningful duration.
 */
final class TestDurationProcessor extends DurationBucketProcessor<TestExecution> {

  TestDurationProcessor(DurationOptions options) {
    super(Stores.DURATION_TEST_BUCKETS, Stores.DURATION_TEST_EMITS, options);
  }

  @Override
  public void process(Record<String, TestExecution> record) {
    if (!counts(record.key(), record.value())) {
      return;
    }
    TestExecution e = record.value();
    add(record.key(), "", e.getSuite(), record.timestamp(), e.getDurationMicros());
  }

  /** Whether an execution's duration counts (it was validated by the engine, which accepted it). */
  static boolean counts(String key, TestExecution e) {
    return e.getResult() == Result.PASSED || e.getResult() == Result.FAILED;
  }

  @Override
  protected DurationBucket describe(BucketKey key, String suite, DurationSummary summary) {
    String tenant = tenantOf(key.scope());
    String testId = key.scope().substring(tenant.length() + 1);
    return DurationBucket.of(tenant + "/test/" + testId + "/" + key.bucketStart(), tenant, "test", testId, suite,
        null, null, key.bucketStart(), key.bucketStart() + options.bucket().toMillis(), summary);
  }
}
