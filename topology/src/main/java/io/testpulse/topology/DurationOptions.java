package io.testpulse.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of the durations capability, read once from {@link TestpulseConfig} (the
 * {@code testpulse.durations.*} keys) and given to the topology and the query service. Immutable.
 *
 * @param bucket size of a time bucket; buckets start at multiples of it since the epoch (UTC)
 * @param retention how long a bucket is kept after its end
 * @param grace how long after its end a bucket still accepts late executions
 * @param dimensionSets the tag-name lists to roll suites up by, e.g. {@code [[instance_type, arch], [host.arch]]}
 * @param emitInterval how often updated buckets are written to the duration-buckets topic (wall clock)
 * @param slowFactor a test is SLOW when its recent median exceeds its baseline median by this factor
 * @param slowRecentBuckets buckets (ending with the current one) that make up "recent"
 * @param slowBaselineBuckets buckets before the recent ones that make up the baseline
 * @param slowMinSamples executions each of recent and baseline need before a test is judged
 * @param sketchCache keep hot sketches as objects and write them at commit (true), or decode and encode
 *     per execution (false: slower, for comparison only)
 */
public record DurationOptions(Duration bucket, Duration retention, Duration grace, List<List<String>> dimensionSets,
    Duration emitInterval, double slowFactor, int slowRecentBuckets, int slowBaselineBuckets, int slowMinSamples,
    boolean sketchCache) {

  /** A tag name in a dimension set. */
  public static final Pattern TAG_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  public DurationOptions {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(emitInterval, "emitInterval");
    dimensionSets = dimensionSets.stream().map(List::copyOf).toList();
    if (bucket.toMillis() <= 0 || retention.compareTo(bucket) < 0) {
      throw new IllegalArgumentException("bucket must be positive and retention at least one bucket");
    }
    for (List<String> set : dimensionSets) {
      if (set.isEmpty() || !set.stream().allMatch(t -> TAG_NAME.matcher(t).matches())) {
        throw new IllegalArgumentException("invalid dimension set " + set);
      }
    }
  }

  public static DurationOptions defaults() {
    return new TestpulseConfig(java.util.Map.of()).durationOptions();
  }

  /**
   * Parses {@code instance_type,arch;host.arch} into {@code [[instance_type, arch], [host.arch]]}:
   * sets separated by ';', tag names within a set by ','.
   */
  public static List<List<String>> parseDimensionSets(String value) {
    List<List<String>> sets = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return sets;
    }
    for (String set : value.split(";")) {
      if (set.isBlank()) {
        continue;
      }
      List<String> tags = new ArrayList<>();
      for (String tag : set.split(",")) {
        tags.add(tag.trim());
      }
      sets.add(tags);
    }
    return sets;
  }

  /** The name of a dimension set: its tag names joined by ','. */
  public static String dimensionSetName(List<String> set) {
    return String.join(",", set);
  }

  /** The start of the bucket holding {@code epochMillis}. */
  public long bucketStart(long epochMillis) {
    return Math.floorDiv(epochMillis, bucket.toMillis()) * bucket.toMillis();
  }

  public DurationOptions withDimensionSets(List<List<String>> sets) {
    return new DurationOptions(bucket, retention, grace, sets, emitInterval, slowFactor, slowRecentBuckets,
        slowBaselineBuckets, slowMinSamples, sketchCache);
  }

  public DurationOptions withSketchCache(boolean enabled) {
    return new DurationOptions(bucket, retention, grace, dimensionSets, emitInterval, slowFactor, slowRecentBuckets,
        slowBaselineBuckets, slowMinSamples, enabled);
  }
}
