package io.testpulse.examples.service;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.testpulse.examples.TopicSetup;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.http.TestpulsePlugin;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.serdes.JsonSerde;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.TopicHandle;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An existing service with testpulse embedded: its own topology ({@link OrderTopology}) and its
 * own Javalin routes, plus testpulse's topology in the same {@link StreamsBuilder} (one
 * {@link KafkaStreams}, one {@code application.id}) and testpulse's HTTP API mounted under
 * {@value #TESTPULSE_PATH}. See the README's "Embedding" section for the trade-off against a
 * second {@code KafkaStreams}.
 *
 * <p>Run it against a cluster: {@code java -cp ... io.testpulse.examples.service.OrderService shop.properties}
 * (bootstrap.servers, application.id, testpulse.* keys; {@code testpulse.http.port} is the service's port).
 */
public final class OrderService implements AutoCloseable {

  /** Where testpulse's API lives inside the service's HTTP server. */
  public static final String TESTPULSE_PATH = "/testpulse";

  private static final Logger LOG = LoggerFactory.getLogger(OrderService.class);

  private final KafkaStreams streams;
  private final Javalin http;

  private OrderService(KafkaStreams streams, Javalin http) {
    this.streams = streams;
    this.http = http;
  }

  /** The service's topology and testpulse's, in one builder: what the service runs and what its tests drive. */
  public static Topology topology(TestpulseConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    OrderTopology.addTo(builder);
    TestpulseTopology.create(config).addTo(builder);
    return builder.build();
  }

  /** Creates missing topics, starts HTTP and Kafka Streams; queryable once Streams is RUNNING. */
  public static OrderService start(TestpulseConfig config) throws Exception {
    Properties props = config.streamsProperties();
    String bootstrap = props.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (bootstrap == null) {
      throw new IllegalArgumentException("bootstrap.servers is required");
    }
    props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, "shop");
    createMissingTopics(bootstrap, config);

    int port = config.getInt(TestpulseConfig.HTTP_PORT_CONFIG);
    if (port == 0) {
      port = freePort();
    }
    props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + port);
    HostInfo self = HostInfo.buildFromEndpoint(props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));

    KafkaStreams streams = new KafkaStreams(topology(config), props);
    TokenAuthenticator tokens = TokenAuthenticator.fromConfig(config.getList(TestpulseConfig.AUTH_TOKENS_CONFIG));
    OrderRoutes orders = new OrderRoutes(streams);
    Javalin http = Javalin.create(javalin -> {
      javalin.startup.showJavalinBanner = false;
      javalin.routes.get("/orders/customers/{customer}/count", orders::count);   // the service's own API
      javalin.registerPlugin(new TestpulsePlugin(tp -> {                         // testpulse's, under a prefix
        tp.queries = new TestpulseQueries(streams, self);
        tp.authenticator = tokens;
        tp.pathPrefix = TESTPULSE_PATH;
      }));
    });
    try {
      http.start(config.getString(TestpulseConfig.HTTP_HOST_CONFIG), port);
      streams.start();
    } catch (RuntimeException e) {
      http.stop();
      streams.close(Duration.ofSeconds(10));
      throw e;
    }
    LOG.info("shop service started: HTTP on port {}, testpulse API under {}", port, TESTPULSE_PATH);
    return new OrderService(streams, http);
  }

  public int httpPort() {
    return http.port();
  }

  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    http.stop();
    if (!streams.close(Duration.ofSeconds(30))) {
      LOG.warn("Kafka Streams did not shut down within 30 s");
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: OrderService <properties file>");
      System.exit(2);
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      props.load(in);
    }
    OrderService service = start(new TestpulseConfig(props));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      stopped.countDown();
    }, "shop-shutdown"));
    stopped.await();
  }

  private static void createMissingTopics(String bootstrap, TestpulseConfig config) throws Exception {
    TopicSetup.createMissing(bootstrap, config);
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(adminProps)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      int partitions = config.getInt(TestpulseConfig.TOPIC_PARTITIONS_CONFIG);
      short replication = config.getShort(TestpulseConfig.TOPIC_REPLICATION_FACTOR_CONFIG);
      List<TopicHandle<String, ?>> own = List.of(OrderTopology.ORDERS, OrderTopology.ORDER_COUNTS);
      var missing = own.stream().filter(t -> !existing.contains(t.name()))
          .map(t -> t.newTopic(partitions, replication)).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The service's own endpoint: orders of one customer, from its own state store. */
  private static final class OrderRoutes {
    private final KafkaStreams streams;

    OrderRoutes(KafkaStreams streams) {
      this.streams = streams;
    }

    void count(Context ctx) {
      String customer = ctx.pathParam("customer");
      if (streams.state() != KafkaStreams.State.RUNNING) {
        ctx.status(503).header("Retry-After", "2").result("not ready");
        return;
      }
      StateQueryRequest<Long> request = StateQueryRequest.inStore(OrderTopology.ORDERS_PER_CUSTOMER.name())
          .withQuery(KeyQuery.<String, Long>withKey(customer));
      Long count = null;
      for (QueryResult<Long> result : streams.query(request).getPartitionResults().values()) {
        if (result.isFailure()) {
          ctx.status(503).header("Retry-After", "2").result(result.getFailureMessage());
          return;
        }
        if (result.getResult() != null) {
          count = result.getResult();
        }
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("customer", customer);
      body.put("orders", count == null ? 0 : count);
      ctx.contentType("application/json").result(JsonSerde.of(Map.class).encode(body));
    }
  }
}
