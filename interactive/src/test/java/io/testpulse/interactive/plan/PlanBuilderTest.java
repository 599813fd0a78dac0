package io.testpulse.interactive.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testpulse.interactive.SuiteTest;
import io.testpulse.topology.DurationSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanBuilderTest {

  private static SuiteTest test(String file, String name, double p50Ms) {
    return new SuiteTest(Integer.toHexString(name.hashCode()), "Scope", name, file,
        new DurationSummary(10, p50Ms, p50Ms, p50Ms, p50Ms, p50Ms, p50Ms, p50Ms));
  }

  private static PlanBuilder.Inputs inputs(List<SuiteTest> tests) {
    return new PlanBuilder.Inputs(Timings.of(tests), List.of(), List.of(), Set.of(), "P7D", false, 0);
  }

  private static PlanRequest files(int parallelism, List<String> paths) {
    return new PlanRequest("rspec", "build-1", parallelism, 0, 0, "main", paths, List.of(), List.of());
  }

  /** A suite with a long-tailed (log-normal) distribution of file durations, like real ones. */
  private static List<SuiteTest> realisticSuite(int files, long seed) {
    Random random = new Random(seed);
    List<SuiteTest> tests = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      int perFile = 1 + random.nextInt(20);
      for (int t = 0; t < perFile; t++) {
        tests.add(test("./spec/f" + f + "_spec.rb", "f" + f + " t" + t, Math.exp(random.nextGaussian() * 1.2 + 4)));
      }
    }
    return tests;
  }

  private static List<String> paths(int files) {
    List<String> paths = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      paths.add("spec/f" + f + "_spec.rb");
    }
    return paths;
  }

  @Test
  void shouldBalanceNodesWithinTenPercentOfTheLowerBoundWhenTheSuiteIsRealistic() {
    for (int nodes : new int[] {2, 4, 8, 16}) {
      TestPlan plan = PlanBuilder.build(files(nodes, paths(500)), inputs(realisticSuite(500, nodes)));

      long total = plan.tasks().values().stream().mapToLong(TestPlan.Task::estimatedMs).sum();
      long longest = plan.tasks().values().stream().flatMap(t -> t.tests().stream())
          .mapToLong(PlanTest::estimatedDuration).max().orElseThrow();
      long slowest = plan.tasks().values().stream().mapToLong(TestPlan.Task::estimatedMs).max().orElseThrow();
      assertThat((double) slowest).as("%d nodes", nodes).isLessThanOrEqualTo(1.10 * Math.max((double) total / nodes,
          longest));
    }
  }

  @Test
  void shouldPlaceEveryFileOnExactlyOneNodeWhenPlanning() {
    TestPlan plan = PlanBuilder.build(files(7, paths(300)), inputs(realisticSuite(300, 1)));

    List<String> planned = plan.tasks().values().stream().flatMap(t -> t.tests().stream()).map(PlanTest::path)
        .toList();
    assertThat(planned).containsExactlyInAnyOrderElementsOf(paths(300));
    assertThat(plan.tasks()).containsOnlyKeys("0", "1", "2", "3", "4", "5", "6");
    assertThat(plan.parallelism()).isEqualTo(7);
  }

  @Test
  void shouldBuildTheSamePlanWhenInputsAreTheSame() {
    List<SuiteTest> suite = realisticSuite(200, 3);
    List<SuiteTest> reversed = new ArrayList<>(suite);
    java.util.Collections.reverse(reversed);
    assertThat(PlanBuilder.build(files(5, paths(200)), inputs(suite)))
        .isEqualTo(PlanBuilder.build(files(5, paths(200)), inputs(reversed)));
  }

  @Test
  void shouldEstimateUnknownFilesWithTheMedianAndFlagThemWhenTheyHaveNoHistory() {
    List<SuiteTest> suite = List.of(test("a.rb", "a", 100), test("b.rb", "b", 300), test("c.rb", "c", 500));
    TestPlan plan = PlanBuilder.build(files(2, List.of("a.rb", "b.rb", "c.rb", "new.rb")), inputs(suite));

    PlanTest unknown = plan.tasks().values().stream().flatMap(t -> t.tests().stream())
        .filter(t -> t.path().equals("new.rb")).findFirst().orElseThrow();
    assertThat(unknown.estimatedDuration()).isEqualTo(300);
    assertThat(unknown.timingSampleSize()).isZero();
    assertThat(plan.timingMetadata().file()).isEqualTo(new TestPlan.FormatTiming(300.0, PlanBuilder.DEFAULT_FILE_MS,
        3, 1));
    assertThat(plan.knownTimingsRatio()).isEqualTo(0.75);
  }

  @Test
  void shouldLeaveSkippedExamplesOutWhenAFileIsSplit() {
    List<PlanRequest.Example> examples = List.of(new PlanRequest.Example("a.rb[1:1]", "a.rb[1:1]", "Scope", "one"),
        new PlanRequest.Example("a.rb[1:2]", "a.rb[1:2]", "Scope", "two"));
    PlanRequest request = new PlanRequest("rspec", "b", 2, 0, 0, null, List.of(), examples, List.of());
    PlanBuilder.Inputs in = new PlanBuilder.Inputs(Timings.none(), List.of(), List.of(), Set.of(
        Timings.testKey("Scope", "two")), "P7D", false, 0);

    TestPlan plan = PlanBuilder.build(request, in);

    assertThat(plan.tasks().values().stream().flatMap(t -> t.tests().stream()).map(PlanTest::name))
        .containsExactly("one");
  }

  @Test
  void shouldPickTheFewestNodesThatMeetTheTargetTimeWhenParallelismIsDynamic() {
    List<SuiteTest> suite = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      suite.add(test("f" + i, "t" + i, 1_000));
      paths.add("f" + i);
    }
    PlanRequest request = new PlanRequest("rspec", "b", 0, 50, 10, null, paths, List.of(), List.of());

    TestPlan plan = PlanBuilder.build(request, inputs(suite));

    assertThat(plan.parallelism()).isEqualTo(4);
    assertThat(plan.tasks().values()).allSatisfy(t -> assertThat(t.estimatedMs()).isEqualTo(10_000));
  }

  @Test
  void shouldRefuseAPlanWhenNeitherParallelismNorTargetTimeIsGiven() {
    assertThatThrownBy(() -> PlanBuilder.build(files(0, paths(3)), inputs(List.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
  }

  @Test
  void shouldSplitSlowFilesAndFilesWithSkippedTestsWhenFiltering() {
    List<SuiteTest> suite = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      suite.add(test("f" + i, "t" + i, 100));
      paths.add("f" + i);
    }
    suite.add(test("slow", "slow", 5_000));
    paths.add("slow");

    assertThat(PlanBuilder.filesToSplit(paths, Timings.of(suite), Set.of("f3"), 4, 0, 0))
        .containsExactly("f3", "slow");
    assertThat(PlanBuilder.filesToSplit(paths, Timings.of(suite), Set.of(), 1, 0, 0))
        .as("one node: nothing is slow").isEmpty();
  }

  @Test
  void shouldAnswerConcurrentCreationsWithOnePlanWhenTheyRace() throws Exception {
    PlanStore store = new PlanStore(Clock.systemUTC(), Duration.ofHours(1), 10);
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestPlan plan = PlanBuilder.build(files(2, paths(4)), inputs(realisticSuite(4, 1)));
    CompletableFuture<PlanStore.Created> first = CompletableFuture.supplyAsync(() -> store.create("t", "s", "id",
        () -> {
          building.countDown();
          await(release);
          return plan;
        }));
    await(building);

    assertThat(store.create("t", "s", "id", () -> {
      throw new AssertionError("a second build");
    })).isInstanceOf(PlanStore.Created.InProgress.class);
    assertThat(store.get("t", "s", "id")).isEmpty();
    release.countDown();
    assertThat(first.get()).isEqualTo(new PlanStore.Created.Plan(plan, false));
    assertThat(store.create("t", "s", "id", () -> null)).isEqualTo(new PlanStore.Created.Plan(plan, true));
    assertThat(store.get("t", "s", "id")).contains(plan);
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new AssertionError("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
