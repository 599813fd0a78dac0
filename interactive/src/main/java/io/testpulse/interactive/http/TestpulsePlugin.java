package io.testpulse.interactive.http;

import io.javalin.config.JavalinState;
import io.javalin.http.Handler;
import io.javalin.plugin.Plugin;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.ingest.IngestService;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * testpulse's HTTP API as a Javalin plugin, for the bundled app or a Javalin app you already run:
 *
 * <pre>{@code
 * Javalin.create(config -> config.registerPlugin(new TestpulsePlugin(tp -> {
 *   tp.queries = new TestpulseQueries(streams, hostInfo);
 *   tp.authenticator = TokenAuthenticator.fromConfig(tokenEntries);
 *   tp.pathPrefix = "/testpulse";   // optional
 * })));
 * }</pre>
 *
 * Routes (under {@code pathPrefix}): {@code GET /api/v1/tests/{testId}}, {@code GET /health/live},
 * {@code GET /health/ready}, and with {@code ingest} set {@code POST /v1/uploads} and
 * {@code POST /api/v1/uploads}. Errors are {@code application/problem+json}; unexpected failures are
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
    /**
     * Optional: the ingest service behind {@code POST /v1/uploads} and {@code POST /api/v1/uploads}
     * (the Buildkite-compatible upload API). Without it those routes are not registered.
     */
    public IngestService ingest;
  }

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
    Routes routes = new Routes(state, prefix, auth);

    routes.before("/api/v1/*", auth::authorize);
    new TestController(config.queries).register(routes);
    new HealthController(config.queries).register(routes);
    if (config.ingest != null) new IngestController(config.ingest).register(routes);
  }

  /** Route registration under the plugin's prefix, every handler guarded; controllers register themselves. */
  static final class Routes {
    private final JavalinState state;
    private final String prefix;
    private final Auth auth;

    Routes(JavalinState state, String prefix, Auth auth) {
      this.state = state;
      this.prefix = prefix;
      this.auth = auth;
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
      state.routes.post(prefix + path, guarded(handler));
    }

    void before(String path, Handler handler) {
      state.routes.before(prefix + path, handler);
    }

    void get(String path, Handler handler) {
      state.routes.get(prefix + path, guarded(handler));
    }

    void post(String path, Handler handler) {
      state.routes.post(prefix + path, guarded(handler));
    }

    void put(String path, Handler handler) {
      state.routes.put(prefix + path, guarded(handler));
    }

    void delete(String path, Handler handler) {
      state.routes.delete(prefix + path, guarded(handler));
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

  /** Answers any unexpected exception as a 500 problem without leaking internals, logging the path only. */
  private static Handler guarded(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (RuntimeException e) {
        LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
        Problems.write(ctx, 500, "Internal Server Error", "unexpected failure; see the server log");
      }
    };
  }
}
