package io.testpulse.examples;

import io.javalin.Javalin;
import io.testpulse.interactive.DurationQueries;
import io.testpulse.interactive.DurationQueriesSource;
import io.testpulse.interactive.QuarantineCommands;
import io.testpulse.interactive.StreamThreadFailures;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.interactive.TransitionTail;
import io.testpulse.interactive.http.TestpulsePlugin;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundled app: testpulse's topics, topology and HTTP API in one process, against any Kafka
 * cluster ({@code bootstrap.servers}). {@code bin/testpulse demo} runs it against an embedded
 * broker; {@code bin/testpulse run --config FILE} against yours.
 */
public final class TestpulseApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TestpulseApp.class);

  private final KafkaStreams streams;
  private final Javalin http;
  private final QuarantineCommands commands;
  private final DurationQueries durationQueries;
  private final IngestService ingest;

  private TestpulseApp(KafkaStreams streams, Javalin http, QuarantineCommands commands,
      DurationQueries durationQueries, IngestService ingest) {
    this.streams = streams;
    this.http = http;
    this.commands = commands;
    this.durationQueries = durationQueries;
    this.ingest = ingest;
  }

  /**
   * Creates missing topics, starts the HTTP server and the topology. Returns once both are
   * started; the topology becomes queryable when Kafka Streams reaches RUNNING.
   */
  public static TestpulseApp start(TestpulseConfig config) throws Exception {
    Properties streamsProps = config.streamsProperties();
    String bootstrap = streamsProps.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (bootstrap == null) {
      throw new IllegalArgumentException("bootstrap.servers is required");
    }
    streamsProps.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, config.topics().prefix() + "-app");
    TopicSetup.Durability durability = TopicSetup.createMissing(bootstrap, config);
    // Kafka Streams' own topics (changelogs, repartitions) as durable as testpulse's, unless set explicitly
    if (durability.replicationFactor() > 0) {
      streamsProps.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(durability.replicationFactor()));
    }
    if (durability.minInsyncReplicas() > 0) {
      streamsProps.putIfAbsent(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
          Integer.toString(durability.minInsyncReplicas()));
    }

    String host = config.getString(TestpulseConfig.HTTP_HOST_CONFIG);
    int port = config.getInt(TestpulseConfig.HTTP_PORT_CONFIG);
    if (port == 0) {
      port = freePort();
    }
    String advertisedHost = "0.0.0.0".equals(host) ? "localhost" : host;
    streamsProps.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost + ":" + port);
    HostInfo self = HostInfo.buildFromEndpoint(streamsProps.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));

    KafkaStreams streams = new KafkaStreams(TestpulseTopology.create(config).build(), streamsProps);
    // A stream thread that dies of an unexpected error is replaced instead of shutting the whole
    // client down (Kafka's default, SHUTDOWN_CLIENT): in the chaos harness a broker away for longer
    // than max.block.ms made a punctuator's send time out, and the instance stayed in ERROR for good
    // while its HTTP server kept running. With exactly-once the dying thread's transaction is
    // aborted and the new thread resumes its tasks from the last commit. Replacements back off, and a
    // crash loop makes /health/live answer 503 (StreamThreadFailures).
    StreamThreadFailures threadFailures = new StreamThreadFailures(
        config.getInt(TestpulseConfig.STREAMS_THREAD_FAILURES_MAX_CONFIG),
        Duration.ofMillis(config.getLong(TestpulseConfig.STREAMS_THREAD_FAILURES_WINDOW_MS_CONFIG)),
        Duration.ofMillis(config.getLong(TestpulseConfig.STREAMS_THREAD_BACKOFF_MAX_MS_CONFIG)));
    streams.setUncaughtExceptionHandler(threadFailures);
    Password secret = config.getPassword(TestpulseConfig.INTERNAL_SECRET_CONFIG);
    TestpulseQueries queries = new TestpulseQueries(streams, self, TestpulseQueries.Routing.defaults()
        .withTopics(config.topics())
        .withInternalSecret(secret == null ? null : secret.value())
        .withPeerTimeout(Duration.ofMillis(config.getInt(TestpulseConfig.QUERY_PEER_TIMEOUT_MS_CONFIG))));
    TokenAuthenticator authenticator = TokenAuthenticator.fromConfig(config.getList(TestpulseConfig.AUTH_TOKENS_CONFIG));
    IngestService ingest = IngestService.create(config);
    QuarantineCommands commands = new QuarantineCommands(new KafkaProducer<>(producerProps(streamsProps),
        config.topics().quarantineCommands().keySerde().serializer(),
        config.topics().quarantineCommands().valueSerde().serializer()),
        config.topics().quarantineCommands(), Duration.ofSeconds(15));
    TransitionTail transitions = new TransitionTail(clientProps(streamsProps, ConsumerConfig.configNames()),
        config.topics().transitions(), config.getInt(TestpulseConfig.SSE_MAX_CONNECTIONS_CONFIG),
        config.getInt(TestpulseConfig.SSE_MAX_CONNECTIONS_PER_TENANT_CONFIG));
    DurationQueries durationQueries = new DurationQueries(streams, self, config.durationOptions());
    Javalin http = Javalin.create(javalin -> {
      javalin.startup.showJavalinBanner = false;
      javalin.registerPlugin(new TestpulsePlugin(tp -> {
        tp.queries = queries;
        tp.authenticator = authenticator;
        tp.ingest = ingest;
        tp.commands = commands;
        tp.transitions = transitions;
        tp.threadFailures = threadFailures;
        tp.durations = new DurationQueriesSource(durationQueries);
        tp.maxPageSize = config.getInt(TestpulseConfig.QUERY_MAX_PAGE_SIZE_CONFIG);
        tp.corsOrigins = config.getList(TestpulseConfig.HTTP_CORS_ORIGINS_CONFIG);
      }));
    });
    try {
      http.start(host, port);
      streams.start();
    } catch (RuntimeException e) {
      http.stop();
      ingest.close();
      streams.close(Duration.ofSeconds(10));
      commands.close();
      throw e;
    }
    LOG.info("testpulse started: HTTP on {}:{}, application.id {}", host, port,
        streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
    return new TestpulseApp(streams, http, commands, durationQueries, ingest);
  }

  /** The client settings of Kafka Streams (security, bootstrap) for the API's own producer: acks=all, idempotent. */
  private static Map<String, Object> producerProps(Properties streamsProps) {
    Map<String, Object> props = clientProps(streamsProps, ProducerConfig.configNames());
    props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)
        + "-api-" + UUID.randomUUID());
    return props;
  }

  public int httpPort() {
    return http.port();
  }

  /** Stops answering HTTP while Kafka Streams keeps its tasks: an instance its peers cannot reach (for tests). */
  void stopHttp() {
    http.stop();
  }

  /** The duration percentile queries of this instance (served over HTTP by the plugin). */
  public DurationQueries durationQueries() {
    return durationQueries;
  }

  public KafkaStreams streams() {
    return streams;
  }

  /** The keys of {@code streamsProps} that a client with {@code clientKeys} understands (bootstrap, security). */
  private static Map<String, Object> clientProps(Properties streamsProps, Set<String> clientKeys) {
    Map<String, Object> props = new HashMap<>();
    streamsProps.forEach((k, v) -> {
      if (clientKeys.contains(k.toString()) && !k.toString().equals(ProducerConfig.CLIENT_ID_CONFIG)) {
        props.put(k.toString(), v);
      }
    });
    return props;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    http.stop();
    ingest.close();
    commands.close();
    if (!streams.close(Duration.ofSeconds(30))) {
      LOG.warn("Kafka Streams did not shut down within 30 s");
    }
  }
}
