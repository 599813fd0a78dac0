package io.testpulse.reliability;

import io.testpulse.reliability.HostileRequests.Probe;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scenario f, {@code hostile-http}: path traversal, oversized headers, invalid UTF-8, huge query
 * strings, oversized and malformed bodies, wrong content types, bad tokens and parameters, broken
 * framing (each answered 4xx or refused by closing, never 2xx or 5xx); slowloris connections whose
 * headers never finish and uploads whose bodies trickle in byte by byte, during which a normal request
 * must still be answered; and a thousand concurrent connections (no 5xx). One 5xx is not a failure:
 * Jetty's parser answers an HTTP/0.9 request 505 (HTTP Version Not Supported), the status HTTP
 * defines for it; the report lists it under {@code protocol_refusals_5xx}. Afterwards every instance
 * is alive, answers a normal authenticated request, and its memory grew by at most a bound
 * ({@link #MEMORY_BOUND_BYTES} unless given).
 */
public final class HostileHttpScenario implements Scenario {

  public static final String NAME = "hostile-http";

  /**
   * Default most an instance's memory may grow over the scenario: meant for heap used after a full GC
   * (the in-process context). For a child JVM's resident memory, which also grows as the heap expands
   * towards its maximum, pass a bound that fits its {@code -Xmx} to {@link #HostileHttpScenario(long)}.
   */
  public static final long MEMORY_BOUND_BYTES = 64L * 1024 * 1024;

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
  private static final String UNKNOWN_TEST = "fedcba9876543210fedcba9876543210";

  private final long memoryBoundBytes;

  public HostileHttpScenario() {
    this(MEMORY_BOUND_BYTES);
  }

  /** With another bound on memory growth (see {@link #MEMORY_BOUND_BYTES}). */
  public HostileHttpScenario(long memoryBoundBytes) {
    this.memoryBoundBytes = memoryBoundBytes;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** What the scenario saw, shared by its phases. */
  private static final class Tally {
    final Map<String, Long> byCategory = new TreeMap<>();
    final Map<String, Long> statuses = new TreeMap<>();
    final List<String> failures = new ArrayList<>();
    final List<String> protocolRefusals = new ArrayList<>();
    long serverErrors;

    void record(String category, String description, int status) {
      record(category, description, status, 0);
    }

    void record(String category, String description, int status, int protocolRefusal) {
      byCategory.merge(category, 1L, Long::sum);
      statuses.merge(RawHttp.label(status), 1L, Long::sum);
      if (status >= 500 && status == protocolRefusal) {
        protocolRefusals.add(description + ": " + status);
      } else if (status >= 500) {
        serverErrors++;
        failures.add(category + ": " + description + " answered " + status);
      }
    }
  }

  @Override
  public ScenarioReport run(ChaosContext context) throws Exception {
    Tally tally = new Tally();
    Map<String, Object> figures = new LinkedHashMap<>();
    URI target = context.instances().get(0);
    RawHttp http = new RawHttp(target);
    int normalBefore = awaitNormalRequest(http, context);
    if (normalBefore != 200) {
      tally.failures.add("a normal authenticated request answered " + RawHttp.label(normalBefore) + " before the attack");
    }
    long memoryBefore = context.memoryBytes(0);

    probes(http, context, tally);
    // quick mode attacks as many connections as the full mode, for less time
    figures.put("slowloris", slowloris(http, context, tally, 1000));
    figures.put("slow_bodies", slowBodies(http, context, tally, 300));
    figures.put("concurrent", concurrent(http, context, tally, 1000));

    long memoryAfter = context.memoryBytes(0);
    int normalAfter = awaitNormalRequest(http, context);
    if (normalAfter != 200) {
      tally.failures.add("a normal authenticated request answered " + RawHttp.label(normalAfter) + " after the attack");
    }
    for (int i = 0; i < context.instances().size(); i++) {
      if (!context.alive(i)) {
        tally.failures.add("instance " + i + " is not alive after the attack");
      }
    }
    if (memoryAfter - memoryBefore > memoryBoundBytes) {
      tally.failures.add("memory grew by " + (memoryAfter - memoryBefore) + " bytes, more than the bound of "
          + memoryBoundBytes);
    }
    figures.put("requests_by_category", tally.byCategory);
    figures.put("requests", tally.byCategory.values().stream().mapToLong(Long::longValue).sum());
    figures.put("status_histogram", tally.statuses);
    figures.put("server_errors_5xx", tally.serverErrors);
    figures.put("protocol_refusals_5xx", tally.protocolRefusals);
    figures.put("memory_before_bytes", memoryBefore);
    figures.put("memory_after_bytes", memoryAfter);
    figures.put("memory_bound_bytes", memoryBoundBytes);
    figures.put("normal_request_after", normalAfter);
    return ScenarioReport.of(NAME, 0, 0, 0, figures, tally.failures);
  }

  /** Every one-shot hostile request: 4xx or a refused connection, nothing else. */
  private static void probes(RawHttp http, ChaosContext context, Tally tally) {
    HostileRequests requests = new HostileRequests(context.token("read"), context.token("ingest"), context.token("admin"));
    for (Probe probe : requests.all()) {
      RawHttp.Response response = http.exchange(probe.bytes().get(), READ_TIMEOUT);
      int status = response.status();
      tally.record(probe.category(), probe.description(), status, probe.protocolRefusal());
      boolean refused = status == RawHttp.TIMEOUT || status == RawHttp.CLOSED || (status >= 400 && status < 500)
          || status == probe.protocolRefusal();
      boolean rejectedInside = probe.perRecord() && status == 202 && response.head().contains("\"queued\":0");
      if (status < 500 && !refused && !rejectedInside) {
        tally.failures.add(probe.category() + ": " + probe.description() + " answered " + status + " instead of a 4xx");
      }
      if (status >= 400 && status < 600 && status != probe.protocolRefusal() && !response.head().toLowerCase(java.util.Locale.ROOT)
          .contains("content-type: application/problem+json")) {
        tally.failures.add(probe.category() + ": " + probe.description() + " answered " + status
            + " without application/problem+json (an HTML or plain error page)");
      }
      if (response.head().contains("root:x:0:0")) {
        tally.failures.add(probe.category() + ": " + probe.description() + " leaked /etc/passwd");
      }
    }
  }

  /**
   * {@code connections} requests whose headers never end: one more header byte on each per round for a
   * few seconds, while a normal request must still be answered. Those connections may then be
   * answered 4xx (408, 431), closed, or still be waiting: none of those is wrong.
   */
  private static Map<String, Object> slowloris(RawHttp http, ChaosContext context, Tally tally, int connections)
      throws Exception {
    List<Socket> sockets = openAll(http, connections);
    byte[] start = ("GET /api/v1/tests/" + UNKNOWN_TEST + " HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .getBytes(StandardCharsets.ISO_8859_1);
    Map<String, Object> figures = trickle(http, context, tally, sockets, start, "slowloris");
    figures.put("connections", connections);
    return figures;
  }

  /** {@code connections} uploads declaring 1 MB and sending their body one byte per round, while a normal request is made. */
  private static Map<String, Object> slowBodies(RawHttp http, ChaosContext context, Tally tally, int connections)
      throws Exception {
    List<Socket> sockets = openAll(http, connections);
    byte[] start = RawHttp.concat(RawHttp.head("POST", "/api/v1/uploads", "Authorization: Bearer " + context.token("ingest"),
        "Content-Type: application/json", "Content-Length: 1000000"), "{\"data\":[".getBytes(StandardCharsets.UTF_8));
    Map<String, Object> figures = trickle(http, context, tally, sockets, start, "slow-body");
    figures.put("connections", connections);
    return figures;
  }

  private static Map<String, Object> trickle(RawHttp http, ChaosContext context, Tally tally, List<Socket> sockets,
      byte[] start, String category) throws Exception {
    Duration attack = context.quick() ? Duration.ofSeconds(5) : Duration.ofSeconds(30);
    int writable = 0;
    for (Socket socket : sockets) {
      writable += write(socket, start) ? 1 : 0;
    }
    CompletableFuture<long[]> normal = CompletableFuture.supplyAsync(() -> {
      long t0 = System.nanoTime();
      int status = normalRequest(http, context);
      return new long[] {status, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)};
    });
    long end = System.nanoTime() + attack.toNanos();
    int rounds = 0;
    while (System.nanoTime() < end) {
      for (Socket socket : sockets) {
        write(socket, new byte[] {'a'});
      }
      rounds++;
      Thread.sleep(100); // the pace of the attack: one byte per connection per round
    }
    long[] during = normal.get(60, TimeUnit.SECONDS);
    Thread.sleep(1000); // one second for the server to answer or close what it refuses, then look at each
    Map<String, Long> outcomes = new TreeMap<>();
    for (Socket socket : sockets) {
      socket.setSoTimeout(10);
      int status = RawHttp.status(socket);
      outcomes.merge(RawHttp.label(status), 1L, Long::sum);
      tally.record(category, "a trickled request", status);
      if (status >= 200 && status < 400) {
        tally.failures.add(category + ": a trickled request answered " + status);
      }
      socket.close();
    }
    if (during[0] != 200) {
      tally.failures.add(category + ": a normal request during the attack answered " + RawHttp.label((int) during[0])
          + " after " + during[1] + " ms");
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("opened", writable);
    figures.put("seconds", attack.toSeconds());
    figures.put("rounds", rounds);
    figures.put("outcomes", outcomes);
    figures.put("normal_request_during_status", during[0]);
    figures.put("normal_request_during_ms", during[1]);
    return figures;
  }

  /** {@code connections} connections open at once, each with a request for an unknown test (404). */
  private static Map<String, Object> concurrent(RawHttp http, ChaosContext context, Tally tally, int connections)
      throws Exception {
    List<Socket> sockets = openAll(http, connections);
    byte[] request = RawHttp.head("GET", "/api/v1/tests/" + UNKNOWN_TEST, "Authorization: Bearer " + context.token("read"));
    for (Socket socket : sockets) {
      write(socket, request);
    }
    Map<String, Long> outcomes = new TreeMap<>();
    for (Socket socket : sockets) {
      int status = RawHttp.status(socket);
      outcomes.merge(RawHttp.label(status), 1L, Long::sum);
      tally.record("concurrent-connections", "GET of an unknown test", status);
      socket.close();
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("connections", connections);
    figures.put("opened", sockets.size());
    figures.put("outcomes", outcomes);
    return figures;
  }

  private static List<Socket> openAll(RawHttp http, int connections) {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      try {
        sockets.add(http.open(READ_TIMEOUT));
      } catch (IOException e) {
        // a refused connection is a legitimate answer to a flood; counted by what was opened
      }
    }
    return sockets;
  }

  private static boolean write(Socket socket, byte[] bytes) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      return false; // the server closed it: an answer, read later
    }
  }

  /** GET /api/v1/tests?limit=1 with the read token: 200 when the instance serves normal traffic. */
  private static int normalRequest(RawHttp http, ChaosContext context) {
    return http.exchange(RawHttp.head("GET", "/api/v1/tests?limit=1", "Authorization: Bearer " + context.token("read")),
        READ_TIMEOUT).status();
  }

  /**
   * A normal request until it is answered 200 or 60 s passed: before the attack the instance may still
   * be starting; after it, connections of the attack may take a while to go.
   */
  private static int awaitNormalRequest(RawHttp http, ChaosContext context) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int status;
    do {
      status = normalRequest(http, context);
      if (status == 200) {
        return status;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < end);
    return status;
  }
}
