package io.testpulse.interactive.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Builds a plan from a request and measured durations: a pure function (same inputs, same plan), so
 * instances that build the same identifier from the same durations agree.
 *
 * <p>Balancing is LPT (longest processing time first): entries sorted by estimate, longest first
 * (ties by format, path, identifier, scope, name), each given to the node with the least estimated
 * time so far (ties: the lowest node number). Bound: the slowest node ends at most at
 * {@code total / N + (1 - 1/N) * p}, where {@code p} is the estimate of the last entry placed on it
 * (and never above {@code 4/3 - 1/(3N)} of the optimum, Graham 1969); splitting slow files by example
 * (see {@link #filesToSplit}) keeps {@code p} small, so on realistic suites the slowest node is within
 * a few percent of {@code max(total / N, longest entry)}.
 */
public final class PlanBuilder {

  /** Assumed duration (ms) of a file or selector when no file of the suite has history. */
  public static final double DEFAULT_FILE_MS = 1_000;
  /** Assumed duration (ms) of an example when no test of the suite has history. */
  public static final double DEFAULT_EXAMPLE_MS = 100;
  /** The most nodes a plan may have. */
  public static final int MAX_NODES = 1_000;
  /** A file is slow, and worth splitting by example, above this share of one node's fair time. */
  public static final double SLOW_SHARE = 0.25;

  private PlanBuilder() {
  }

  /** What a plan is built from besides the request. */
  public record Inputs(Timings timings, List<PlanTest> muted, List<PlanTest> skipped, Set<String> skippedTestKeys,
      String window, boolean partial, long createdAt) {
  }

  private record Item(PlanTest test, double ms, long samples, boolean known) {
  }

  private static final Comparator<Item> LONGEST_FIRST = Comparator.<Item>comparingDouble(Item::ms).reversed()
      .thenComparing(i -> i.test().format())
      .thenComparing(i -> i.test().path())
      .thenComparing(i -> nullToEmpty(i.test().identifier()))
      .thenComparing(i -> nullToEmpty(i.test().scope()))
      .thenComparing(i -> nullToEmpty(i.test().name()));

  /**
   * The plan for {@code request}.
   *
   * @throws IllegalArgumentException when the request names neither a parallelism nor a target time with a
   *     maximum parallelism
   */
  public static TestPlan build(PlanRequest request, Inputs in) {
    List<Item> files = new ArrayList<>();
    for (String path : request.files()) {
      files.add(item(PlanTest.file(path, 0, 0), in.timings().file(path)));
    }
    List<Item> selectors = new ArrayList<>();
    for (String value : request.selectors()) {
      selectors.add(item(PlanTest.selector(value, 0, 0), in.timings().file(value)));
    }
    List<Item> examples = new ArrayList<>();
    for (PlanRequest.Example e : request.examples()) {
      if (!in.skippedTestKeys().contains(Timings.testKey(e.scope(), e.name()))) {
        examples.add(item(PlanTest.example(e, 0, 0), in.timings().test(e.scope(), e.name())));
      }
    }
    TestPlan.FormatTiming fileTiming = fill(files, DEFAULT_FILE_MS);
    TestPlan.FormatTiming selectorTiming = fill(selectors, DEFAULT_FILE_MS);
    TestPlan.FormatTiming exampleTiming = fill(examples, DEFAULT_EXAMPLE_MS);
    List<Item> items = new ArrayList<>(files.size() + selectors.size() + examples.size());
    items.addAll(files);
    items.addAll(selectors);
    items.addAll(examples);
    items.sort(LONGEST_FIRST);

    int nodes = parallelism(request, items);
    Map<String, TestPlan.Task> tasks = assign(items, nodes);
    long known = items.stream().filter(Item::known).count();
    TestPlan.TimingMetadata timing = new TestPlan.TimingMetadata(fileTiming, exampleTiming, selectorTiming,
        in.window(), "all", in.partial() ? Boolean.TRUE : null);
    return new TestPlan(request.identifier(), nodes, request.branch(), tasks, in.muted(), in.skipped(), timing,
        items.isEmpty() ? null : (double) known / items.size(), in.createdAt());
  }

  /**
   * The files of {@code paths} the client should split by example: those holding a skipped test (so the
   * plan can leave it out) and, with more than one node, the slow ones (estimate above
   * {@link #SLOW_SHARE} of {@code total / N}). {@code N} is {@code parallelism} when set, else what
   * {@code targetTimeSeconds} and {@code maxParallelism} would choose.
   */
  public static List<String> filesToSplit(List<String> paths, Timings timings, Set<String> filesWithSkipped,
      int parallelism, int maxParallelism, double targetTimeSeconds) {
    List<Item> files = new ArrayList<>();
    for (String path : paths) {
      files.add(item(PlanTest.file(path, 0, 0), timings.file(path)));
    }
    fill(files, DEFAULT_FILE_MS);
    int nodes = parallelism > 0 ? parallelism
        : targetTimeSeconds > 0 && maxParallelism > 0 ? pick(sorted(files), targetTimeSeconds * 1000, maxParallelism)
        : 1;
    double total = files.stream().mapToDouble(Item::ms).sum();
    double slow = nodes > 1 ? total / nodes * SLOW_SHARE : Double.POSITIVE_INFINITY;
    List<String> split = new ArrayList<>();
    for (Item f : files) {
      if (f.known() && f.ms() > slow || filesWithSkipped.contains(Timings.normalisePath(f.test().path()))) {
        split.add(f.test().path());
      }
    }
    return split;
  }

  private static List<Item> sorted(List<Item> items) {
    List<Item> copy = new ArrayList<>(items);
    copy.sort(LONGEST_FIRST);
    return copy;
  }

  private static int parallelism(PlanRequest request, List<Item> items) {
    if (request.targetTimeSeconds() > 0 && request.maxParallelism() > 0) {
      return pick(items, request.targetTimeSeconds() * 1000, Math.min(request.maxParallelism(), MAX_NODES));
    }
    if (request.parallelism() < 1) {
      throw new IllegalArgumentException(
          "parallelism must be at least 1, or target_time and max_parallelism must both be given");
    }
    if (request.parallelism() > MAX_NODES) {
      throw new IllegalArgumentException("parallelism may be at most " + MAX_NODES);
    }
    return request.parallelism();
  }

  /**
   * The fewest nodes, up to {@code max}, whose LPT plan ends within {@code targetMs}; {@code max} when
   * none does. Starts at {@code ceil(total / target)}, below which no plan can meet the target.
   */
  private static int pick(List<Item> longestFirst, double targetMs, int max) {
    double total = longestFirst.stream().mapToDouble(Item::ms).sum();
    int n = (int) Math.max(1, Math.min(max, Math.ceil(total / targetMs)));
    while (n < max && makespan(longestFirst, n) > targetMs) {
      n++;
    }
    return n;
  }

  private static double makespan(List<Item> longestFirst, int nodes) {
    double[] load = new double[nodes];
    PriorityQueue<Integer> free = nodeQueue(load);
    for (Item item : longestFirst) {
      int node = free.poll();
      load[node] += item.ms();
      free.add(node);
    }
    return Arrays.stream(load).max().orElse(0);
  }

  private static Map<String, TestPlan.Task> assign(List<Item> longestFirst, int nodes) {
    double[] load = new double[nodes];
    List<List<PlanTest>> tests = new ArrayList<>(nodes);
    for (int i = 0; i < nodes; i++) {
      tests.add(new ArrayList<>());
    }
    PriorityQueue<Integer> free = nodeQueue(load);
    for (Item item : longestFirst) {
      int node = free.poll();
      load[node] += item.ms();
      PlanTest t = item.test();
      tests.get(node).add(new PlanTest(t.path(), t.format(), t.identifier(), t.name(), t.scope(),
          Math.round(item.ms()), item.samples(), t.value()));
      free.add(node);
    }
    Map<String, TestPlan.Task> tasks = new LinkedHashMap<>();
    for (int i = 0; i < nodes; i++) {
      tasks.put(Integer.toString(i), new TestPlan.Task(i, List.copyOf(tests.get(i))));
    }
    return tasks;
  }

  /** Nodes ordered by load, then number; {@code load} is read when a node is (re-)added. */
  private static PriorityQueue<Integer> nodeQueue(double[] load) {
    PriorityQueue<Integer> queue = new PriorityQueue<>(Math.max(1, load.length),
        (a, b) -> load[a] != load[b] ? Double.compare(load[a], load[b]) : Integer.compare(a, b));
    for (int i = 0; i < load.length; i++) {
      queue.add(i);
    }
    return queue;
  }

  private static Item item(PlanTest test, Timings.Estimate estimate) {
    return estimate == null ? new Item(test, Double.NaN, 0, false)
        : new Item(test, estimate.ms(), estimate.samples(), true);
  }

  /** Gives the unknown items the median of the known ones (or {@code defaultMs}); the format's metadata. */
  private static TestPlan.FormatTiming fill(List<Item> items, double defaultMs) {
    if (items.isEmpty()) {
      return null;
    }
    double[] known = items.stream().filter(Item::known).mapToDouble(Item::ms).sorted().toArray();
    Double median = known.length == 0 ? null
        : known.length % 2 == 1 ? known[known.length / 2]
        : (known[known.length / 2 - 1] + known[known.length / 2]) / 2;
    double fallback = median == null ? defaultMs : median;
    for (int i = 0; i < items.size(); i++) {
      Item it = items.get(i);
      if (!it.known()) {
        items.set(i, new Item(it.test(), fallback, 0, false));
      }
    }
    return new TestPlan.FormatTiming(median, defaultMs, known.length, items.size() - known.length);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
