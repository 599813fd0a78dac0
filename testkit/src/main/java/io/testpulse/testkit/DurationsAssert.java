package io.testpulse.testkit;

import io.testpulse.serdes.DurationSketches;
import io.testpulse.topology.DurationSummary;
import java.time.Duration;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on durations ({@link DurationSummary}): count, min and max are exact; percentiles
 * are compared within the sketch's relative accuracy ({@value DurationSketches#RELATIVE_ACCURACY}).
 */
public final class DurationsAssert extends AbstractAssert<DurationsAssert, DurationSummary> {

  DurationsAssert(DurationSummary actual) {
    super(actual, DurationsAssert.class);
  }

  /** How many executions the durations cover. */
  public DurationsAssert hasCount(long expected) {
    isNotNull();
    if (actual.count() != expected) {
      failWithMessage("Expected %s durations but found %s: %s", expected, actual.count(), actual);
    }
    return this;
  }

  /** The shortest duration, exactly (to the microsecond). */
  public DurationsAssert hasMin(Duration expected) {
    return exact("min", expected, summary().minMs());
  }

  /** The longest duration, exactly (to the microsecond). */
  public DurationsAssert hasMax(Duration expected) {
    return exact("max", expected, summary().maxMs());
  }

  /** The median, within the sketch's relative accuracy. */
  public DurationsAssert hasP50(Duration expected) {
    return approx("p50", expected, summary().p50Ms());
  }

  public DurationsAssert hasP90(Duration expected) {
    return approx("p90", expected, summary().p90Ms());
  }

  public DurationsAssert hasP95(Duration expected) {
    return approx("p95", expected, summary().p95Ms());
  }

  public DurationsAssert hasP99(Duration expected) {
    return approx("p99", expected, summary().p99Ms());
  }

  private DurationSummary summary() {
    isNotNull();
    return actual;
  }

  private DurationsAssert exact(String what, Duration expected, double actualMs) {
    if (Math.abs(actualMs - ms(expected)) > 0.0005) {
      failWithMessage("Expected %s %s ms but was %s ms in %s", what, ms(expected), actualMs, actual);
    }
    return this;
  }

  private DurationsAssert approx(String what, Duration expected, double actualMs) {
    double want = ms(expected);
    if (Math.abs(actualMs - want) > DurationSketches.RELATIVE_ACCURACY * want + 0.0005) {
      failWithMessage("Expected %s %s ms (within %s%%) but was %s ms in %s", what, want,
          DurationSketches.RELATIVE_ACCURACY * 100, actualMs, actual);
    }
    return this;
  }

  private static double ms(Duration d) {
    return d.toNanos() / 1_000_000.0;
  }
}
