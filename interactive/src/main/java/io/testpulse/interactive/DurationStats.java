package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.testpulse.topology.DurationSummary;
import java.util.Map;

/**
 * Durations over a time range, from merged buckets.
 *
 * @param from effective start (epoch millis, a bucket start), inclusive: the requested start rounded down
 * @param to effective end (epoch millis, a bucket start), exclusive: the requested end rounded up
 * @param group for a dimension rollup, each dimension's value ({@code null}: the tag was missing); else empty
 * @param buckets how many non-empty buckets were merged
 * @param summary count, min, max, mean (exact) and p50..p99 (within 1%), in milliseconds
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DurationStats(long from, long to, Map<String, String> group, int buckets, DurationSummary summary) {
}
