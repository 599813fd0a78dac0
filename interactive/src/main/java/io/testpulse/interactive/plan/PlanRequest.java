package io.testpulse.interactive.plan;

import java.util.List;
import java.util.Objects;

/**
 * A request to create a test plan, as Buildkite's test client ({@code bktec}) sends it to
 * {@code POST .../test_plan}: what to split (files, examples of split files, selectors) and how.
 *
 * @param identifier the build step's plan identifier: every node of the step asks for the same one
 * @param parallelism the number of nodes; 0 lets {@code targetTimeSeconds} and {@code maxParallelism} choose
 * @param maxParallelism the most nodes the plan may use when it picks the parallelism (0: not set)
 * @param targetTimeSeconds the wanted wall time per node (0: not set)
 * @param branch the build's branch (recorded; durations are not kept per branch, see the README)
 * @param files file paths to run whole
 * @param examples single tests of files the client split by example
 * @param selectors runner selectors (for example Go packages), planned like files
 */
public record PlanRequest(String runner, String identifier, int parallelism, int maxParallelism,
    double targetTimeSeconds, String branch, List<String> files, List<Example> examples, List<String> selectors) {

  public PlanRequest {
    Objects.requireNonNull(identifier, "identifier");
    files = List.copyOf(files);
    examples = List.copyOf(examples);
    selectors = List.copyOf(selectors);
  }

  /** One test of a split file, as the runner named it. */
  public record Example(String path, String identifier, String scope, String name) {
  }

  /** How many things there are to plan. */
  public int size() {
    return files.size() + examples.size() + selectors.size();
  }
}
