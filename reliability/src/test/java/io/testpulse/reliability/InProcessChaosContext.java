package io.testpulse.reliability;

import io.testpulse.examples.EmbeddedKafka;
import io.testpulse.examples.TestpulseApp;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;

/**
 * A {@link ChaosContext} in this JVM: an {@link EmbeddedKafka} broker and one {@link TestpulseApp}
 * on a free HTTP port, with read, ingest and admin tokens of one tenant. For the scenarios that need
 * no process faults (poison pills, hostile HTTP). {@link #memoryBytes} is the heap used after a full
 * GC, the closest in-process measure of what the instance retains.
 */
final class InProcessChaosContext implements ChaosContext, AutoCloseable {

  private static final String TENANT = "chaos";

  private final EmbeddedKafka kafka;
  private final TestpulseApp app;
  private final TestpulseConfig config;
  private final Map<String, String> tokens;
  private final Path workDir;

  private InProcessChaosContext(EmbeddedKafka kafka, TestpulseApp app, TestpulseConfig config,
      Map<String, String> tokens, Path workDir) {
    this.kafka = kafka;
    this.app = app;
    this.config = config;
    this.tokens = tokens;
    this.workDir = workDir;
  }

  /** Starts a broker and one instance; {@code overrides} are added to the instance's config. */
  static InProcessChaosContext start(Path workDir, Map<String, String> overrides) throws Exception {
    Map<String, String> tokens = Map.of(
        "read", "read-" + UUID.randomUUID(),
        "ingest", "ingest-" + UUID.randomUUID(),
        "admin", "admin-" + UUID.randomUUID());
    EmbeddedKafka kafka = EmbeddedKafka.start();
    try {
      Properties props = new Properties();
      props.put("bootstrap.servers", kafka.bootstrapServers());
      props.put("application.id", "chaos-" + UUID.randomUUID());
      props.put("state.dir", Files.createDirectories(workDir.resolve("streams")).toString());
      props.put("commit.interval.ms", "100");
      props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, "chaos");
      props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "3");
      props.put(TestpulseConfig.HTTP_HOST_CONFIG, "localhost");
      props.put(TestpulseConfig.HTTP_PORT_CONFIG, "0");
      props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, String.join(",",
          TokenAuthenticator.configEntry(TENANT, Role.READ, tokens.get("read")),
          TokenAuthenticator.configEntry(TENANT, Role.INGEST, tokens.get("ingest")),
          TokenAuthenticator.configEntry(TENANT, Role.ADMIN, tokens.get("admin"))));
      props.putAll(overrides);
      TestpulseConfig config = new TestpulseConfig(props);
      TestpulseApp app = TestpulseApp.start(config);
      try {
        // the scenarios expect running instances, as the chaos harness hands them over
        Awaitility.await("Kafka Streams RUNNING").atMost(Duration.ofSeconds(90))
            .until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
      } catch (RuntimeException e) {
        app.close();
        throw e;
      }
      return new InProcessChaosContext(kafka, app, config, tokens, workDir);
    } catch (Exception | Error e) {
      kafka.close();
      throw e;
    }
  }

  @Override
  public boolean quick() {
    return true;
  }

  @Override
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Override
  public TestpulseConfig config() {
    return config;
  }

  @Override
  public String tenant() {
    return TENANT;
  }

  @Override
  public String token(String role) {
    String token = tokens.get(role.toLowerCase(Locale.ROOT));
    if (token == null) {
      throw new IllegalArgumentException("no token of role " + role);
    }
    return token;
  }

  @Override
  public List<URI> instances() {
    return List.of(URI.create("http://localhost:" + app.httpPort()));
  }

  /** Alive: Kafka Streams still running or rebalancing (not shut down by an error) and HTTP answering. */
  @Override
  public boolean alive(int instance) {
    checkIndex(instance);
    KafkaStreams.State state = app.streams().state();
    return state.isRunningOrRebalancing();
  }

  @Override
  public long memoryBytes(int instance) {
    checkIndex(instance);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Override
  public Path workDir() {
    return workDir;
  }

  KafkaStreams.State streamsState() {
    return app.streams().state();
  }

  private static void checkIndex(int instance) {
    if (instance != 0) {
      throw new IndexOutOfBoundsException("one in-process instance, asked for " + instance);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      app.close();
    } finally {
      kafka.close();
    }
  }
}
