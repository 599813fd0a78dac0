package io.testpulse.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The query load generator, in a child JVM of its own: {@code <baseUrl> <token> <idsFile>
 * <seconds> <maxRequests> <path>...}. For each path template ({@code {id}} is replaced by a random
 * test id of the file) it sends requests one after another (closed loop, one connection) for at
 * most {@code seconds} and {@code maxRequests}, after a warm-up of 200 requests, and prints
 * {@code RESULT {json}} with p50, p99, p99.9 and max in milliseconds per path.
 */
public final class LoadGenerator {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadGenerator() {
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String token = args[1];
    List<String> ids = Files.readAllLines(Path.of(args[2]));
    Duration budget = Duration.ofSeconds(Long.parseLong(args[3]));
    int maxRequests = Integer.parseInt(args[4]);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    SplittableRandom random = new SplittableRandom(11);
    Map<String, Object> result = new LinkedHashMap<>();
    for (int p = 5; p < args.length; p++) {
      String template = args[p];
      long start = System.nanoTime();
      long deadline = start + budget.toNanos();
      long warmUpEnd = start + budget.toNanos() / 4;
      // Warm-up (at most 200 requests or a quarter of the budget); a request that times out ends it,
      // so a server that stopped answering shows in the figures.
      for (int i = 0; i < 200 && System.nanoTime() < warmUpEnd; i++) {
        if (send(client, base, template, token, ids.get(random.nextInt(ids.size()))) == -1) {
          break;
        }
      }
      long[] latencies = new long[maxRequests];
      int n = 0;
      int errors = 0;
      int status = 0;
      int timeoutsInARow = 0;
      // Stops early after 3 timed-out requests in a row: the server is not answering (they count in the figures).
      while (n < maxRequests && (n == 0 || System.nanoTime() < deadline) && timeoutsInARow < 3) {
        long t0 = System.nanoTime();
        status = send(client, base, template, token, ids.get(random.nextInt(ids.size())));
        latencies[n++] = System.nanoTime() - t0;
        if (status != 200) {
          errors++;
        }
        timeoutsInARow = status == -1 ? timeoutsInARow + 1 : 0;
      }
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("requests", n);
      figures.put("timed_out_in_a_row", timeoutsInARow);
      figures.put("non_200", errors);
      figures.put("last_status", status);
      figures.put("p50_ms", quantile(sorted, 0.50));
      figures.put("p99_ms", quantile(sorted, 0.99));
      figures.put("p999_ms", quantile(sorted, 0.999));
      figures.put("max_ms", n == 0 ? 0 : sorted[n - 1] / 1e6);
      result.put(template, figures);
    }
    System.out.println("RESULT " + JSON.writeValueAsString(result));
    System.out.flush();
    System.exit(0);
  }

  private static int send(HttpClient client, String base, String template, String token, String id) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + template.replace("{id}", id)))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).GET().build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
