package io.testpulse.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.testpulse.examples.SampleData;
import io.testpulse.examples.TopicSetup;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The end-to-end benchmark harness ({@code bin/testpulse bench [--quick] [--json FILE]}). On one
 * broker in a JVM of its own and one preloaded data set it measures, each in a child JVM of its own:
 * the full testpulse topology (at_least_once and exactly_once_v2) from offset 0 until its consumer
 * group has committed the whole input; the ceilings (a raw consumer that reads and deserializes the
 * input, an idempotent producer writing as many records as the topology writes, a Kafka Streams
 * pass-through); the Flink peer; query latency idle and under ingest at half the measured
 * throughput; memory, state size and changelog restore. Every figure and every ratio goes to the
 * JSON file; nothing is asserted.
 */
public final class Bench {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String PREFIX = "bench";
  private static final String READ_TOKEN = "bench-read-token";
  private static final int ALOS_COMMIT_INTERVAL_MS = 1000;
  private static final String PASSTHROUGH_INPUT = "bench.passthrough-in.v1";

  private final Options options;
  private final PrintStream out;
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private String bootstrap;
  private long brokerPid = -1;

  private Bench(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Command-line options; {@code --quick} picks a small data set and short query phases. */
  record Options(boolean quick, boolean topologyOnly, Path json, int tests, int commits, double flakyShare, int tagCardinality,
                 double duplicateShare, int partitions, int threads, int querySeconds, boolean flink,
                 Path workDir, Path jfr, String classpath, String flinkClasspath, long passthroughMinRecords) {

    static Options parse(List<String> args) {
      boolean quick = args.contains("--quick");
      String json = value(args, "--json", null);
      Path work = Path.of(value(args, "--work-dir", System.getProperty("java.io.tmpdir")));
      String jfr = value(args, "--jfr", null);
      return new Options(quick, args.contains("--topology-only"), json == null ? null : Path.of(json),
          Integer.parseInt(value(args, "--tests", quick ? "1000" : "100000")),
          Integer.parseInt(value(args, "--commits", quick ? "8" : "48")),
          Double.parseDouble(value(args, "--flaky-share", "0.05")),
          Integer.parseInt(value(args, "--tag-cardinality", "16")),
          Double.parseDouble(value(args, "--duplicate-share", "0.02")),
          Integer.parseInt(value(args, "--partitions", "6")),
          Integer.parseInt(value(args, "--threads", "2")),
          Integer.parseInt(value(args, "--query-seconds", quick ? "4" : "60")),
          !args.contains("--no-flink"), work, jfr == null ? null : Path.of(jfr),
          value(args, "--classpath", System.getProperty("java.class.path")),
          value(args, "--flink-classpath", System.getProperty("testpulse.bench.flink.classpath", defaultFlinkClasspath())),
          // the pass-through's input: the benchmark's input copied until it has at least this many
          // records, so that its steady state lasts (~4 s in quick mode, ~40 s at 50K records/s)
          Long.parseLong(value(args, "--passthrough-min-records", quick ? "200000" : "2000000")));
    }

    private static String value(List<String> args, String name, String fallback) {
      int i = args.indexOf(name);
      return i < 0 || i + 1 >= args.size() ? fallback : args.get(i + 1);
    }

    private static String defaultFlinkClasspath() {
      Path dir = Path.of("").toAbsolutePath();
      while (dir != null && !Files.isDirectory(dir.resolve("benchmarks-flink"))) {
        dir = dir.getParent();
      }
      Path module = (dir == null ? Path.of("benchmarks-flink") : dir.resolve("benchmarks-flink")).resolve("target");
      return module.resolve("classes") + java.io.File.pathSeparator + module.resolve("lib") + "/*";
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> list = List.of(args);
    if (!list.isEmpty() && list.get(0).equals("jmh")) {
      // bin/testpulse bench jmh [JMH options]: the micro-benchmarks (io.testpulse.benchmarks.jmh).
      org.openjdk.jmh.Main.main(list.subList(1, list.size()).toArray(String[]::new));
      return;
    }
    if (list.contains("--help") || list.contains("-h")) {
      System.out.println("""
          usage: testpulse bench [--quick] [--json FILE] [--tests N] [--commits N] [--flaky-share X]
                                 [--tag-cardinality N] [--duplicate-share X] [--partitions N] [--threads N]
                                 [--query-seconds N] [--no-flink] [--work-dir DIR] [--jfr FILE]
                                 [--passthrough-min-records N]
                                 [--topology-only]   (only the two topology runs: for profiling and A/B runs)
                 testpulse bench jmh [JMH options, e.g. Serde -f 1 -wi 2 -i 3]
          """);
      return;
    }
    // Ctrl-C or a kill of the harness ends its child JVMs (broker, processing, load) too.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroy), "bench-children-stop"));
    Map<String, Object> result = run(Options.parse(list), System.out);
    System.exit(result.containsKey("error") ? 1 : 0);
  }

  /** Runs the whole benchmark and returns every figure (also written to {@code --json FILE}). */
  public static Map<String, Object> run(Options options, PrintStream out) throws Exception {
    return new Bench(options, out).run();
  }

  private Map<String, Object> run() throws Exception {
    Path work = Files.createTempDirectory(options.workDir(), "testpulse-bench-");
    Path logs = Files.createDirectories(work.resolve("logs"));
    long benchStart = System.nanoTime();
    Workload workload = new Workload(options.tests(), options.commits(), options.flakyShare(),
        options.tagCardinality(), options.duplicateShare(), Instant.now());
    figures.put("machine_cores", Runtime.getRuntime().availableProcessors());
    figures.put("machine_memory_bytes", totalMemory());
    figures.put("date", Instant.now().toString());
    figures.put("mode", options.quick() ? "quick" : options.tests() == 100_000 && options.commits() == 48 ? "full" : "custom");
    figures.put("workload_tests", options.tests());
    figures.put("workload_commits", options.commits());
    figures.put("workload_flaky_share", options.flakyShare());
    figures.put("workload_tag_cardinality", options.tagCardinality());
    figures.put("workload_duplicate_share", options.duplicateShare());
    figures.put("partitions", options.partitions());
    figures.put("stream_threads", options.threads());
    figures.put("alos_commit_interval_ms", ALOS_COMMIT_INTERVAL_MS);
    figures.put("eos_commit_interval_ms", 100);
    out.printf("testpulse bench (%s): work dir %s%n", options.quick() ? "quick" : "full", work);

    try (Broker broker = Broker.start(Files.createDirectories(work.resolve("broker")), options.classpath(), logs,
        options.partitions()); Offsets offsets = new Offsets(broker.bootstrapServers())) {
      bootstrap = broker.bootstrapServers();
      brokerPid = broker.pid();
      TestpulseConfig config = new TestpulseConfig(Map.of("bootstrap.servers", bootstrap,
          TestpulseConfig.TOPIC_PREFIX_CONFIG, PREFIX,
          TestpulseConfig.TOPIC_PARTITIONS_CONFIG, Integer.toString(options.partitions())));
      String input = config.topics().executions().name();
      TopicSetup.createMissing(bootstrap, config);
      List<NewTopic> extra = Stream.of(PASSTHROUGH_INPUT, "bench.passthrough.v1", "bench.producer-ceiling.v1",
              "bench.flink-stats.v1",
              "bench.flink-enriched.v1", "bench.flink-buckets.v1")
          .map(t -> new NewTopic(t, options.partitions(), (short) 1)).toList();
      offsets.admin().createTopics(extra).all().get(30, TimeUnit.SECONDS);
      offsets.awaitLeaders(Duration.ofMinutes(1));

      // 1. Preload the input.
      out.println("preloading the input topic ...");
      // The history ends now: lookups' recent percentiles (relative to the wall clock) find its buckets.
      workload = workload.endingAt(Instant.now());
      figures.put("workload_newest_event_time", workload.newest().toString());
      figures.put("workload_span_days", Workload.SPAN.toDays());
      long t0 = System.nanoTime();
      long events = workload.produce(bootstrap, config.topics().executions(), 1L, "", 0, null);
      double preload = (System.nanoTime() - t0) / 1e9;
      figures.put("input_events", events);
      figures.put("preload_s", preload);
      figures.put("preload_events_per_s", events / preload);
      out.printf("  %,d executions over %,d tests in %.1f s%n", events, options.tests(), preload);

      // 2. Ceilings: raw consumer.
      if (!options.topologyOnly()) {
        runCeiling("consumer", logs, broker, List.of("consumer", bootstrap, input));
      }

      // 3. The topology, at_least_once: also counts what the topology writes.
      runTopology("alos", "at_least_once", work, logs, broker, offsets, events, input);
      // As in runs 1 to 8: at_least_once writes no markers, so this is data records only; the
      // producer ceiling writes as many. Per topic: where the write amplification comes from.
      long written = (long) figures.get("alos_records_written");
      figures.put("topology_records_written", written);
      figures.put("topology_records_written_per_event", (double) written / events);
      figures.put("topology_records_written_by_topic", figures.get("alos_records_written_by_topic"));
      stopCurrent();

      // 4. The topology, exactly_once_v2, with queries, memory and restore.
      if (options.topologyOnly()) {
        runTopology("eos", "exactly_once_v2", work, logs, broker, offsets, events, input);
        stopCurrent();
      } else {
        eosPhase(work, logs, broker, offsets, config, workload, events);

        // 5. Ceilings: idempotent producer writing as many records as the topology wrote.
        runCeiling("producer", logs, broker, List.of("producer", bootstrap, input, "bench.producer-ceiling.v1",
            Long.toString(Math.max(1, written))));

        // The query phase appended live executions to the input: later phases read all of it.
        long inputNow = offsets.total(input);
        figures.put("input_events_after_query_phase", inputNow);

        // 6. Ceilings: a Kafka Streams pass-through, exactly_once_v2.
        runPassThrough(work, logs, broker, offsets, input, inputNow);

        // 7. The Flink peer.
        if (options.flink()) {
          runFlink(work, logs, broker, offsets, inputNow, input);
        }
        ratios();
      }
    } catch (Exception e) {
      figures.put("error", e.toString());
      out.println("benchmark failed: " + e + " (child logs in " + logs + ")");
      e.printStackTrace(out);
    } finally {
      figures.put("logs", logs.toString());
      figures.put("bench_wall_s", (System.nanoTime() - benchStart) / 1e9);
      if (options.json() != null) {
        Path parent = options.json().toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        JSON.writeValue(options.json().toFile(), figures);
        out.println("figures written to " + options.json());
      }
      deleteQuietly(work.resolve("broker"));
      deleteQuietly(work.resolve("state"));
      deleteQuietly(work.resolve("flink"));
    }
    summary();
    return figures;
  }

  private void runCeiling(String name, Path logs, Broker broker, List<String> args) throws Exception {
    out.printf("ceiling: %s ...%n", name);
    loadAverage(name, "before");
    double brokerCpu0 = broker.cpuSeconds();
    try (ChildJvm jvm = ChildJvm.start(name, options.classpath(), List.of("-Xmx1g"), Ceilings.class.getName(),
        args, logs)) {
      JsonNode r = jvm.await("RESULT", Duration.ofMinutes(30));
      double records = r.get("records").asDouble();
      figures.put(name + "_records", (long) records);
      figures.put(name + "_wall_s", r.get("wall_s").asDouble());
      figures.put(name + "_records_per_s", records / r.get("wall_s").asDouble());
      figures.put(name + "_records_per_cpu_s", records / r.get("cpu_s").asDouble());
      figures.put(name + "_broker_cpu_s", broker.cpuSeconds() - brokerCpu0);
      out.printf("  %,.0f records/s%n", records / r.get("wall_s").asDouble());
      loadAverage(name, "after");
    }
  }

  private List<String> jvmArgs(String name, boolean profile) {
    List<String> args = new ArrayList<>(List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC"));
    if (profile && options.jfr() != null) {
      args.add("-XX:+FlightRecorder");
      args.add("-XX:StartFlightRecording=filename=" + options.jfr().toAbsolutePath() + ",settings=profile,dumponexit=true");
    }
    return args;
  }

  /** Starts a processing child and waits for its RESULT; the child keeps running (call stop). */
  private ChildJvm startProcessing(String name, String mode, String guarantee, String app, Path state, Path logs,
                                   String input, String output, boolean profile) throws IOException {
    // at_least_once commits every 30 s by default, exactly_once_v2 every 100 ms: "until every output
    // is committed" would measure the 30 s timer, so at_least_once commits every second here.
    List<String> args = new ArrayList<>(List.of("mode=" + mode, "guarantee=" + guarantee, "bootstrap=" + bootstrap,
        "app=" + app, "state=" + state, "threads=" + options.threads(), "prefix=" + PREFIX, "instance=" + app + "-node-1",
        "auth=" + TokenAuthenticator.configEntry(Workload.TENANT, Role.READ, READ_TOKEN),
        "caughtup.seconds=" + (options.quick() ? 30 : 300), "broker.pid=" + brokerPid));
    if (input != null) {
      args.add("input=" + input);
    }
    if (output != null) {
      args.add("output=" + output);
    }
    if ("at_least_once".equals(guarantee)) {
      args.add("commit=" + ALOS_COMMIT_INTERVAL_MS);
    }
    return ChildJvm.start(name, options.classpath(), jvmArgs(name, profile), ProcessingNode.class.getName(), args, logs);
  }

  private JsonNode runTopology(String name, String guarantee, Path work, Path logs, Broker broker, Offsets offsets,
                               long events, String input) throws Exception {
    out.printf("topology, %s ...%n", guarantee);
    loadAverage(name, "before");
    double brokerCpu0 = broker.cpuSeconds();
    Map<String, Long> before = offsets.endsByTopic();
    ChildJvm jvm = startProcessing("topology-" + name, "topology", guarantee, "bench-" + name,
        work.resolve("state").resolve(name), logs, null, null, "eos".equals(name));
    current = jvm;
    JsonNode r = jvm.await("RESULT", Duration.ofHours(2));
    figures.put(name + "_broker_cpu_s", broker.cpuSeconds() - brokerCpu0);
    double rate = PhaseFigures.rates(figures, name, "events", "event", events, r);
    Map<String, Long> sent = longs(r.get("sent_by_topic"));
    Map<String, Long> after = longs(r.get("ends_by_topic"));
    figures.put(name + "_writes_snapshot_stable", r.get("writes_snapshot_stable").asBoolean());
    PhaseFigures.written(figures, name, "event", events,
        Written.of(before, after, t -> !t.equals(input) && !t.startsWith("__"), sent),
        Written.of(before, after, t -> t.startsWith("__"), sent));
    out.printf("  %,.0f events/s after %.1f s of start-up (%,.0f over the whole span); per event: %.0f us CPU"
            + " processing + %.0f us broker, %.2f records written (%.2f markers)%n", rate,
        num(name + "_startup_s"), num(name + "_whole_span_events_per_s"), num(name + "_cpu_us_per_event"),
        num(name + "_broker_cpu_us_per_event"), num(name + "_records_written_per_event"),
        num(name + "_markers_written_per_event"));
    loadAverage(name, "after");
    return r;
  }

  private static Map<String, Long> longs(JsonNode object) {
    Map<String, Long> map = new java.util.TreeMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asLong()));
    return map;
  }

  /** The processing child that is running, if any. */
  private ChildJvm current;

  private void stopCurrent() throws Exception {
    if (current != null) {
      current.send("stop");
      try {
        current.await("STOPPED", Duration.ofMinutes(2));
      } catch (Exception e) {
        out.println("  (processing JVM did not stop cleanly: " + e.getMessage() + ")");
      }
      current.close();
      current = null;
    }
  }

  private void eosPhase(Path work, Path logs, Broker broker, Offsets offsets, TestpulseConfig config,
                        Workload workload, long events) throws Exception {
    JsonNode eos = runTopology("eos", "exactly_once_v2", work, logs, broker, offsets, events,
        config.topics().executions().name());
    ChildJvm node = current;
    String base = "http://localhost:" + eos.get("http_port").asInt();

    current.send("stats");
    JsonNode stats = current.await("STATS", Duration.ofMinutes(2));
    figures.put("eos_heap_used_after_gc_bytes", stats.get("heap_used_after_gc_bytes").asLong());
    figures.put("eos_heap_committed_bytes", stats.get("heap_committed_bytes").asLong());
    figures.put("eos_rss_bytes", stats.get("rss_bytes").asLong());
    figures.put("eos_rss_peak_bytes", stats.get("rss_peak_bytes").asLong());
    long stateDirBytes = stats.get("state_dir_bytes").asLong();
    figures.put("rocksdb_bytes", stateDirBytes);
    figures.put("rocksdb_bytes_per_test", (double) stateDirBytes / options.tests());

    // Query latency: idle, then while ingesting at half the measured exactly-once throughput.
    SampleData data = workload.data(1L);
    Path ids = work.resolve("test-ids.txt");
    Files.write(ids, data.tests().stream().map(SampleData.SampleTest::testId).toList());
    List<String> paths = new ArrayList<>(List.of("/api/v1/tests/{id}"));
    String flakyList = "/api/v1/tests?state=flaky&sort=score&limit=50";
    int flakyListStatus = status(base + flakyList);
    boolean hasFlakyList = flakyListStatus == 200;
    figures.put("flaky_list_endpoint_available", hasFlakyList);
    figures.put("flaky_list_probe_status", flakyListStatus);
    probeRecentDurations(base, data.tests().stream().map(SampleData.SampleTest::testId).limit(20).toList());
    if (hasFlakyList) {
      paths.add(flakyList);
    }
    int maxRequests = options.quick() ? 1_000 : 200_000;
    out.println("query latency, idle ...");
    JsonNode idle = runLoad("load-idle", base, ids, paths, maxRequests, logs);
    record(idle, paths, "idle");

    double rate = ((Number) figures.get("eos_events_per_s")).doubleValue() / 2;
    figures.put("ingest_rate_under_load_events_per_s", rate);
    out.printf("query latency while ingesting at %,.0f events/s ...%n", rate);
    // live executions happen now, as the preloaded history's newest did at preload time
    CompletableFuture<Long> ingest = CompletableFuture.supplyAsync(() -> workload.endingAt(Instant.now()).produce(bootstrap,
        config.topics().executions(), 2L, "live-", rate, Duration.ofSeconds(options.querySeconds() + 5)));
    JsonNode loaded = runLoad("load-ingest", base, ids, paths, maxRequests, logs);
    long ingested = ingest.get(30, TimeUnit.MINUTES);
    record(loaded, paths, "under_load");
    figures.put("ingested_under_load_events", ingested);
    node.send("caughtup");
    JsonNode caught = node.await("CAUGHTUP", Duration.ofHours(1));
    boolean stalled = !caught.get("caught_up").asBoolean();
    figures.put("eos_stalled_under_query_load", stalled);
    figures.put("eos_deadlocked_threads", caught.get("deadlocked_threads").asInt());
    figures.put("eos_catch_up_after_load_s", caught.get("wall_s").asDouble());

    node.send("stats");
    stats = node.await("STATS", Duration.ofMinutes(2));
    figures.put("eos_rss_peak_bytes", stats.get("rss_peak_bytes").asLong());
    if (stalled) {
      // Reported, not hidden: the figures say so and the console says why; the run goes on.
      out.printf("  WARNING: processing stalled while serving lookups (lag %d, %d deadlocked threads; see %s)%n",
          caught.get("lag").asLong(), caught.get("deadlocked_threads").asInt(), logs.resolve("topology-eos.log"));
      node.close();
      current = null;
    } else {
      stopCurrent();
    }

    StateBytes.Size size = StateBytes.of(bootstrap, offsets, "bench-eos");
    figures.put("state_serialized_bytes", size.bytes());
    figures.put("state_serialized_bytes_per_test", (double) size.bytes() / options.tests());
    figures.put("state_keys", size.keys());
    figures.put("state_changelogs", size.changelogs());

    // Restore: wipe the state directory, restart with the same static member id.
    out.println("restore from the changelogs after wiping the state directory ...");
    loadAverage("restore", "before");
    Path state = work.resolve("state").resolve("eos");
    deleteQuietly(state);
    ChildJvm restore = startProcessing("topology-restore", "topology", "exactly_once_v2", "bench-eos", state, logs,
        null, null, false);
    current = restore;
    JsonNode r = restore.await("RESULT", Duration.ofHours(1));
    long restored = r.get("restored_records").asLong();
    double restoreSeconds = r.get("restore_s").asDouble();
    figures.put("restore_records", restored);
    figures.put("restore_s", restoreSeconds);
    figures.put("restore_records_per_s", restoreSeconds > 0 ? restored / restoreSeconds : 0);
    figures.put("restart_to_running_s", r.get("to_running_s").asDouble());
    loadAverage("restore", "after");
    out.printf("  %,d records restored in %.1f s; RUNNING after %.1f s%n", restored, restoreSeconds,
        r.get("to_running_s").asDouble());
    stopCurrent();
  }

  private void record(JsonNode load, List<String> paths, String when) {
    String[] names = {"lookup", "flaky_list"};
    for (int i = 0; i < paths.size(); i++) {
      JsonNode f = load.get(paths.get(i));
      for (String q : List.of("p50_ms", "p99_ms", "p999_ms", "max_ms")) {
        figures.put(names[i] + "_" + q.replace("_ms", "") + "_ms_" + when, f.get(q).asDouble());
      }
      figures.put(names[i] + "_requests_" + when, f.get("requests").asLong());
      figures.put(names[i] + "_non_200_" + when, f.get("non_200").asLong());
      out.printf("  %s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms over %,d requests (%d not 200)%n", names[i],
          f.get("p50_ms").asDouble(), f.get("p99_ms").asDouble(), f.get("p999_ms").asDouble(),
          f.get("requests").asLong(), f.get("non_200").asLong());
    }
  }

  private JsonNode runLoad(String name, String base, Path ids, List<String> paths, int maxRequests, Path logs)
      throws Exception {
    loadAverage(name, "before");
    List<String> args = new ArrayList<>(List.of(base, READ_TOKEN, ids.toString(),
        Integer.toString(options.querySeconds() / paths.size()), Integer.toString(maxRequests)));
    args.addAll(paths);
    try (ChildJvm jvm = ChildJvm.start(name, options.classpath(), List.of("-Xmx256m"), LoadGenerator.class.getName(),
        args, logs)) {
      JsonNode result = jvm.await("RESULT", Duration.ofSeconds(options.querySeconds() + 120));
      loadAverage(name, "after");
      return result;
    }
  }

  /**
   * Whether lookups' {@code recent_durations} (the last 7 days before now) merge real buckets, which
   * they do only because the workload ends at the preload: over the first test ids, how many answer
   * with buckets, and how many buckets on average.
   */
  private void probeRecentDurations(String base, List<String> ids) {
    HttpClient client = HttpClient.newHttpClient();
    int probed = 0;
    int withBuckets = 0;
    long buckets = 0;
    for (String id : ids) {
      try {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/tests/" + id))
            .header("Authorization", "Bearer " + READ_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          continue;
        }
        probed++;
        int n = recentBuckets(JSON.readTree(response.body()));
        withBuckets += n > 0 ? 1 : 0;
        buckets += n;
      } catch (IOException e) {
        out.println("  (recent_durations probe: " + e.getMessage() + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    figures.put("lookup_recent_durations_probed", probed);
    figures.put("lookup_recent_durations_with_buckets", withBuckets);
    figures.put("lookup_recent_durations_mean_buckets", withBuckets == 0 ? 0.0 : (double) buckets / withBuckets);
    out.printf("  recent_durations: %d of %d lookups merge buckets (%.1f on average)%n", withBuckets, probed,
        withBuckets == 0 ? 0.0 : (double) buckets / withBuckets);
  }

  /** Buckets merged in a lookup's {@code recent_durations}; 0 when it is null or missing. */
  static int recentBuckets(JsonNode lookup) {
    JsonNode recent = lookup.path("recent_durations");
    return recent.isObject() ? recent.path("buckets").asInt(0) : 0;
  }

  private static int status(String url) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
          .header("Authorization", "Bearer " + READ_TOKEN).GET().build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * A Kafka Streams pass-through (exactly_once_v2) on a copy of the input, repeated until it has at
   * least {@code --passthrough-min-records}: on the topology's input alone it would last seconds,
   * mostly start-up, and not be a ceiling.
   */
  private void runPassThrough(Path work, Path logs, Broker broker, Offsets offsets, String input, long inputNow)
      throws Exception {
    out.println("ceiling: Kafka Streams pass-through, exactly_once_v2 ...");
    long t0 = System.nanoTime();
    long records = TopicCopy.copy(bootstrap, input, PASSTHROUGH_INPUT, Math.max(inputNow, options.passthroughMinRecords()));
    figures.put("passthrough_input_copy_s", (System.nanoTime() - t0) / 1e9);
    loadAverage("passthrough", "before");
    double brokerCpu0 = broker.cpuSeconds();
    Map<String, Long> before = offsets.endsByTopic();
    current = startProcessing("passthrough", "passthrough", "exactly_once_v2", "bench-passthrough",
        work.resolve("state").resolve("passthrough"), logs, PASSTHROUGH_INPUT, "bench.passthrough.v1", false);
    JsonNode r = current.await("RESULT", Duration.ofHours(1));
    figures.put("passthrough_records", records);
    figures.put("passthrough_broker_cpu_s", broker.cpuSeconds() - brokerCpu0);
    double rate = PhaseFigures.rates(figures, "passthrough", "records", "record", records, r);
    Map<String, Long> sent = longs(r.get("sent_by_topic"));
    Map<String, Long> after = longs(r.get("ends_by_topic"));
    figures.put("passthrough_writes_snapshot_stable", r.get("writes_snapshot_stable").asBoolean());
    PhaseFigures.written(figures, "passthrough", "record", records,
        Written.of(before, after, "bench.passthrough.v1"::equals, sent),
        Written.of(before, after, t -> t.startsWith("__"), sent));
    loadAverage("passthrough", "after");
    out.printf("  %,d records: %,.0f records/s after %.1f s of start-up; per record: %.0f us CPU processing + %.0f us"
            + " broker, %.2f markers%n", records, rate, num("passthrough_startup_s"),
        num("passthrough_cpu_us_per_record"), num("passthrough_broker_cpu_us_per_record"),
        num("passthrough_markers_written_per_record"));
    stopCurrent();
  }

  private void runFlink(Path work, Path logs, Broker broker, Offsets offsets, long events, String input)
      throws Exception {
    out.println("peer: Flink job (MiniCluster, RocksDB, exactly-once) ...");
    loadAverage("flink", "before");
    double brokerCpu0 = broker.cpuSeconds();
    List<String> outputs = List.of("bench.flink-stats.v1", "bench.flink-enriched.v1", "bench.flink-buckets.v1");
    long outBefore = 0;
    for (String topic : outputs) {
      outBefore += offsets.total(topic);
    }
    List<String> jvmArgs = new ArrayList<>(List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC"));
    jvmArgs.addAll(FLINK_JAVA17_OPENS);
    long checkpointMillis = 1000;
    try (ChildJvm jvm = ChildJvm.start("flink", options.flinkClasspath(), jvmArgs,
        "io.testpulse.benchmarks.flink.FlinkPeerJob", List.of(bootstrap, input, "bench.flink-stats.v1",
            Files.createDirectories(work.resolve("flink")).toString(), Integer.toString(options.threads()),
            Long.toString(checkpointMillis), outputs.get(1), outputs.get(2)), logs)) {
      JsonNode r = jvm.await("RESULT", Duration.ofHours(2));
      double wall = r.get("wall_s").asDouble();
      figures.put("flink_events", events);
      figures.put("flink_events_per_s", events / wall);
      figures.put("flink_events_per_cpu_s", events / r.get("cpu_s").asDouble());
      figures.put("flink_wall_s", wall);
      figures.put("flink_cpu_s", r.get("cpu_s").asDouble());
      figures.put("flink_parallelism", options.threads());
      figures.put("flink_checkpoint_interval_ms", checkpointMillis);
      long outAfter = 0;
      for (String topic : outputs) {
        outAfter += offsets.total(topic);
      }
      // Includes transaction markers (exactly-once sink), as the topology's EOS figures would.
      figures.put("flink_records_written", outAfter - outBefore);
      figures.put("flink_records_written_per_event", (double) (outAfter - outBefore) / events);
      figures.put("flink_broker_cpu_s", broker.cpuSeconds() - brokerCpu0);
      // over the whole span: the Flink peer reports no start-up mark (its wall and CPU cover env.execute)
      figures.put("flink_cpu_us_per_event", r.get("cpu_s").asDouble() * 1e6 / events);
      figures.put("flink_broker_cpu_us_per_event", num("flink_broker_cpu_s") * 1e6 / events);
      loadAverage("flink", "after");
      out.printf("  %,.0f events/s, %,.0f events per CPU-second; per event: %.0f us CPU + %.0f us broker (whole span)%n",
          events / wall, events / r.get("cpu_s").asDouble(), num("flink_cpu_us_per_event"),
          num("flink_broker_cpu_us_per_event"));
    }
  }

  private static final List<String> FLINK_JAVA17_OPENS = List.of(
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private void ratios() {
    double eos = num("eos_events_per_s");
    figures.put("ratio_vs_consumer", eos / num("consumer_records_per_s"));
    // The producer wrote as many records as the topology writes: the share of that time the topology needs.
    // the topology's time for the whole input at its steady rate
    figures.put("ratio_vs_producer", num("producer_wall_s") / (num("input_events") / eos));
    figures.put("ratio_vs_passthrough", eos / num("passthrough_records_per_s"));
    figures.put("ratio_alos_vs_consumer", num("alos_events_per_s") / num("consumer_records_per_s"));
    figures.put("ratio_alos_vs_producer", num("producer_wall_s") / (num("input_events") / num("alos_events_per_s")));
    if (figures.containsKey("flink_events_per_s")) {
      // Like for like: the Flink peer's figures cover its whole env.execute, start-up included, so
      // these compare it with the topology's whole span, not with its steady state.
      figures.put("ratio_vs_flink", num("eos_whole_span_events_per_s") / num("flink_events_per_s"));
      figures.put("ratio_vs_flink_per_cpu_s", num("eos_whole_span_events_per_cpu_s") / num("flink_events_per_cpu_s"));
    }
    figures.put("lookup_p99_ms_under_load", figures.get("lookup_p99_ms_under_load"));
    figures.put("lookup_p99_ms_idle", figures.get("lookup_p99_ms_idle"));
    figures.put("eos_events_per_s", figures.get("eos_events_per_s"));
    figures.put("alos_events_per_s", figures.get("alos_events_per_s"));
  }

  /**
   * The machine's 1-minute load average before and after a phase: the cores are shared with other
   * work, and a figure measured under a load of 30 is not comparable with one measured at 2.
   */
  private void loadAverage(String phase, String when) {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      figures.put("loadavg_1m_" + phase.replace('-', '_') + "_" + when, Double.parseDouble(fields[0]));
    } catch (IOException | RuntimeException e) {
      figures.put("loadavg_1m_" + phase.replace('-', '_') + "_" + when, -1.0); // not Linux: unknown
    }
  }

  private double num(String key) {
    Object v = figures.get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private void summary() {
    out.println();
    out.println("steady state (from the first committed input offset to lag 0; start-up apart):");
    for (String[] phase : new String[][] {{"eos", "exactly_once_v2", "events", "event"},
        {"alos", "at_least_once", "events", "event"}, {"passthrough", "pass-through", "records", "record"}}) {
      String p = phase[0];
      if (!figures.containsKey(p + "_" + phase[2] + "_per_s")) {
        continue;
      }
      out.printf("  %-16s %,10.0f %s/s (whole span %,.0f; start-up %.1f s, steady %.1f s%s)%n", phase[1],
          num(p + "_" + phase[2] + "_per_s"), phase[2], num(p + "_whole_span_" + phase[2] + "_per_s"),
          num(p + "_startup_s"), num(p + "_steady_s"),
          Boolean.TRUE.equals(figures.get(p + "_steady_state_measured")) ? "" : ", TOO SHORT: whole span used");
      out.printf("  %-16s %10.0f us CPU per %s: processing %.0f + broker %.0f (cores busy %.2f + %.2f)%n", "",
          num(p + "_total_cpu_us_per_" + phase[3]), phase[3], num(p + "_cpu_us_per_" + phase[3]),
          num(p + "_broker_cpu_us_per_" + phase[3]), num(p + "_steady_cores_processing"),
          num(p + "_steady_cores_broker"));
      out.printf("  %-16s %10.2f records written per %s: %.2f data + %.2f transaction markers"
              + " (+ %.2f to __consumer_offsets/__transaction_state)%n", "",
          num(p + "_records_written_per_" + phase[3]), phase[3], num(p + "_data_records_written_per_" + phase[3]),
          num(p + "_markers_written_per_" + phase[3]), num(p + "_internal_records_written_per_" + phase[3]));
    }
    out.println();
    out.println("figures:");
    figures.forEach((k, v) -> out.printf("  %-44s %s%n", k, v instanceof Double d ? String.format("%,.3f", d) : v));
  }

  private static long totalMemory() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize();
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary folder
    }
  }
}
