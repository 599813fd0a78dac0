package io.testpulse.interactive;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.serdes.JsonSerde;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.HostInfo;

/**
 * HTTP calls to the other instances' internal API, with the shared secret. Only {@link KeyRouter}
 * calls it, and only with hosts that Kafka Streams metadata names: never a host from a request.
 */
public final class PeerClient {

  /** The header carrying the shared secret between instances. */
  static final String SECRET_HEADER = "X-Testpulse-Internal";
  /** The tenant a forwarded public request is answered for (trusted only with the secret). */
  static final String TENANT_HEADER = "X-Testpulse-Tenant";

  private static final ObjectMapper JSON = JsonSerde.MAPPER;

  private final HttpClient http;
  private final String secret;
  private final Duration timeout;
  private final String pathPrefix;

  PeerClient(String secret, Duration timeout, String pathPrefix) {
    this.secret = secret;
    this.timeout = timeout;
    this.pathPrefix = pathPrefix == null ? "" : pathPrefix;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  boolean enabled() {
    return secret != null && !secret.isEmpty();
  }

  /** Whether a presented secret is this application's: hashed, then compared in constant time. */
  boolean accepts(String presented) {
    if (!enabled() || presented == null) {
      return false;
    }
    return java.security.MessageDigest.isEqual(sha256(secret), sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  CompletableFuture<KeyAnswer> get(HostInfo host, String store, String key, int partition, boolean allowStale) {
    String path = "/internal/v1/stores/" + encode(store) + "/key?key=" + encode(key) + "&partition=" + partition
        + "&allowStale=" + allowStale;
    return call(host, path).thenApply(body -> read(body, JSON.constructType(KeyAnswer.class)));
  }

  <R> CompletableFuture<PartPage<R>> list(HostInfo host, ListSpec<?, R> spec, ListQuery query, Set<Integer> partitions,
      boolean allowStale) {
    StringBuilder path = new StringBuilder("/internal/v1/lists/").append(encode(spec.name()))
        .append("?tenant=").append(encode(query.tenant()))
        .append("&sort=").append(encode(query.sort()))
        .append("&limit=").append(query.limit())
        .append("&allowStale=").append(allowStale)
        .append("&partitions=").append(partitions.stream().map(String::valueOf).collect(Collectors.joining(",")));
    if (query.after() != null) {
      path.append("&after=").append(encode(Cursors.encodeKey(query.after())));
    }
    for (Map.Entry<String, String> filter : query.filters().entrySet()) {
      path.append("&f.").append(encode(filter.getKey())).append('=').append(encode(filter.getValue()));
    }
    JavaType type = JSON.getTypeFactory().constructParametricType(PartPage.class, spec.rowType());
    return call(host, path.toString()).thenApply(body -> read(body, type));
  }

  /** An instance's answer as it gave it: status, content type, body. */
  public record RawAnswer(int status, String contentType, byte[] body, String retryAfter) {
  }

  /** A request to another instance's internal mirror API on behalf of {@code tenant}. */
  CompletableFuture<RawAnswer> raw(HostInfo host, String pathAndQuery, String tenant) {
    if (!enabled()) {
      return CompletableFuture.failedFuture(new IllegalStateException("forwarding is off"));
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathPrefix
            + pathAndQuery))
        .timeout(timeout)
        .header(SECRET_HEADER, secret)
        .header(TENANT_HEADER, tenant)
        .GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> new RawAnswer(
        r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body(),
        r.headers().firstValue("Retry-After").orElse(null)));
  }

  private CompletableFuture<byte[]> call(HostInfo host, String path) {
    if (!enabled()) {
      return CompletableFuture.failedFuture(new IllegalStateException("forwarding is off: "
          + "testpulse.internal.secret is not set"));
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathPrefix
            + path))
        .timeout(timeout)
        .header(SECRET_HEADER, secret)
        .header("Accept", "application/json")
        .GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException(host + " answered " + response.statusCode());
      }
      return response.body();
    });
  }

  private static <T> T read(byte[] body, JavaType type) {
    try {
      return JSON.readValue(body, type);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable answer from another instance: " + e.getMessage(), e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
