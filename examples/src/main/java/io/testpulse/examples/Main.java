package io.testpulse.examples;

import io.testpulse.examples.SampleData.Nature;
import io.testpulse.examples.SampleData.SampleTest;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestpulseConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/testpulse demo [--port 7070]} and {@code bin/testpulse run --config FILE}.
 */
public final class Main {

  static final String DEMO_TENANT = "demo";

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage(System.err);
      System.exit(2);
    }
    List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
    switch (args[0]) {
      case "demo" -> demo(rest);
      case "run" -> run(rest);
      case "upload" -> System.exit(UploadCommand.run(rest, System.getenv(), System.out, System.err));
      case "help", "--help", "-h" -> usage(System.out);
      default -> {
        System.err.println("unknown command: " + args[0]);
        usage(System.err);
        System.exit(2);
      }
    }
  }

  private static void usage(PrintStream out) {
    out.println("""
        usage: testpulse <command> [options]
          demo [--port 7070]     embedded Kafka broker + topology + HTTP API + generated sample data
          run --config FILE      the same app against an existing Kafka cluster (bootstrap.servers in FILE)
          upload [--url URL] [--token TOKEN] PATHS...
                                 upload JUnit XML files, Surefire report folders or Buildkite-format JSON
          bench [--quick] [--json FILE]
                                 the benchmark harness (benchmarks/RESULTS.md); bin/testpulse builds and runs it
          chaos [--quick] [--json FILE] [--scenario NAME]...
                                 the fault-injection harness (RELIABILITY.md); bin/testpulse builds and runs it
        """);
  }

  private static String option(List<String> args, String name, String fallback) {
    int i = args.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args.get(i + 1);
  }

  private static void run(List<String> args) throws Exception {
    String file = option(args, "--config", null);
    if (file == null) {
      throw new IllegalArgumentException("run needs --config FILE");
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      props.load(in);
    }
    TestpulseConfig config = new TestpulseConfig(EnvOverrides.apply(props, System.getenv()));
    TestpulseApp app = TestpulseApp.start(config);
    awaitShutdown(app);
  }

  private static void demo(List<String> args) throws Exception {
    String port = option(args, "--port", System.getenv().getOrDefault("TESTPULSE_HTTP_PORT", "7070"));
    PrintStream out = System.out;
    out.println("Starting an embedded Kafka broker (KRaft) ...");
    EmbeddedKafka kafka = EmbeddedKafka.start();
    String ingestToken = tokenFromEnvOr("TESTPULSE_INGEST_TOKEN");
    String readToken = tokenFromEnvOr("TESTPULSE_READ_TOKEN");
    String adminToken = tokenFromEnvOr("TESTPULSE_ADMIN_TOKEN");
    Path stateDir = Files.createTempDirectory("testpulse-demo-state");

    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("state.dir", stateDir.toString());
    props.put("application.id", "testpulse-demo");
    props.put(TestpulseConfig.HTTP_PORT_CONFIG, port);
    // the sample data tags every execution with both: ?groupBy=instance_type,arch works in the demo
    props.put(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "instance_type,arch");
    props.put(TestpulseConfig.AUTH_TOKENS_CONFIG, String.join(",",
        TokenAuthenticator.configEntry(DEMO_TENANT, Role.INGEST, ingestToken),
        TokenAuthenticator.configEntry(DEMO_TENANT, Role.READ, readToken),
        TokenAuthenticator.configEntry(DEMO_TENANT, Role.ADMIN, adminToken)));
    TestpulseConfig config = new TestpulseConfig(props);

    out.println("Starting the topology and the HTTP API ...");
    TestpulseApp app = TestpulseApp.start(config);
    Thread stopper = new Thread(() -> closeQuietly(app, kafka), "testpulse-shutdown");
    Runtime.getRuntime().addShutdownHook(stopper);

    SampleData data = new SampleData(SampleData.Shape.demo(DEMO_TENANT, Instant.now()));
    out.printf("Loading sample data: %,d tests over %,d commits ...%n", data.shape().tests(), data.shape().commits());
    long produced = SampleLoader.load(kafka.bootstrapServers(), config.topics().executions(), data);
    out.printf("Processing %,d executions ...%n", produced);
    boolean caughtUp = Progress.awaitCaughtUp(kafka.bootstrapServers(), "testpulse-demo",
        config.topics().executions().name(), Duration.ofMinutes(3));

    String url = "http://localhost:" + app.httpPort();
    SampleTest flaky = first(data, Nature.FLAKY);
    SampleTest broken = first(data, Nature.BROKEN);
    SampleTest healthy = first(data, Nature.HEALTHY);
    out.println();
    out.println("testpulse demo is up" + (caughtUp ? "" : " (still processing the sample data)") + ".");
    out.printf("  Kafka (embedded, KRaft):  %s%n", kafka.bootstrapServers());
    out.printf("  HTTP API:                 %s%n", url);
    out.printf("  Dashboard:                %s/ui/  (paste the read token, or the admin token to quarantine)%n", url);
    out.printf("  Sample data:              %,d executions, tenant \"%s\"%n", produced, DEMO_TENANT);
    out.printf("  Topics:                   %s (input), %s (compacted output), %s%n",
        config.topics().executions().name(), config.topics().testStats().name(), config.topics().deadLetters().name());
    out.println();
    out.println("Try:");
    out.printf("  curl -s %s/health/ready%n", url);
    out.printf("  curl -s -H 'Authorization: Bearer %s' %s/api/v1/tests/%s    # a flaky test%n", readToken, url,
        flaky.testId());
    out.printf("  curl -s -H 'Authorization: Bearer %s' %s/api/v1/tests/%s    # a broken test%n", readToken, url,
        broken.testId());
    out.printf("  curl -s -H 'Authorization: Bearer %s' %s/api/v1/tests/%s    # a healthy test%n", readToken, url,
        healthy.testId());
    out.printf("  curl -s -H 'Authorization: Bearer %s' '%s/api/v1/tests?suite=%s&sort=score&limit=5'    # least reliable "
        + "first%n", readToken, url, flaky.suite());
    out.printf("  curl -s -X PUT -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{\"reason\":\"flaky\"}' "
        + "%s/api/v1/tests/%s/quarantine%n", adminToken, url, flaky.testId());
    out.printf("  curl -s -H 'Authorization: Bearer %s' %s/api/v1/quarantined%n", readToken, url);
    out.printf("  curl -sN -H 'Accept: text/event-stream' -H 'Authorization: Bearer %s' %s/api/v1/transitions/stream    # live transitions%n",
        readToken, url);
    out.printf("  curl -s %s/openapi.json ; curl -s %s/metrics%n", url, url);
    out.println();
    out.println("Upload test results (Buildkite-compatible upload API):");
    out.printf("  Upload URL:   %s/v1/uploads%n", url);
    out.printf("  Ingest token: %s%n", ingestToken);
    out.printf("  Collectors:   BUILDKITE_ANALYTICS_TOKEN=%s plus, by collector,%n", ingestToken);
    out.printf("                BUILDKITE_ANALYTICS_ENDPOINT=%s/v1/uploads (Ruby),%n", url);
    out.printf("                BUILDKITE_ANALYTICS_BASE_URL=%s/v1/uploads (JavaScript),%n", url);
    out.printf("                BUILDKITE_ANALYTICS_API_URL=%s/v1 (Python)%n", url);
    out.printf("  curl -s -X POST -H 'Authorization: Token token=\"%s\"' -H 'Content-Type: application/json' "
        + "%s/v1/uploads -d '{\"format\":\"json\",\"run_env\":{\"CI\":\"local\",\"key\":\"try-1\"},"
        + "\"data\":[{\"scope\":\"Demo\",\"name\":\"uploads\",\"result\":\"passed\","
        + "\"history\":{\"duration\":0.25}}]}'%n", ingestToken, url);
    out.printf("  bin/testpulse upload --url %s --token %s target/surefire-reports%n", url, ingestToken);
    out.println();
    out.println("For scripts:");
    out.println("TESTPULSE_URL=" + url);
    out.println("TESTPULSE_INGEST_TOKEN=" + ingestToken);
    out.println("TESTPULSE_READ_TOKEN=" + readToken);
    out.println("TESTPULSE_ADMIN_TOKEN=" + adminToken);
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
    new CountDownLatch(1).await();
  }

  private static SampleTest first(SampleData data, Nature nature) {
    return data.tests().stream().filter(t -> t.nature() == nature).findFirst()
        .orElseThrow(() -> new IllegalStateException("sample data has no " + nature + " test"));
  }

  private static String tokenFromEnvOr(String envName) {
    String fromEnv = System.getenv(envName);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return "tp_" + HexFormat.of().formatHex(bytes);
  }

  private static void awaitShutdown(TestpulseApp app) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      stopped.countDown();
    }, "testpulse-shutdown"));
    stopped.await();
  }

  private static void closeQuietly(TestpulseApp app, EmbeddedKafka kafka) {
    System.out.println("Stopping testpulse ...");
    app.close();
    try {
      kafka.close();
    } catch (Exception e) {
      System.err.println("Embedded Kafka did not close cleanly: " + e);
    }
  }


}
