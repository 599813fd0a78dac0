package io.testpulse.interactive.http;

import io.javalin.config.JavalinState;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.plugin.Plugin;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.testpulse.interactive.DurationSource;
import io.testpulse.interactive.QuarantineCommands;
import io.testpulse.interactive.StreamThreadFailures;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.ingest.IngestService;
import io.testpulse.interactive.TransitionTail;
import io.testpulse.interactive.plan.PlanStore;
import io.testpulse.interactive.plan.TestPlanService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * testpulse's HTTP API as a Javalin plugin, for the bundled app or a Javalin app you already run:
 *
 * <pre>{@code
 * Javalin.create(config -> config.registerPlugin(new TestpulsePlugin(tp -> {
 *   tp.queries = new TestpulseQueries(streams, hostInfo, routing);
 *   tp.authenticator = TokenAuthenticator.fromConfig(tokenEntries);
 *   tp.commands = new QuarantineCommands(producer, topics.quarantineCommands(), Duration.ofSeconds(10));
 *   tp.transitions = new TransitionTail(consumerProps, topics.transitions(), 32);
 *   tp.pathPrefix = "/testpulse";   // optional
 * })));
 * }</pre>
 *
 * Routes (under {@code pathPrefix}) are described by {@code GET /openapi.json}; with {@code ingest}
 * set, {@code POST /v1/uploads} and {@code POST /api/v1/uploads} too. Errors are
 * {@code application/problem+json}; a bad parameter is a 400 naming it; unexpected failures are
 * logged with the path only and answered 500 without internals.
 */
public final class TestpulsePlugin extends Plugin<TestpulsePlugin.Config> {

  private static final Logger LOG = LoggerFactory.getLogger(TestpulsePlugin.class);

  /** The plugin's settings; {@code queries} and {@code authenticator} are required. */
  public static final class Config {
    /** The query service over the running topology. */
    public TestpulseQueries queries;
    /** Tokens and their tenants and roles. */
    public TokenAuthenticator authenticator;
    /** Mount point inside the host app, e.g. {@code "/testpulse"}; empty mounts at the root. */
    public String pathPrefix = "";
    /** Writes quarantine commands; without it, PUT/DELETE .../quarantine answer 503. */
    public QuarantineCommands commands;
    /** Reads the transitions topic for the live stream; without it, the stream answers 503. */
    public TransitionTail transitions;
    /** Duration percentiles (the duration engine's queries); without it, the durations routes answer 503. */
    public DurationSource durations;
    /** Where HTTP and Kafka Streams metrics go; scraped at {@code /metrics}. */
    public PrometheusMeterRegistry meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Largest {@code limit} of a list ({@code testpulse.query.max.page.size}). */
    public int maxPageSize = 500;
    /** Browser origins allowed by CORS ({@code testpulse.http.cors.origins}); empty: CORS off. */
    public List<String> corsOrigins = List.of();
    public Clock clock = Clock.systemUTC();
    /**
     * Optional: the ingest service behind {@code POST /v1/uploads} and {@code POST /api/v1/uploads}
     * (the Buildkite-compatible upload API). Without it those routes are not registered.
     */
    public IngestService ingest;
    /** How far back test plans read durations. */
    public Duration planWindow = Duration.ofDays(7);
    /** How long a test plan is kept for the nodes (and retried jobs) of its build step. */
    public Duration planTtl = Duration.ofHours(24);
    /** The most test plans an instance keeps (the oldest go first). */
    public int maxPlans = 10_000;
    /**
     * Optional: the stream-thread uncaught-exception handler of the topology; with it, {@code /health/live}
     * answers 503 with the cause while stream threads keep dying, and its metrics are published.
     */
    public StreamThreadFailures threadFailures;
  }

  private final List<String> registered = new ArrayList<>();

  /**
   * The plugin, configured by {@code userConfig}; {@code queries} and {@code authenticator} are
   * checked when the Javalin app starts.
   */
  public TestpulsePlugin(Consumer<Config> userConfig) {
    super(userConfig, new Config());
  }

  @Override
  public void onStart(JavalinState state) {
    Config config = pluginConfig;
    Objects.requireNonNull(config.queries, "TestpulsePlugin: queries is required");
    Objects.requireNonNull(config.authenticator, "TestpulsePlugin: authenticator is required");
    String prefix = normalise(config.pathPrefix);
    Auth auth = new Auth(config.authenticator);
    Routes routes = new Routes(state, prefix, auth, config.meterRegistry, registered);
    config.queries.streamsMetrics().bindTo(config.meterRegistry);
    config.queries.storeLagMetrics().bindTo(config.meterRegistry);

    handleErrors(state, prefix);
    if (!config.corsOrigins.isEmpty()) {
      new Cors(config.corsOrigins).register(routes);
    }
    routes.before("/api/v1/*", auth::authorize);
    new TestController(config.queries, config.maxPageSize, config.durations, config.clock).register(routes);
    new HealthController(config.queries, config.threadFailures).register(routes);
    if (config.threadFailures != null) {
      config.threadFailures.bindTo(config.meterRegistry);
    }
    QuarantineController quarantine = new QuarantineController(config.queries, config.commands, config.clock,
        config.maxPageSize);
    quarantine.register(routes);
    new InstancesController(config.queries).register(routes);
    new InternalController(config.queries, config.maxPageSize).register(routes);
    new DurationController(config.queries, config.durations, config.clock).register(routes);
    new TransitionStreamController(config.transitions).register(routes);
    new OperationsController(config.meterRegistry).register(routes);
    new WhoamiController().register(routes);
    new UiController().register(routes);
    if (config.ingest != null) {
      new IngestController(config.ingest).register(routes);
    }
    TestPlanService plans = new TestPlanService(config.queries, config.durations, config.clock, config.planWindow,
        new PlanStore(config.clock, config.planTtl, config.maxPlans));
    new TestPlanController(plans, quarantine).register(routes, auth);
  }

  /**
   * Every error under the plugin's paths is problem+json: Jetty's own refusals (its error handlers),
   * Javalin's 404 and 405 (a known path with another method is a 405, not a 404), and any exception
   * that escapes a handler or a before-handler (a 500 without internals). Paths of a host app outside
   * the prefix keep Javalin's plain answers.
   */
  private static void handleErrors(JavalinState state, String prefix) {
    JettyProblems.install(state);
    state.http.prefer405over404 = true;
    state.routes.exception(HttpResponseException.class, (e, ctx) -> {
      if (!ours(ctx.path(), prefix)) {
        ctx.status(e.getStatus()).result(e.getMessage() == null ? "" : e.getMessage());
        return;
      }
      String reason = org.eclipse.jetty.http.HttpStatus.getMessage(e.getStatus());
      Problems.write(ctx, e.getStatus(), reason == null ? "Error" : reason,
          JettyProblems.safeDetail(e.getMessage(), reason));
    });
    state.routes.exception(Exception.class, (e, ctx) -> {
      LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
      if (!ours(ctx.path(), prefix)) {
        ctx.status(500).result("Internal Server Error");
        return;
      }
      Problems.write(ctx, 500, "Internal Server Error", "unexpected failure; see the server log");
    });
  }

  private static boolean ours(String path, String prefix) {
    return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /** {@code METHOD path} of every route this plugin registered, without the prefix: what /openapi.json describes. */
  public List<String> registeredRoutes() {
    return List.copyOf(registered);
  }

  /** Route registration under the plugin's prefix, every handler guarded and timed; controllers register themselves. */
  static final class Routes {
    private final JavalinState state;
    private final String prefix;
    private final Auth auth;
    private final PrometheusMeterRegistry registry;
    private final List<String> registered;

    Routes(JavalinState state, String prefix, Auth auth, PrometheusMeterRegistry registry, List<String> registered) {
      this.state = state;
      this.prefix = prefix;
      this.auth = auth;
      this.registry = registry;
      this.registered = registered;
    }

    /**
     * A POST route that needs an ingest (or admin) token instead of a read token; {@link Auth}
     * authorises it, also outside {@code /api/v1/}.
     */
    void ingest(String path, Handler handler) {
      auth.ingestPath(prefix + path);
      if (!path.startsWith("/api/v1/")) {
        state.routes.before(prefix + path, auth::authorize);
      }
      post(path, handler);
    }

    /** A GET route under {@code /api/v1/} that any known token may call (e.g. to learn its own role). */
    void anyRole(String path, Handler handler) {
      auth.anyRolePath(prefix + path);
      get(path, handler);
    }

    /**
     * A GET route of the web dashboard's static files: not part of the JSON API, so neither
     * authenticated (the pages ask for a token and send it to the API) nor described by /openapi.json.
     */
    void page(String path, Handler handler) {
      state.routes.get(prefix + path, handler);
    }

    /** The plugin's path prefix ({@code ""} at the root), for links and redirects. */
    String prefix() {
      return prefix;
    }

    void before(String path, Handler handler) {
      state.routes.before(prefix + path, handler);
    }

    void get(String path, Handler handler) {
      state.routes.get(prefix + path, guarded("GET", path, handler));
    }

    void post(String path, Handler handler) {
      state.routes.post(prefix + path, guarded("POST", path, handler));
    }

    void put(String path, Handler handler) {
      state.routes.put(prefix + path, guarded("PUT", path, handler));
    }

    void delete(String path, Handler handler) {
      state.routes.delete(prefix + path, guarded("DELETE", path, handler));
    }

    void options(String path, Handler handler) {
      state.routes.options(prefix + path, handler);
    }

    /** Runs {@code action} when the server begins to stop, while requests in progress are still alive. */
    void onServerStopping(Runnable action) {
      state.events.serverStopping(action::run);
    }

    /**
     * Answers a bad parameter as a 400 naming it and any other exception as a 500 problem without
     * internals (logging the path only), and times the request per route in a latency histogram.
     */
    private Handler guarded(String method, String path, Handler handler) {
      registered.add(method + " " + path);
      return ctx -> {
        Timer.Sample sample = Timer.start(registry);
        try {
          handler.handle(ctx);
        } catch (Params.BadParameter e) {
          Problems.badParameter(ctx, e.field, e.getMessage());
        } catch (RuntimeException e) {
          LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
          Problems.write(ctx, 500, "Internal Server Error", "unexpected failure; see the server log");
        } finally {
          sample.stop(Timer.builder("testpulse.http.requests")
              .description("HTTP requests answered by the testpulse plugin, by route template")
              .tag("method", method)
              .tag("route", path)
              .tag("status", Integer.toString(ctx.statusCode()))
              .publishPercentileHistogram()
              .register(registry));
        }
      };
    }
  }

  @Override
  public String name() {
    return "testpulse";
  }

  private static String normalise(String prefix) {
    if (prefix == null || prefix.isBlank() || prefix.equals("/")) {
      return "";
    }
    String p = prefix.startsWith("/") ? prefix : "/" + prefix;
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
