package io.testpulse.interactive;

import io.testpulse.avro.TestRecord;
import io.testpulse.avro.TestState;
import io.testpulse.avro.FlakinessState;
import io.testpulse.serdes.JsonSerde;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The query service over testpulse's state stores (Kafka Streams interactive queries, IQv2).
 * Controllers ask it and map its {@link QueryOutcome}s; where a query runs is {@link KeyRouter}'s
 * decision, and nothing else in the HTTP layer touches {@link KafkaStreams}.
 */
public final class TestpulseQueries {

  /** How long a client should wait before retrying a query on a store that is not queryable. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

  private final KafkaStreams streams;
  private final KeyRouter router;
  private final PeerClient peers;
  private final Topics topics;
  private final Clock clock;
  private final Map<String, ListSpec<?, ?>> lists;
  private final Map<String, StoreHandle<String, ?>> stores;

  /**
   * A single instance without forwarding: a key owned by another instance answers UNAVAILABLE.
   *
   * @param streams the running KafkaStreams that executes the testpulse topology
   * @param self this instance's {@code application.server} host and port ({@link HostInfo#unavailable()} when
   *     running a single instance without one)
   */
  public TestpulseQueries(KafkaStreams streams, HostInfo self) {
    this(streams, self, Routing.defaults());
  }

  public TestpulseQueries(KafkaStreams streams, HostInfo self, Routing routing) {
    this.streams = Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(self, "self");
    this.topics = routing.topics;
    this.clock = routing.clock;
    this.peers = new PeerClient(routing.internalSecret, routing.peerTimeout, routing.pathPrefix);
    this.router = new KeyRouter(streams, self, peers, routing.peerTimeout);
    this.lists = Map.of(TestListSpec.NAME, new TestListSpec(topics),
        QuarantineListSpec.NAME, new QuarantineListSpec(topics, clock));
    this.stores = Map.of(Stores.TEST_RECORD.name(), Stores.TEST_RECORD);
  }

  /**
   * How instances reach each other. Immutable; every {@code with*} returns a copy.
   */
  public static final class Routing {
    private final String internalSecret;
    private final Duration peerTimeout;
    private final String pathPrefix;
    private final Topics topics;
    private final Clock clock;

    private Routing(String internalSecret, Duration peerTimeout, String pathPrefix, Topics topics, Clock clock) {
      this.internalSecret = internalSecret;
      this.peerTimeout = peerTimeout;
      this.pathPrefix = pathPrefix;
      this.topics = topics;
      this.clock = clock;
    }

    /** No forwarding, 2 s peer timeout, no path prefix, topic prefix {@code testpulse}. */
    public static Routing defaults() {
      return new Routing(null, Duration.ofSeconds(2), "", Topics.withPrefix("testpulse"), Clock.systemUTC());
    }

    /** The shared secret of {@code testpulse.internal.secret}: turns forwarding on. */
    public Routing withInternalSecret(String secret) {
      return new Routing(secret, peerTimeout, pathPrefix, topics, clock);
    }

    public Routing withPeerTimeout(Duration timeout) {
      return new Routing(internalSecret, timeout, pathPrefix, topics, clock);
    }

    /** The plugin's {@code pathPrefix}, the same on every instance. */
    public Routing withPathPrefix(String prefix) {
      return new Routing(internalSecret, peerTimeout, prefix, topics, clock);
    }

    public Routing withTopics(Topics topics) {
      return new Routing(internalSecret, peerTimeout, pathPrefix, topics, clock);
    }

    public Routing withClock(Clock clock) {
      return new Routing(internalSecret, peerTimeout, pathPrefix, topics, clock);
    }
  }

  /** The current state of one test of {@code tenant}, as written to the test-stats topic. */
  public QueryOutcome<TestStats> test(String tenant, String testId) {
    String key = TestKeys.key(tenant, testId);
    QueryOutcome<StoreRead<TestRecord>> read = router.get(Stores.TEST_RECORD, key, false);
    if (read.status() != QueryOutcome.Status.OK || read.value().value() == null) {
      return map(read, s -> null);
    }
    if (read.value().value().getStats() == null) {
      return QueryOutcome.notFound("no such test"); // quarantined before its first execution
    }
    TestRecord r = read.value().value();
    return QueryOutcome.ok(TestStats.from(r.getStats(), r.getFlakiness()));
  }

  /** One test of {@code tenant} as the API answers it, with where and how fresh the answer is. */
  public QueryOutcome<StoreRead<TestSummary>> testSummary(String tenant, String testId, boolean allowStale) {
    return mapRead(testView(tenant, testId, allowStale), TestView::summary);
  }

  /**
   * One test with its quarantine, if any: its record (counts and flakiness, one read), from the instance
   * that owns the test.
   */
  public QueryOutcome<StoreRead<TestView>> testView(String tenant, String testId, boolean allowStale) {
    String key = TestKeys.key(tenant, testId);
    QueryOutcome<StoreRead<TestRecord>> read = router.get(Stores.TEST_RECORD, key, allowStale);
    if (read.status() != QueryOutcome.Status.OK || read.value().value() == null) {
      return mapRead(read, s -> null);
    }
    if (read.value().value().getStats() == null) {
      return QueryOutcome.notFound("no such test"); // quarantined before its first execution
    }
    StoreRead<TestRecord> c = read.value();
    TestState stats = c.value().getStats();
    FlakinessState f = c.value().getFlakiness();
    QuarantinedTest quarantine = QuarantineListSpec.isActive(f, clock.millis())
        ? QuarantinedTest.from(f, stats) : null;
    return QueryOutcome.ok(new StoreRead<>(new TestView(TestSummary.from(stats, f), quarantine), c.partition(),
        c.stale(), c.stale() ? c.offsetLag() : null, c.servedBy()));
  }

  /** A test and its active quarantine (null when not quarantined). */
  public record TestView(TestSummary summary, QuarantinedTest quarantine) {
  }

  /** A page of the tenant's tests, from every instance. */
  public QueryOutcome<ListPage<TestSummary>> tests(ListQuery query) {
    return router.list((TestListSpec) lists.get(TestListSpec.NAME), query);
  }

  /** A page of the tenant's active quarantines, with each test's suite, scope and name. */
  public QueryOutcome<ListPage<QuarantinedTest>> quarantined(ListQuery query) {
    return router.list((QuarantineListSpec) lists.get(QuarantineListSpec.NAME), query);
  }

  // ---- A suite's tests with their durations (test plans) ----------------------------------------

  /** How many tests a page of {@link #suiteTests} reads at a time. */
  private static final int SUITE_TESTS_PAGE = 500;

  /**
   * Every test of {@code suite} with its file, scope, name and durations in {@code [from, to)}: the
   * tests from every instance (the tests list), each test's durations from the instance owning it
   * (forwarded to a peer's durations route when another instance owns it). Never silently short:
   * a test list page or a duration that could not be read marks the answer {@code partial}.
   *
   * @param durations the duration engine's queries; null answers every test without durations
   */
  public QueryOutcome<SuiteTests> suiteTests(String tenant, String suite, DurationSource durations, Instant from,
      Instant to) {
    Map<String, String> filters = Map.of("suite", suite);
    List<TestSummary> summaries = new ArrayList<>();
    boolean partial = false;
    List<Object> after = null;
    do {
      QueryOutcome<ListPage<TestSummary>> page = tests(new ListQuery(tenant, filters, "name", SUITE_TESTS_PAGE, after,
          false));
      if (page.status() != QueryOutcome.Status.OK) {
        return QueryOutcome.unavailable(page.detail(), page.retryAfter());
      }
      summaries.addAll(page.value().items());
      partial |= page.value().partial();
      after = page.value().nextCursor() == null ? null
          : Cursors.decode(page.value().nextCursor(), TestListSpec.NAME, "name", filters);
    } while (after != null);
    List<SuiteTest> tests = new ArrayList<>(summaries.size());
    for (TestSummary t : summaries) {
      QueryOutcome<DurationSummary> d = durations == null ? QueryOutcome.notFound("no durations")
          : testDurations(tenant, t.testId(), durations, from, to);
      partial |= d.status() == QueryOutcome.Status.UNAVAILABLE;
      tests.add(new SuiteTest(t.testId(), t.scope(), t.name(), t.fileName(),
          d.status() == QueryOutcome.Status.OK ? d.value() : null));
    }
    return QueryOutcome.ok(new SuiteTests(tests, partial));
  }

  private QueryOutcome<DurationSummary> testDurations(String tenant, String testId, DurationSource durations,
      Instant from, Instant to) {
    KeyRouter.Route route = route(durations.testStore(), TestKeys.key(tenant, testId));
    switch (route.kind()) {
      case LOCAL -> {
        QueryOutcome<?> local = durations.test(tenant, testId, from, to);
        if (local.status() != QueryOutcome.Status.OK) {
          return QueryOutcome.notFound(local.detail());
        }
        return QueryOutcome.ok(JsonSerde.MAPPER.convertValue(local.value(), DurationStats.class).summary());
      }
      case REMOTE -> {
        String path = "/internal/v1/fwd/api/v1/tests/" + testId + "/durations?from=" + from + "&to=" + to;
        QueryOutcome<PeerClient.RawAnswer> answer = forward(route, path, tenant);
        if (answer.status() != QueryOutcome.Status.OK || answer.value().status() >= 500) {
          return QueryOutcome.unavailable("the instance owning a test's durations did not answer", RETRY_AFTER);
        }
        if (answer.value().status() != 200) {
          return QueryOutcome.notFound("no durations");
        }
        try {
          return QueryOutcome.ok(JsonSerde.MAPPER.readValue(answer.value().body(), DurationStats.class).summary());
        } catch (java.io.IOException e) {
          return QueryOutcome.unavailable("a peer answered durations that could not be read", RETRY_AFTER);
        }
      }
      default -> {
        return QueryOutcome.unavailable(route.detail(), RETRY_AFTER);
      }
    }
  }

  /** The list specs by name, for validating parameters and for the internal API. */
  public Optional<ListSpec<?, ?>> listSpec(String name) {
    return Optional.ofNullable(lists.get(name));
  }

  /** Every instance of the application and its partitions. */
  public QueryOutcome<List<InstanceInfo>> instances() {
    return router.instances(topics.executions().name());
  }

  /** Internal API: a key lookup forwarded by another instance, answered from this instance's partitions. */
  public KeyAnswer localKey(String storeName, String key, int partition, boolean allowStale) {
    @SuppressWarnings("unchecked")
    StoreHandle<String, Object> store = (StoreHandle<String, Object>) stores.get(storeName);
    if (store == null) {
      throw new IllegalArgumentException("unknown store " + storeName);
    }
    QueryOutcome<StoreRead<Object>> read = router.getLocal(store, key, partition, allowStale);
    if (read.status() != QueryOutcome.Status.OK) {
      return new KeyAnswer("UNAVAILABLE", null, partition, false, null, router.selfName(), read.detail());
    }
    StoreRead<Object> r = read.value();
    String value = r.value() == null ? null
        : Base64.getEncoder().encodeToString(store.valueSerde().serializer().serialize(storeName, r.value()));
    return new KeyAnswer("OK", value, r.partition(), r.stale(), r.offsetLag(), r.servedBy(), null);
  }

  /** Internal API: this instance's part of a list, for the given partitions. */
  public PartPage<?> localList(String listName, ListQuery query, Set<Integer> partitions, boolean allowStale) {
    ListSpec<?, ?> spec = lists.get(listName);
    if (spec == null) {
      throw new IllegalArgumentException("unknown list " + listName);
    }
    return router.listLocal(spec, query, partitions, allowStale);
  }

  /** Whether a request to the internal API carries this application's shared secret (constant time). */
  public boolean acceptsInternal(String presentedSecret) {
    return peers.accepts(presentedSecret);
  }

  /** The header instances send the shared secret in. */
  public static String internalSecretHeader() {
    return PeerClient.SECRET_HEADER;
  }

  /** The header a forwarded public request names its tenant in. */
  public static String internalTenantHeader() {
    return PeerClient.TENANT_HEADER;
  }

  /** Where a query on {@code partitionKey} of {@code storeName} must run. */
  public KeyRouter.Route route(String storeName, String partitionKey) {
    return router.route(storeName, partitionKey);
  }

  /** Forwards a public request to the owner named by {@code route}, through its internal mirror route. */
  public QueryOutcome<PeerClient.RawAnswer> forward(KeyRouter.Route route, String pathAndQuery, String tenant) {
    return router.forward(route, pathAndQuery, tenant);
  }

  public boolean knowsStore(String name) {
    return stores.containsKey(name);
  }

  /** Kafka Streams' own metrics (every client and the state stores) for a Micrometer registry. */
  public MeterBinder streamsMetrics() {
    return new KafkaStreamsMetrics(streams);
  }

  /**
   * {@code testpulse.store.offset.lag.max{store}}: the largest changelog offset lag of the store's
   * partitions hosted here (standbys and restoring actives lag; running actives are 0), read when
   * scraped; NaN while Kafka Streams cannot tell.
   */
  public MeterBinder storeLagMetrics() {
    return registry -> stores.keySet().forEach(name -> Gauge.builder("testpulse.store.offset.lag.max", streams,
            s -> maxLag(s, name))
        .description("largest changelog offset lag of this store's partitions on this instance")
        .tag("store", name)
        .register(registry));
  }

  private static double maxLag(KafkaStreams streams, String store) {
    if (!streams.state().isRunningOrRebalancing()) {
      return Double.NaN; // before start the lag lookup would wait on the brokers
    }
    try {
      return streams.allLocalStorePartitionLags().getOrDefault(store, Map.of()).values().stream()
          .mapToLong(org.apache.kafka.streams.LagInfo::offsetLag).max().orElse(0);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Whether the instance is processing: RUNNING. */
  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** Whether the instance is alive: anything but a failed or stopped KafkaStreams. */
  public boolean live() {
    KafkaStreams.State state = streams.state();
    return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
        && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
  }

  /** The state of the underlying KafkaStreams, for health answers. */
  public KafkaStreams.State streamsState() {
    return streams.state();
  }

  private static <V, T> QueryOutcome<T> map(QueryOutcome<StoreRead<V>> read, Function<V, T> f) {
    return switch (read.status()) {
      case OK -> read.value().value() == null ? QueryOutcome.notFound("no such test")
          : QueryOutcome.ok(f.apply(read.value().value()));
      case NOT_FOUND -> QueryOutcome.notFound(read.detail());
      case UNAVAILABLE -> QueryOutcome.unavailable(read.detail(), read.retryAfter());
    };
  }

  private static <V, T> QueryOutcome<StoreRead<T>> mapRead(QueryOutcome<StoreRead<V>> read, Function<V, T> f) {
    return switch (read.status()) {
      case OK -> {
        StoreRead<V> r = read.value();
        yield r.value() == null ? QueryOutcome.notFound("no such test")
            : QueryOutcome.ok(new StoreRead<>(f.apply(r.value()), r.partition(), r.stale(), r.offsetLag(),
                r.servedBy()));
      }
      case NOT_FOUND -> QueryOutcome.notFound(read.detail());
      case UNAVAILABLE -> QueryOutcome.unavailable(read.detail(), read.retryAfter());
    };
  }
}
