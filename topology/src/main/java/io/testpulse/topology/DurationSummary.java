package io.testpulse.topology;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Durations of a set of executions, in milliseconds: count, min, max and mean are exact;
 * percentiles are the DDSketch's, within 1% of the exact rank-based percentile
 * ({@code sorted[floor(q * (count - 1))]}), clamped to [min, max].
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DurationSummary(long count, double minMs, double maxMs, double meanMs,
    double p50Ms, double p90Ms, double p95Ms, double p99Ms) {

  private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};

  /** The summary of a sketch of durations in microseconds; {@code null} if it is empty. */
  public static DurationSummary of(DDSketchWithExactSummaryStatistics sketch) {
    if (sketch == null || sketch.isEmpty()) {
      return null;
    }
    double min = sketch.getMinValue();
    double max = sketch.getMaxValue();
    double[] q = sketch.getValuesAtQuantiles(QUANTILES);
    return new DurationSummary((long) sketch.getCount(), ms(min), ms(max), ms(sketch.getSum() / sketch.getCount()),
        ms(clamp(q[0], min, max)), ms(clamp(q[1], min, max)), ms(clamp(q[2], min, max)), ms(clamp(q[3], min, max)));
  }

  private static double clamp(double v, double min, double max) {
    return Math.max(min, Math.min(max, v));
  }

  private static double ms(double micros) {
    return micros / 1_000.0;
  }
}
