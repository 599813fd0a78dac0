package io.testpulse.topology;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * One time bucket of durations of one scope, as written to the compacted
 * {@code <prefix>.duration-buckets.v1} topic (JSON, key fields inside the value for ClickHouse).
 *
 * @param key the record key, {@code tenant/scope/bucket_start}
 * @param kind {@code test}, {@code suite} or {@code dimensions}
 * @param testId set for kind {@code test}
 * @param suite the suite (for kind {@code test}: of the test's latest execution in the bucket)
 * @param dimensions for kind {@code dimensions}: the dimension set, e.g. {@code instance_type,arch}
 * @param group for kind {@code dimensions}: each dimension's value ({@code null} when the tag is missing)
 * @param bucketStart epoch millis, inclusive
 * @param bucketEnd epoch millis, exclusive
 * @param count executions in the bucket; {@code *_ms}: exact min, max, mean and p50..p99 (within 1%) in milliseconds
 * @param version monotonic per key (the bucket's count only grows); never a tombstone
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DurationBucket(
    String key,
    String tenant,
    String kind,
    String testId,
    String suite,
    String dimensions,
    Map<String, String> group,
    long bucketStart,
    long bucketEnd,
    long count,
    double minMs,
    double maxMs,
    double meanMs,
    double p50Ms,
    double p90Ms,
    double p95Ms,
    double p99Ms,
    long version) {

  /** A bucket from its identity and summary; the version is the count, which grows with every update. */
  public static DurationBucket of(String key, String tenant, String kind, String testId, String suite,
      String dimensions, Map<String, String> group, long bucketStart, long bucketEnd, DurationSummary s) {
    return new DurationBucket(key, tenant, kind, testId, suite, dimensions, group, bucketStart, bucketEnd,
        s.count(), s.minMs(), s.maxMs(), s.meanMs(), s.p50Ms(), s.p90Ms(), s.p95Ms(), s.p99Ms(), s.count());
  }

  /** The summary part. */
  public DurationSummary summary() {
    return new DurationSummary(count, minMs, maxMs, meanMs, p50Ms, p90Ms, p95Ms, p99Ms);
  }
}
