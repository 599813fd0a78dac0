package io.testpulse.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain authenticated calls to one instance's query API, for the scenarios' checks. */
final class ApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token;

  ApiClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The test's answer, or null while it is not there (404) or not answerable (503). */
  JsonNode test(String testId) throws IOException, InterruptedException {
    HttpResponse<String> response = get("/api/v1/tests/" + testId);
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
  }
}
