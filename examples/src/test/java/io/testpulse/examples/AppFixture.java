package io.testpulse.examples;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TopicHandle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * What the integration tests share: one embedded KRaft broker, the testpulse apps a test runs on it
 * (each with its own state directory, HTTP on a free port and commits every 100 ms, so answers come
 * soon), tokens, and a producer of executions. {@link #close()} stops the apps still running, then the
 * broker.
 */
public final class AppFixture implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final EmbeddedKafka kafka;
  private final Path stateRoot;
  private final List<TestpulseApp> apps = new ArrayList<>();

  private AppFixture(EmbeddedKafka kafka, Path stateRoot) {
    this.kafka = kafka;
    this.stateRoot = stateRoot;
  }

  /** Starts the broker; apps keep their state below {@code stateRoot} (a {@code @TempDir}). */
  public static AppFixture start(Path stateRoot) throws Exception {
    return new AppFixture(EmbeddedKafka.start(), stateRoot);
  }

  /** A new random token, readable in logs by its prefix. */
  public static String newToken(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /**
   * The settings of an app on this broker: {@code application.id}, topic prefix, its own state directory
   * {@code stateName}, 3 partitions, HTTP on a free port, commits every 100 ms, and the token entries
   * ({@code TokenAuthenticator.configEntry(...)}). Put more keys before {@link #startApp}.
   */
  public Properties appSettings(String applicationId, String topicPrefix, String stateName, String... tokenEntries)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("application.id", applicationId);
    props.put("state.dir", Files.createDirectories(stateRoot.resolve(stateName)).toString());
    props.put("commit.interval.ms", "100");
    props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, topicPrefix);
    props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "3");
    props.put(TestpulseConfig.HTTP_PORT_CONFIG, "0");
    if (tokenEntries.length > 0) {
      props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, String.join(",", tokenEntries));
    }
    return props;
  }

  /** Starts an app with {@code settings}; it is stopped by {@link #stopApp} or {@link #close()}. */
  public TestpulseApp startApp(Properties settings) throws Exception {
    TestpulseApp app = TestpulseApp.start(new TestpulseConfig(settings));
    apps.add(app);
    return app;
  }

  /** Stops one app now (a crash or a restart in the test). */
  public void stopApp(TestpulseApp app) throws Exception {
    if (apps.remove(app)) {
      app.close();
    }
  }

  /** Producer settings for this broker: {@code acks=all}. */
  public Properties producerSettings() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return props;
  }

  /**
   * Produces executions in order, keyed {@code tenant/test_id}, and waits for every acknowledgement (a
   * send that failed under load fails the test here, not as a missing count later). The record time is
   * now: testpulse reads the event time from the value, and weeks-old record timestamps would let the
   * broker's retention delete the input, and what was derived from it, before it is read.
   */
  public void produce(TopicHandle<String, TestExecution> topic, List<TestExecution> executions) throws Exception {
    try (KafkaProducer<String, TestExecution> producer = new KafkaProducer<>(producerSettings(),
        topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (TestExecution e : executions) {
        sends.add(producer.send(new ProducerRecord<>(topic.name(), TestKeys.key(e.getTenant(), e.getTestId()), e)));
      }
      for (Future<RecordMetadata> send : sends) {
        send.get();
      }
    }
  }

  /** A {@code GET} of one of this fixture's apps, with {@code Authorization: Bearer token} unless null. */
  public static HttpResponse<String> get(TestpulseApp app, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + app.httpPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One execution of a test of suite {@code web}, 12 ms, in a run of its own on commit {@code abc}. */
  public static TestExecution execution(String tenant, String scope, String name, Result result, Instant at) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(tenant).setSuite("web").setTestId(TestKeys.testId(tenant, "web", scope, name))
        .setScope(scope).setName(name)
        .setResult(result).setDurationMicros(12_000).setEventTime(at)
        .setRun(RunInfo.newBuilder().setKey("build-" + at.getEpochSecond()).setBranch("main").setCommitSha("abc").build())
        .build();
  }

  @Override
  public void close() throws Exception {
    for (int i = apps.size() - 1; i >= 0; i--) {
      apps.get(i).close();
    }
    apps.clear();
    kafka.close();
  }
}
