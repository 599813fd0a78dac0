package io.testpulse.topology;

import java.time.Instant;

/**
 * The buckets that answer a {@code [from, to)} duration query: every bucket that overlaps it, so
 * the effective range is {@code [from rounded down, to rounded up)} to bucket boundaries.
 *
 * @param from effective start, epoch millis (a bucket start), inclusive
 * @param to effective end, epoch millis (a bucket start), exclusive
 */
public record DurationRange(long from, long to) {

  public DurationRange {
    if (to < from) {
      throw new IllegalArgumentException("to must not be before from");
    }
  }

  /** The buckets overlapping {@code [from, to)}. */
  public static DurationRange covering(DurationOptions options, Instant from, Instant to) {
    if (!to.isAfter(from)) {
      throw new IllegalArgumentException("to must be after from");
    }
    long start = options.bucketStart(from.toEpochMilli());
    long end = options.bucketStart(to.toEpochMilli() - 1) + options.bucket().toMillis();
    return new DurationRange(start, end);
  }

  /** Lower bound (inclusive) of a store range over {@code scope}. */
  public BucketKey lower(String scope) {
    return new BucketKey(scope, from, "");
  }

  /**
   * Upper bound (inclusive) of a store range over {@code scope}: the first key after the range, which
   * callers exclude with {@link #contains}.
   */
  public BucketKey upper(String scope) {
    return new BucketKey(scope, to, "");
  }

  public boolean contains(BucketKey key) {
    return key.bucketStart() >= from && key.bucketStart() < to;
  }
}
