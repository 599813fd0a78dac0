package io.testpulse.serdes;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The accuracy contract of {@link DurationSketches}, against an exact oracle: every quantile is
 * within 1% of the exact rank-based quantile {@code sorted[floor(q * (n - 1))]}, after any
 * sequence of merges and serialization round trips; count, min, max and sum are exact.
 */
class DurationSketchContractTest {

  private static final double[] QUANTILES = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};
  /** A value exactly on a bin boundary may land 1e-16 beyond 1% by double rounding; nothing more is allowed. */
  private static final double FLOATING_POINT_SLACK = 1e-12;
  private static final long HOUR_MICROS = 3_600_000_000L;

  static Stream<Arguments> distributions() {
    return Stream.of(
        Arguments.of("lognormal", (Generator) r -> () -> Math.exp(11 + 1.5 * r.nextGaussian())),
        Arguments.of("bimodal", (Generator) r -> () -> r.nextBoolean()
            ? 2_000 + 200 * r.nextGaussian() : 900_000 + 50_000 * r.nextGaussian()),
        Arguments.of("zeros and small", (Generator) r -> () -> r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(50)),
        Arguments.of("sub-millisecond", (Generator) r -> () -> 1 + r.nextInt(999)),
        Arguments.of("hour-long", (Generator) r -> () -> HOUR_MICROS + r.nextInt(1_000_000) * 1_000L),
        Arguments.of("microseconds to hours", (Generator) r -> () -> Math.pow(10, 9.6 * r.nextDouble())),
        Arguments.of("all zero", (Generator) r -> () -> 0));
  }

  interface Generator {
    DoubleSupplier with(Random random);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void shouldReportEveryQuantileWithinOnePercentWhenMergedInAnyOrder(String name, Generator generator) {
    for (long seed = 1; seed <= 20; seed++) {
      Random random = new Random(seed);
      int n = 1 + random.nextInt(20_000);
      DoubleSupplier values = generator.with(random);
      double[] exact = new double[n];
      for (int i = 0; i < n; i++) {
        exact[i] = Math.max(0, Math.rint(values.getAsDouble())); // durations are whole microseconds
      }
      DDSketchWithExactSummaryStatistics sketch = mergeInRandomParts(exact, random);
      Arrays.sort(exact);

      assertThat(sketch.getCount()).isEqualTo(n);
      assertThat(sketch.getMinValue()).isEqualTo(exact[0]);
      assertThat(sketch.getMaxValue()).isEqualTo(exact[n - 1]);
      assertThat(sketch.getSum()).isCloseTo(Arrays.stream(exact).sum(), org.assertj.core.data.Percentage.withPercentage(1e-9));
      for (double q : QUANTILES) {
        assertWithinOnePercent(name + " seed " + seed + " q " + q, sketch.getValueAtQuantile(q), exact, q);
      }
      for (int i = 0; i < 20; i++) {
        double q = random.nextDouble();
        assertWithinOnePercent(name + " seed " + seed + " q " + q, sketch.getValueAtQuantile(q), exact, q);
      }
    }
  }

  /** Splits the values into random parts, sketches each, then merges them pairwise in random order, with round trips. */
  private static DDSketchWithExactSummaryStatistics mergeInRandomParts(double[] values, Random random) {
    int parts = 1 + random.nextInt(12);
    List<DDSketchWithExactSummaryStatistics> sketches = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      sketches.add(DurationSketches.create());
    }
    for (double v : values) {
      sketches.get(random.nextInt(parts)).accept(v);
    }
    while (sketches.size() > 1) {
      DDSketchWithExactSummaryStatistics a = sketches.remove(random.nextInt(sketches.size()));
      DDSketchWithExactSummaryStatistics b = sketches.remove(random.nextInt(sketches.size()));
      if (random.nextBoolean()) {
        a = DurationSketches.decode(DurationSketches.encode(a));
      }
      a.mergeWith(b);
      sketches.add(a);
    }
    return DurationSketches.decode(DurationSketches.encode(sketches.get(0)));
  }

  private static void assertWithinOnePercent(String what, double reported, double[] sorted, double q) {
    double exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
    assertThat(Math.abs(reported - exact)).as(what + ": reported " + reported + ", exact " + exact)
        .isLessThanOrEqualTo(DurationSketches.RELATIVE_ACCURACY * exact * (1 + FLOATING_POINT_SLACK));
  }
}
