package io.testpulse.interactive.http;

import io.javalin.config.JavalinState;
import io.javalin.http.Handler;
import io.javalin.plugin.Plugin;
import io.testpulse.interactive.TestpulseQueries;
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
 * {@code GET /health/ready}. Errors are {@code application/problem+json}; unexpected failures are
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
    Routes routes = new Routes(state, prefix);

    routes.before("/api/v1/*", auth::requireRead);
    new TestController(config.queries).register(routes);
    new HealthController(config.queries).register(routes);
  }

  /** Route registration under the plugin's prefix, every handler guarded; controllers register themselves. */
  static final class Routes {
    private final JavalinState state;
    private final String prefix;

    Routes(JavalinState state, String prefix) {
      this.state = state;
      this.prefix = prefix;
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
