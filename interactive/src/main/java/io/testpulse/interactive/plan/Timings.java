package io.testpulse.interactive.plan;

import io.testpulse.interactive.SuiteTest;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Measured durations of a suite's tests, indexed the two ways a plan asks: per test (scope and name,
 * for examples) and per file (the sum of its tests, for files and selectors). A test's estimate is
 * its median (p50) duration over the plan window: robust to the odd hung run, and a file's expected
 * time is the sum of its tests'.
 */
public final class Timings {

  /** An estimate in milliseconds and the executions it rests on. */
  public record Estimate(double ms, long samples) {
  }

  private final Map<String, Estimate> byTest;
  private final Map<String, Estimate> byFile;

  private Timings(Map<String, Estimate> byTest, Map<String, Estimate> byFile) {
    this.byTest = byTest;
    this.byFile = byFile;
  }

  /** No measured durations at all. */
  public static Timings none() {
    return new Timings(Map.of(), Map.of());
  }

  /**
   * The index of {@code tests}; tests without durations in the window are left out. The same tests in
   * any order give the same index: a file's sum is added up in whole microseconds (floating-point
   * addition is not associative), so plans stay deterministic.
   */
  public static Timings of(Collection<SuiteTest> tests) {
    Map<String, Estimate> byTest = new HashMap<>(tests.size() * 2);
    Map<String, long[]> files = new HashMap<>();
    for (SuiteTest t : tests) {
      if (t.durations() == null || t.durations().count() == 0) {
        continue;
      }
      long micros = Math.round(t.durations().p50Ms() * 1000);
      byTest.put(testKey(t.scope(), t.name()), new Estimate(micros / 1000.0, t.durations().count()));
      if (t.fileName() != null && !t.fileName().isBlank()) {
        long[] sum = files.computeIfAbsent(normalisePath(t.fileName()), k -> new long[2]);
        sum[0] += micros;
        sum[1] = Math.max(sum[1], t.durations().count());
      }
    }
    Map<String, Estimate> byFile = new HashMap<>(files.size() * 2);
    files.forEach((file, sum) -> byFile.put(file, new Estimate(sum[0] / 1000.0, sum[1])));
    return new Timings(byTest, byFile);
  }

  /** The test named {@code scope} and {@code name}, or null when it has no durations. */
  public Estimate test(String scope, String name) {
    return byTest.get(testKey(scope, name));
  }

  /** The file at {@code path} (a leading {@code ./} ignored), or null when none of its tests has durations. */
  public Estimate file(String path) {
    return path == null ? null : byFile.get(normalisePath(path));
  }

  /** How the client matches a test: scope and name (a missing scope is empty). */
  static String testKey(String scope, String name) {
    return (scope == null ? "" : scope) + '\u0000' + (name == null ? "" : name);
  }

  /** Collectors report {@code ./spec/a_spec.rb}, runners {@code spec/a_spec.rb}: the same file. */
  static String normalisePath(String path) {
    String p = path.strip();
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    return p;
  }
}
