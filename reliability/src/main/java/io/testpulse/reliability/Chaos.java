package io.testpulse.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The fault-injection harness ({@code bin/testpulse chaos [--quick] [--json FILE] [--scenario NAME]...}):
 * starts a {@link ChildCluster} (a broker and two testpulse instances, each a JVM of its own), runs
 * every registered scenario against it in turn, prints a summary and writes every scenario's figures
 * to {@code --json FILE}. Exit code 1 when a scenario failed.
 */
public final class Chaos {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Chaos() {
  }

  /** Command-line options. */
  public record Options(boolean quick, Path json, List<String> scenarios, Path workDir, String classpath) {

    public static Options parse(List<String> args) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).equals("--scenario") && i + 1 < args.size()) {
          names.add(args.get(i + 1));
        }
      }
      String json = value(args, "--json", null);
      return new Options(args.contains("--quick"), json == null ? null : Path.of(json), List.copyOf(names),
          Path.of(value(args, "--work-dir", System.getProperty("java.io.tmpdir"))),
          value(args, "--classpath", System.getProperty("java.class.path")));
    }

    private static String value(List<String> args, String name, String fallback) {
      int i = args.indexOf(name);
      return i < 0 || i + 1 >= args.size() ? fallback : args.get(i + 1);
    }
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "chaos-logback.xml");
    }
    List<String> list = List.of(args);
    if (list.contains("--help") || list.contains("-h")) {
      System.out.println("usage: testpulse chaos [--quick] [--json FILE] [--scenario NAME]... [--work-dir DIR]");
      System.out.println("scenarios: " + Scenarios.all().stream().map(Scenario::name).toList());
      return;
    }
    // Ctrl-C or a kill of the harness ends its child JVMs (broker, instances) too.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroyForcibly), "chaos-children-stop"));
    Map<String, Object> result = run(Options.parse(list), System.out);
    System.exit(Boolean.TRUE.equals(result.get("passed")) ? 0 : 1);
  }

  /** Runs the selected scenarios and returns the report (also written to {@code --json FILE}). */
  public static Map<String, Object> run(Options options, PrintStream out) throws Exception {
    List<Scenario> selected = Scenarios.all().stream()
        .filter(s -> options.scenarios().isEmpty() || options.scenarios().contains(s.name())).toList();
    List<String> unknown = options.scenarios().stream()
        .filter(n -> Scenarios.all().stream().noneMatch(s -> s.name().equals(n))).toList();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("quick", options.quick());
    report.put("date", Instant.now().toString());
    report.put("machine_cores", Runtime.getRuntime().availableProcessors());
    report.put("load_average_at_start", loadAverage());
    List<Map<String, Object>> scenarios = new ArrayList<>();
    report.put("scenarios", scenarios);
    List<String> errors = new ArrayList<>();
    unknown.forEach(n -> errors.add("unknown scenario " + n));
    Path work = Files.createTempDirectory(options.workDir(), "testpulse-chaos-");
    out.printf("testpulse chaos (%s): %s; work dir %s%n", options.quick() ? "quick" : "full",
        selected.stream().map(Scenario::name).toList(), work);
    long t0 = System.nanoTime();
    if (unknown.isEmpty() && !selected.isEmpty()) {
      try (ChildCluster cluster = ChildCluster.start(options.quick(), work, options.classpath(), out)) {
        for (Scenario scenario : selected) {
          out.printf("scenario %s ...%n", scenario.name());
          long s0 = System.nanoTime();
          ScenarioReport r;
          try {
            r = scenario.run(cluster);
          } catch (Exception e) {
            r = ScenarioReport.of(scenario.name(), 0, 0, 0, Map.of(), List.of("aborted: " + e));
            e.printStackTrace(out);
          }
          Map<String, Object> entry = entry(r, (System.nanoTime() - s0) / 1e9);
          scenarios.add(entry);
          print(out, r, (double) entry.get("wall_s"));
        }
      } catch (Exception e) {
        errors.add("cluster: " + e);
        e.printStackTrace(out);
      }
    } else if (selected.isEmpty()) {
      errors.add("no scenario selected");
    }
    boolean passed = errors.isEmpty() && scenarios.stream().allMatch(s -> Boolean.TRUE.equals(s.get("passed")));
    report.put("passed", passed);
    report.put("errors", errors);
    report.put("wall_s", (System.nanoTime() - t0) / 1e9);
    report.put("load_average_at_end", loadAverage());
    report.put("logs", work.resolve("logs").toString());
    if (options.json() != null) {
      Path parent = options.json().toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      JSON.writeValue(options.json().toFile(), report);
      out.println("figures written to " + options.json());
    }
    out.printf("chaos %s: %d scenario(s), %s in %.0f s (child logs in %s)%n", options.quick() ? "quick" : "full",
        scenarios.size(), passed ? "all passed" : "FAILED", (System.nanoTime() - t0) / 1e9, work.resolve("logs"));
    errors.forEach(e -> out.println("  error: " + e));
    deleteState(work);
    return report;
  }

  private static Map<String, Object> entry(ScenarioReport r, double wallSeconds) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("name", r.name());
    entry.put("passed", r.passed());
    entry.put("lost", r.lost());
    entry.put("duplicated", r.duplicated());
    entry.put("mismatched", r.mismatched());
    entry.put("wall_s", wallSeconds);
    entry.putAll(r.figures());
    entry.put("failures", r.failures());
    return entry;
  }

  private static void print(PrintStream out, ScenarioReport r, double wallSeconds) {
    out.printf("  %s %s: lost %d, duplicated %d, mismatched %d (%.0f s)%n", r.passed() ? "PASS" : "FAIL", r.name(),
        r.lost(), r.duplicated(), r.mismatched(), wallSeconds);
    r.figures().forEach((k, v) -> out.printf("    %s: %s%n", k, v));
    r.failures().forEach(f -> out.println("    failure: " + f));
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Keeps the logs, drops the broker data and the state directories. */
  private static void deleteState(Path work) {
    try (Stream<Path> top = Files.list(work)) {
      for (Path dir : top.filter(p -> !p.getFileName().toString().equals("logs")).toList()) {
        try (Stream<Path> walk = Files.walk(dir)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (java.io.IOException e) {
      System.err.println("could not clean " + work + ": " + e.getMessage());
    }
  }
}
