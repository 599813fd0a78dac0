package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /openapi.json} (the API's OpenAPI 3 description) and {@code GET /metrics} (Prometheus). */
final class OperationsController {

  static final String OPENAPI_RESOURCE = "/io/testpulse/interactive/http/openapi.json";

  private final PrometheusMeterRegistry registry;
  private final byte[] openApi;

  OperationsController(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.openApi = loadOpenApi();
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/openapi.json", this::openApi);
    routes.get("/metrics", this::metrics);
  }

  void openApi(Context ctx) {
    ctx.status(200).contentType("application/json").result(openApi);
  }

  void metrics(Context ctx) {
    ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
  }

  static byte[] loadOpenApi() {
    try (InputStream in = OperationsController.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
