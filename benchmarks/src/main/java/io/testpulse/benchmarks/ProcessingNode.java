package io.testpulse.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.testpulse.interactive.DurationQueries;
import io.testpulse.interactive.DurationQueriesSource;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.http.TestpulsePlugin;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The processing JVM of the benchmark (a child of the harness): either the full testpulse topology
 * with its HTTP API ({@code topology}), or a Kafka Streams pass-through ({@code passthrough}).
 * It starts Kafka Streams, waits until its consumer group has committed the whole input (lag 0),
 * prints {@code RESULT {json}} (wall and CPU time from start, start-up to the first committed input
 * offset, the steady state from there to lag 0 with this JVM's and the broker's CPU time, time to
 * RUNNING, restored records, data records its producers sent per topic),
 * then obeys commands on standard input: {@code stats} (memory, state-directory size),
 * {@code caughtup} (wait for lag 0 again), {@code stop}.
 *
 * <p>Arguments are {@code key=value}: mode, guarantee, bootstrap, app, state, threads, prefix,
 * instance, auth, output (pass-through only), commit (commit.interval.ms, optional), input (the
 * input topic, when not the prefix's executions topic), broker.pid (to read the broker's CPU time).
 */
public final class ProcessingNode {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ProcessingNode() {
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    String bootstrap = a.get("bootstrap");
    String app = a.get("app");
    Path stateDir = Path.of(a.get("state"));
    long caughtUpSeconds = Long.parseLong(a.getOrDefault("caughtup.seconds", "300"));

    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, a.get("guarantee"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, a.getOrDefault("threads", "1"));
    if (a.containsKey("commit")) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, a.get("commit"));
    }
    // Static membership: a restarted node rejoins as the same member instead of waiting out the session timeout.
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), a.get("instance"));
    props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, a.get("prefix"));
    props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, a.getOrDefault("auth", ""));
    TestpulseConfig config = new TestpulseConfig(props);
    Properties streamsProps = config.streamsProperties();
    // The pass-through reads a topic of its own (a longer copy of the input: Bench.runPassThrough).
    String input = a.getOrDefault("input", config.topics().executions().name());
    long brokerPid = Long.parseLong(a.getOrDefault("broker.pid", "-1"));

    boolean topologyMode = "topology".equals(a.get("mode"));
    Javalin http = null;
    KafkaStreams streams;
    if (topologyMode) {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      streamsProps.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + port);
      streams = new KafkaStreams(TestpulseTopology.create(config).build(), streamsProps);
      // The routing must know the topics: lists fan out over the input topic's partitions, and the
      // benchmark's prefix is not the default one.
      TestpulseQueries queries = new TestpulseQueries(streams, HostInfo.buildFromEndpoint("localhost:" + port),
          TestpulseQueries.Routing.defaults().withTopics(config.topics()));
      TokenAuthenticator auth = TokenAuthenticator.fromConfig(config.getList(TestpulseConfig.AUTH_TOKENS_CONFIG));
      http = Javalin.create(javalin -> {
        javalin.startup.showJavalinBanner = false;
        javalin.registerPlugin(new TestpulsePlugin(tp -> {
          tp.queries = queries;
          tp.authenticator = auth;
          // as the app wires it: a lookup also answers the test's recent percentiles (main e8a3825)
          tp.durations = new DurationQueriesSource(new DurationQueries(streams,
              HostInfo.buildFromEndpoint("localhost:" + port), config.durationOptions()));
        }));
      });
      http.start("localhost", port);
    } else {
      streams = new KafkaStreams(passThrough(input, a.get("output")), streamsProps);
    }

    AtomicLong restored = new AtomicLong();
    AtomicLong restoreStart = new AtomicLong();
    AtomicLong restoreEnd = new AtomicLong();
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
        restoreStart.compareAndSet(0, System.nanoTime());
      }

      @Override
      public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long numRestored) {
        restored.addAndGet(numRestored);
      }

      @Override
      public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
        restoreEnd.set(System.nanoTime());
      }
    });
    AtomicLong runningAt = new AtomicLong();
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        runningAt.compareAndSet(0, System.nanoTime());
      }
    });

    long cpu0 = SelfMeasure.cpuNanos();
    Mark start = Mark.now(0, brokerPid);
    long t0 = start.nanos();
    streams.start();
    try (Offsets offsets = new Offsets(bootstrap)) {
      Mark[] firstCommit = new Mark[1];
      Offsets.Progress caughtUp = awaitCaughtUp(offsets, app, input, streams, Duration.ofDays(1), progress -> {
        if (firstCommit[0] == null && progress.committedInput() > 0) {
          firstCommit[0] = Mark.now(progress.committedInput(), brokerPid);
        }
      });
      Mark end = Mark.now(caughtUp.committedInput(), brokerPid);
      Mark steadyFrom = firstCommit[0] == null ? start : firstCommit[0];
      Map<String, Object> result = new LinkedHashMap<>();
      // the whole span: from KafkaStreams.start() to lag 0 (what runs 1 to 8 called wall_s and cpu_s)
      result.put("wall_s", (end.nanos() - t0) / 1e9);
      result.put("cpu_s", (end.cpuNanos() - start.cpuNanos()) / 1e9);
      result.put("broker_cpu_s", Mark.seconds(start.brokerCpuNanos(), end.brokerCpuNanos()));
      // start-up: start() to the first committed input offset (JVM warm-up, group join, store opening,
      // the first poll and commit), then the steady state from that commit to lag 0
      result.put("startup_s", (steadyFrom.nanos() - t0) / 1e9);
      result.put("startup_committed_input", steadyFrom.committedInput());
      result.put("steady_input", end.committedInput() - steadyFrom.committedInput());
      result.put("steady_s", (end.nanos() - steadyFrom.nanos()) / 1e9);
      result.put("steady_cpu_s", (end.cpuNanos() - steadyFrom.cpuNanos()) / 1e9);
      result.put("steady_broker_cpu_s", Mark.seconds(steadyFrom.brokerCpuNanos(), end.brokerCpuNanos()));
      result.put("to_running_s", runningAt.get() == 0 ? -1 : (runningAt.get() - t0) / 1e9);
      result.put("restored_records", restored.get());
      result.put("restore_s", restoreStart.get() == 0 ? 0 : Math.max(0, restoreEnd.get() - restoreStart.get()) / 1e9);
      result.put("http_port", http == null ? -1 : http.port());
      // data records the embedded producers sent, per topic (markers are not records of the producer),
      // and the end offsets with them: the harness takes the difference (Written)
      Written.Snapshot writes = Written.Snapshot.take(() -> ProducerCounts.dataRecordsByTopic(streams.metrics()),
          offsets);
      result.put("sent_by_topic", writes.sentByTopic());
      result.put("ends_by_topic", writes.endsByTopic());
      result.put("writes_snapshot_stable", writes.stable());
      System.out.println("RESULT " + JSON.writeValueAsString(result));

      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String command;
      while ((command = commands.readLine()) != null) {
        switch (command.trim()) {
          case "stats" -> {
            Map<String, Object> stats = new LinkedHashMap<>(SelfMeasure.memory());
            stats.put("state_dir_bytes", SelfMeasure.directoryBytes(stateDir.resolve(app)));
            stats.put("cpu_s", (SelfMeasure.cpuNanos() - cpu0) / 1e9);
            System.out.println("STATS " + JSON.writeValueAsString(stats));
          }
          case "caughtup" -> {
            // Bounded: a stream thread that deadlocks with an interactive query never catches up.
            long c0 = SelfMeasure.cpuNanos();
            long w0 = System.nanoTime();
            boolean done = awaitCaughtUp(offsets, app, input, streams, Duration.ofSeconds(caughtUpSeconds), p -> { })
                != null;
            long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
            Map<String, Object> caught = new LinkedHashMap<>();
            caught.put("caught_up", done);
            caught.put("lag", offsets.lag(app, input));
            caught.put("deadlocked_threads", deadlocked == null ? 0 : deadlocked.length);
            caught.put("wall_s", (System.nanoTime() - w0) / 1e9);
            caught.put("cpu_s", (SelfMeasure.cpuNanos() - c0) / 1e9);
            if (deadlocked != null) {
              for (var info : ManagementFactory.getThreadMXBean().getThreadInfo(deadlocked, true, true)) {
                System.err.print("DEADLOCKED " + info);
              }
            }
            System.out.println("CAUGHTUP " + JSON.writeValueAsString(caught));
          }
          case "stop" -> {
            if (http != null) {
              http.stop();
            }
            streams.close(Duration.ofSeconds(60));
            System.out.println("STOPPED {}");
            System.out.flush();
            System.exit(0);
          }
          default -> System.err.println("unknown command: " + command);
        }
      }
    }
    streams.close(Duration.ofSeconds(60));
  }

  /** Polls every 100 ms until lag 0 and RUNNING; returns the progress then, or null after {@code timeout}. */
  private static Offsets.Progress awaitCaughtUp(Offsets offsets, String app, String input, KafkaStreams streams,
                                                Duration timeout, Consumer<Offsets.Progress> onProgress)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException("Kafka Streams stopped: " + streams.state());
      }
      Offsets.Progress progress = offsets.progress(app, input);
      onProgress.accept(progress);
      if (streams.state() == KafkaStreams.State.RUNNING && progress.lag() == 0) {
        return progress;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return null;
  }

  /**
   * One instant of the run: monotonic time, this JVM's CPU time, the broker's CPU time (-1 when
   * unknown) and the input offsets the group had committed.
   */
  private record Mark(long nanos, long cpuNanos, long brokerCpuNanos, long committedInput) {

    static Mark now(long committedInput, long brokerPid) {
      return new Mark(System.nanoTime(), SelfMeasure.cpuNanos(), SelfMeasure.processCpuNanos(brokerPid),
          committedInput);
    }

    static double seconds(long from, long to) {
      return from < 0 || to < 0 ? -1 : (to - from) / 1e9;
    }
  }

  static Topology passThrough(String input, String output) {
    Properties props = new Properties();
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("passthrough-source"))
        .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("passthrough-sink"));
    return builder.build(props);
  }
}
