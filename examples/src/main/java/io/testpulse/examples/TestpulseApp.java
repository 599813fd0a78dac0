package io.testpulse.examples;

import io.javalin.Javalin;
import io.testpulse.interactive.DurationQueries;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.interactive.http.TestpulsePlugin;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Properties;
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
  private final DurationQueries durationQueries;
  private final IngestService ingest;

  private TestpulseApp(KafkaStreams streams, Javalin http, DurationQueries durationQueries, IngestService ingest) {
    this.streams = streams;
    this.http = http;
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
    TopicSetup.createMissing(bootstrap, config);

    String host = config.getString(TestpulseConfig.HTTP_HOST_CONFIG);
    int port = config.getInt(TestpulseConfig.HTTP_PORT_CONFIG);
    if (port == 0) {
      port = freePort();
    }
    String advertisedHost = "0.0.0.0".equals(host) ? "localhost" : host;
    streamsProps.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, advertisedHost + ":" + port);
    HostInfo self = HostInfo.buildFromEndpoint(streamsProps.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));

    KafkaStreams streams = new KafkaStreams(TestpulseTopology.create(config).build(), streamsProps);
    TestpulseQueries queries = new TestpulseQueries(streams, self);
    TokenAuthenticator authenticator = TokenAuthenticator.fromConfig(config.getList(TestpulseConfig.AUTH_TOKENS_CONFIG));
    IngestService ingest = IngestService.create(config);
    Javalin http = Javalin.create(javalin -> {
      javalin.startup.showJavalinBanner = false;
      javalin.registerPlugin(new TestpulsePlugin(tp -> {
        tp.queries = queries;
        tp.authenticator = authenticator;
        tp.ingest = ingest;
      }));
    });
    try {
      http.start(host, port);
      streams.start();
    } catch (RuntimeException e) {
      http.stop();
      ingest.close();
      streams.close(Duration.ofSeconds(10));
      throw e;
    }
    LOG.info("testpulse started: HTTP on {}:{}, application.id {}", host, port,
        streamsProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
    return new TestpulseApp(streams, http, new DurationQueries(streams, self, config.durationOptions()), ingest);
  }

  public int httpPort() {
    return http.port();
  }

  /** The duration percentile queries of this instance (not yet exposed over HTTP). */
  public DurationQueries durationQueries() {
    return durationQueries;
  }

  public KafkaStreams streams() {
    return streams;
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
    if (!streams.close(Duration.ofSeconds(30))) {
      LOG.warn("Kafka Streams did not shut down within 30 s");
    }
  }
}
