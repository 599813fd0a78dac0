package io.testpulse.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a JVM of its own, so
 * that its CPU is separate from the processing JVM's and visible: {@code kafka.tools.StorageTool
 * format}, then {@code kafka.Kafka server.properties}, with the kafka_2.13 jars from Maven Central
 * on the classpath. Single-node exactly-once needs replication factor 1 and min ISR 1 for the
 * transaction and offsets topics.
 */
public final class Broker implements AutoCloseable {

  private volatile ChildJvm jvm;
  private final String bootstrap;
  // what a restart needs: the same configuration (ports, data directory), no new format
  private String classpath;
  private Path config;
  private Path logDir;
  private int restarts;

  private Broker(ChildJvm jvm, String bootstrap) {
    this.jvm = jvm;
    this.bootstrap = bootstrap;
  }

  public static Broker start(Path dir, String classpath, Path logDir, int partitions) throws Exception {
    int port = freePort();
    int controllerPort = freePort();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("num.partitions", Integer.toString(partitions));
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    // The workload's record timestamps are its build times over 28 days ending at the preload: with
    // the default 7-day retention the broker would delete three weeks of the input while it is being
    // processed. Topics that set their own retention keep it (Streams' windowed changelogs: their
    // window plus a day, as in production).
    p.put("log.retention.ms", "-1");
    Path config = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(config)) {
      p.store(out, "testpulse benchmark broker");
    }

    ChildJvm format = ChildJvm.start("broker-format", classpath, List.of("-Xmx256m"), "kafka.tools.StorageTool",
        List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()), logDir);
    if (!format.waitFor(Duration.ofMinutes(2))) {
      format.close();
      throw new IllegalStateException("kafka-storage format did not finish");
    }
    ChildJvm jvm = ChildJvm.start("broker", classpath, List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC"), "kafka.Kafka",
        List.of(config.toString()), logDir);
    Broker broker = new Broker(jvm, "localhost:" + port);
    broker.classpath = classpath;
    broker.config = config;
    broker.logDir = logDir;
    try {
      broker.awaitReady(Duration.ofMinutes(2));
    } catch (Exception e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  private void awaitReady(Duration timeout) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("broker did not become ready within " + timeout, notYet);
          }
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
  }

  /** SIGKILL ({@code destroyForcibly}): the broker dies as in a crash, without a controlled shutdown. */
  public void kill() throws InterruptedException {
    jvm.kill();
  }

  /**
   * Starts the broker again with the same configuration: the same ports and the same data directory
   * (not formatted again), so clients reconnect to the address they know and find their data. Kills
   * the running broker first if it is still alive. Returns once the broker answers metadata requests.
   */
  public synchronized void restart(Duration timeout) throws Exception {
    if (jvm.isAlive()) {
      jvm.kill();
    }
    restarts++;
    jvm = ChildJvm.start("broker-restart-" + restarts, classpath, List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC"),
        "kafka.Kafka", List.of(config.toString()), logDir);
    awaitReady(timeout);
  }

  public boolean isAlive() {
    return jvm.isAlive();
  }

  public long pid() {
    return jvm.pid();
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  public double cpuSeconds() {
    return jvm.cpuSeconds();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    jvm.close();
  }
}
