package io.testpulse.benchmarks.jmh;

import io.testpulse.interactive.SuiteTest;
import io.testpulse.interactive.plan.PlanBuilder;
import io.testpulse.interactive.plan.PlanRequest;
import io.testpulse.interactive.plan.TestPlan;
import io.testpulse.interactive.plan.Timings;
import io.testpulse.topology.DurationSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building a test plan for Buildkite's test client: 10,000 files (about 55,000 tests with lognormal
 * durations) split over {@code nodes} nodes, the CPU part of {@code POST .../test_plan} after the suite's
 * tests and durations were read. {@code index} builds the duration index from the tests; {@code plan}
 * balances (LPT) on a ready index; {@code indexAndPlan} is both, what a request costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TestPlanBenchmark {

  @Param({"10000"})
  public int files;

  @Param({"16"})
  public int nodes;

  private List<SuiteTest> tests;
  private Timings timings;
  private PlanRequest request;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(17);
    tests = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      String path = "spec/models/m" + f + "_spec.rb";
      paths.add(path);
      int count = 1 + random.nextInt(10);
      for (int t = 0; t < count; t++) {
        double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        double ms = Math.exp(5 + 1.2 * gaussian);
        tests.add(new SuiteTest(String.format("%032x", (long) f * 16 + t), "M" + f, "case " + t, "./" + path,
            new DurationSummary(20, ms, ms, ms, ms, ms, ms, ms)));
      }
    }
    timings = Timings.of(tests);
    request = new PlanRequest("rspec", "build-1", nodes, 0, 0, "main", paths, List.of(), List.of());
  }

  @Benchmark
  public Timings index() {
    return Timings.of(tests);
  }

  @Benchmark
  public TestPlan plan() {
    return PlanBuilder.build(request, inputs(timings));
  }

  @Benchmark
  public TestPlan indexAndPlan() {
    return PlanBuilder.build(request, inputs(Timings.of(tests)));
  }

  private static PlanBuilder.Inputs inputs(Timings timings) {
    return new PlanBuilder.Inputs(timings, List.of(), List.of(), java.util.Set.of(), "P7D", false, 0);
  }
}
