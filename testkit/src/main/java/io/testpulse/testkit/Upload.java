package io.testpulse.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One upload as a CI collector sends it to {@code POST /v1/uploads}: a Buildkite-format JSON body (a
 * bare array of results or the envelope {@code {format, run_env, tags, data}}), or a JUnit XML report,
 * plus what HTTP gives outside the body (multipart or query fields {@code run_env[...]},
 * {@code tags[...]}, {@code suite}) and what the credential gives (tenant, bound suite).
 * {@code driver.send(upload)} maps it exactly as the HTTP ingest path does.
 *
 * <p>Immutable: every {@code with*}-style method returns a new upload.
 *
 * <pre>{@code
 * driver.send(Upload.json("""
 *     {"run_env": {"CI": "buildkite", "key": "build-42", "branch": "main", "commit_sha": "abc"},
 *      "data": [{"id": "r1", "scope": "Cart", "name": "adds an item", "result": "failed",
 *                "history": {"duration": 0.25}}]}
 *     """));
 * }</pre>
 */
public final class Upload {

  private final byte[] payload;
  private final boolean junit;
  private final String tenant;
  private final String tokenSuite;
  private final String suite;
  private final Map<String, String> runEnv;
  private final Map<String, String> tags;
  private final Instant receivedAt;

  private Upload(byte[] payload, boolean junit, String tenant, String tokenSuite, String suite,
      Map<String, String> runEnv, Map<String, String> tags, Instant receivedAt) {
    this.payload = payload;
    this.junit = junit;
    this.tenant = tenant;
    this.tokenSuite = tokenSuite;
    this.suite = suite;
    this.runEnv = Map.copyOf(runEnv);
    this.tags = Map.copyOf(tags);
    this.receivedAt = receivedAt;
  }

  /** A JSON upload (bare array of results, or envelope), as the collectors' JSON bodies. */
  public static Upload json(String body) {
    return json(body.getBytes(StandardCharsets.UTF_8));
  }

  public static Upload json(byte[] body) {
    return new Upload(body.clone(), false, null, null, null, Map.of(), Map.of(), null);
  }

  /** A JUnit XML report ({@code format=junit}): Surefire, Gradle, pytest {@code --junitxml}, jest-junit. */
  public static Upload junitXml(String xml) {
    return junitXml(xml.getBytes(StandardCharsets.UTF_8));
  }

  public static Upload junitXml(byte[] xml) {
    return new Upload(xml.clone(), true, null, null, null, Map.of(), Map.of(), null);
  }

  /** A file as the body: {@code .xml} is JUnit XML, anything else Buildkite-format JSON (a Surefire report, a collector's JSON). */
  public static Upload of(Path file) throws IOException {
    byte[] body = Files.readAllBytes(file);
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml") ? junitXml(body) : json(body);
  }

  /** The credential's tenant (default: the driver's {@code executions()} tenant). */
  public Upload tenant(String tenant) {
    return new Upload(payload, junit, Objects.requireNonNull(tenant, "tenant"), tokenSuite, suite, runEnv, tags,
        receivedAt);
  }

  /** The suite the credential is bound to: it wins over the upload's own {@code suite}. */
  public Upload tokenSuite(String tokenSuite) {
    return new Upload(payload, junit, tenant, tokenSuite, suite, runEnv, tags, receivedAt);
  }

  /** The {@code suite} field (multipart field or query parameter); else the envelope's, else the default suite. */
  public Upload suite(String suite) {
    return new Upload(payload, junit, tenant, tokenSuite, suite, runEnv, tags, receivedAt);
  }

  /** A {@code run_env[name]} field: {@code CI}, {@code key}, {@code number}, {@code job_id}, {@code branch}, ... */
  public Upload runEnv(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(runEnv);
    env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new Upload(payload, junit, tenant, tokenSuite, suite, env, tags, receivedAt);
  }

  /** A {@code tags[name]} field; a result's own tags win over it. */
  public Upload tag(String name, String value) {
    Map<String, String> t = new LinkedHashMap<>(tags);
    t.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new Upload(payload, junit, tenant, tokenSuite, suite, runEnv, t, receivedAt);
  }

  /** When the server receives it: the event time of every execution (default: the driver's {@code now()}). */
  public Upload receivedAt(Instant receivedAt) {
    return new Upload(payload, junit, tenant, tokenSuite, suite, runEnv, tags,
        Objects.requireNonNull(receivedAt, "receivedAt"));
  }

  byte[] payload() {
    return payload;
  }

  boolean junit() {
    return junit;
  }

  String tenant() {
    return tenant;
  }

  String tokenSuite() {
    return tokenSuite;
  }

  String suite() {
    return suite;
  }

  Map<String, String> runEnv() {
    return runEnv;
  }

  Map<String, String> tags() {
    return tags;
  }

  Instant receivedAt() {
    return receivedAt;
  }
}
