package io.testpulse.reliability;

import static io.testpulse.reliability.RawHttp.concat;
import static io.testpulse.reliability.RawHttp.head;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The one-shot hostile requests of the hostile-http scenario, by category. Each must be answered
 * 4xx, or refused by closing the connection; never 2xx, 3xx or 5xx.
 */
final class HostileRequests {

  /**
   * One request, named for the report, built when sent (some are tens of MiB).
   *
   * @param perRecord an upload whose one bad record the API may reject inside a 202 ({@code "queued":0})
   * @param protocolRefusal a 5xx that HTTP itself defines as the refusal of this request (505 for an
   *     HTTP/0.9 request, RFC 9110 section 15.6.6), answered by Jetty's parser before any testpulse code;
   *     0 for none. Counted apart from the server errors, never hidden
   */
  record Probe(String category, String description, Supplier<byte[]> bytes, boolean perRecord, int protocolRefusal) {
    Probe(String category, String description, Supplier<byte[]> bytes) {
      this(category, description, bytes, false, 0);
    }

    Probe(String category, String description, Supplier<byte[]> bytes, boolean perRecord) {
      this(category, description, bytes, perRecord, 0);
    }
  }

  private static final String UNKNOWN_TEST = "0123456789abcdef0123456789abcdef";

  private final String read;
  private final String ingest;
  private final String admin;

  HostileRequests(String readToken, String ingestToken, String adminToken) {
    this.read = "Authorization: Bearer " + readToken;
    this.ingest = "Authorization: Bearer " + ingestToken;
    this.admin = "Authorization: Bearer " + adminToken;
  }

  List<Probe> all() {
    List<Probe> probes = new ArrayList<>();
    probes.addAll(pathTraversal());
    probes.addAll(oversizedHeaders());
    probes.addAll(invalidUtf8());
    probes.addAll(hugeQueryStrings());
    probes.addAll(oversizedBodies());
    probes.addAll(wrongContentTypes());
    probes.addAll(badTokens());
    probes.addAll(badParameters());
    probes.addAll(brokenFraming());
    probes.addAll(amplification());
    return probes;
  }

  /**
   * Requests whose cost was out of proportion to their size: 50,000 upload tags copied into each of
   * 2,000 results (a 905 KiB upload held a thread for 13 s), a multipart body of 20,000 fields, and a
   * {@code Last-Event-ID} naming a partition the topic does not have (it replayed every partition).
   */
  private List<Probe> amplification() {
    String c = "amplification";
    StringBuilder tags = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      tags.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
    }
    StringBuilder results = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      results.append(i == 0 ? "" : ",").append("{\"scope\":\"Amp\",\"name\":\"t").append(i)
          .append("\",\"result\":\"passed\",\"history\":{\"duration\":0.1}}");
    }
    byte[] tagBomb = ("{\"format\":\"json\",\"run_env\":{\"CI\":\"x\",\"key\":\"hostile-tags\"},\"tags\":{" + tags
        + "},\"data\":[" + results + "]}").getBytes(StandardCharsets.UTF_8);
    String boundary = "hostile-boundary";
    StringBuilder fields = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      fields.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"tags[k").append(i)
          .append("]\"\r\n\r\nv\r\n");
    }
    fields.append("--").append(boundary).append("--\r\n");
    return List.of(
        probe(c, "upload with 50,000 upload tags and 2,000 results", post("/api/v1/uploads", ingest,
            "application/json", tagBomb)),
        probe(c, "multipart upload with 20,000 fields", post("/api/v1/uploads", ingest,
            "multipart/form-data; boundary=" + boundary, fields.toString().getBytes(StandardCharsets.UTF_8))),
        probe(c, "live stream resumed from an unknown partition", head("GET", "/api/v1/transitions/stream", read,
            "Accept: text/event-stream", "Last-Event-ID: 9999:0")));
  }

  private List<Probe> pathTraversal() {
    String c = "path-traversal";
    List<Probe> probes = new ArrayList<>();
    for (String target : List.of("/../../../../etc/passwd", "/api/v1/../../etc/passwd", "//etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/tests/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/v1/tests/..%2f..%2f..%2fetc%2fpasswd",
        "/api/v1/tests/%252e%252e%252fetc%252fpasswd", "/openapi.json/../../../etc/passwd", "/..%5c..%5c..%5cetc%5cpasswd",
        "/api/v1/tests/" + UNKNOWN_TEST + "/..;/..;/etc/passwd", "/health/live/%00../../etc/passwd",
        "/api/v1/suites/..%2f..%2fetc/durations", "file:///etc/passwd", "http://localhost/../../etc/passwd")) {
      probes.add(probe(c, "GET " + target, head("GET", target, read)));
    }
    return probes;
  }

  private List<Probe> oversizedHeaders() {
    String c = "oversized-headers";
    String big = "x".repeat(64 * 1024);
    String[] many = new String[2000];
    Arrays.setAll(many, i -> "X-Header-" + i + ": " + "v".repeat(64));
    return List.of(
        probe(c, "64 KiB header value", head("GET", "/api/v1/tests/" + UNKNOWN_TEST, read, "X-Big: " + big)),
        probe(c, "256 KiB header value", head("GET", "/health/live", "X-Big: " + "y".repeat(256 * 1024))),
        probe(c, "64 KiB Authorization", head("GET", "/api/v1/tests/" + UNKNOWN_TEST, "Authorization: Bearer " + big)),
        probe(c, "2000 headers", head("GET", "/api/v1/tests/" + UNKNOWN_TEST, concatHeaders(read, many))),
        probe(c, "64 KiB cookie", head("GET", "/api/v1/tests/" + UNKNOWN_TEST, read, "Cookie: a=" + big)));
  }

  private static String[] concatHeaders(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  private List<Probe> invalidUtf8() {
    String c = "invalid-utf8";
    List<Probe> probes = new ArrayList<>();
    for (String target : List.of("/api/v1/tests/%C3%28", "/api/v1/tests/%FF%FE%FD", "/api/v1/tests?suite=%C3%28&name=%ED%A0%80",
        "/api/v1/tests?suite=web&scope=%FF&name=%80", "/api/v1/suites/%F0%28%8C%BC/durations", "/api/v1/tests/%C0%AF")) {
      probes.add(probe(c, "GET " + target, head("GET", target, read)));
    }
    byte[] rawPath = concat("GET /api/v1/tests/".getBytes(StandardCharsets.ISO_8859_1), new byte[] {(byte) 0xff, (byte) 0xc3, 0x28},
        " HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.ISO_8859_1),
        (read + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    probes.add(probe(c, "raw 0xFF bytes in the path", rawPath));
    byte[] badJson = concat("{\"format\":\"json\",\"run_env\":{\"CI\":\"x\",\"key\":\"".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xc3, 0x28, (byte) 0xff}, "\"},\"data\":[{\"name\":\"".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\",\"history\":{\"duration\":1}}]}".getBytes(StandardCharsets.UTF_8));
    probes.add(probe(c, "upload JSON with invalid UTF-8", post("/api/v1/uploads", ingest, "application/json", badJson)));
    byte[] badQuarantine = concat("{\"reason\":\"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, (byte) 0xfe},
        "\"}".getBytes(StandardCharsets.UTF_8));
    probes.add(probe(c, "quarantine JSON with invalid UTF-8",
        request("PUT", "/api/v1/tests/" + UNKNOWN_TEST + "/quarantine", admin, "application/json", badQuarantine)));
    return probes;
  }

  private List<Probe> hugeQueryStrings() {
    String c = "huge-query";
    String mib = "a".repeat(1024 * 1024);
    return List.of(
        probe(c, "1 MiB query value", head("GET", "/api/v1/tests?suite=" + mib, read)),
        probe(c, "100,000 query parameters", head("GET", "/api/v1/tests?" + "p=1&".repeat(100_000), read)),
        probe(c, "1 MiB path", head("GET", "/api/v1/tests/" + mib, read)),
        probe(c, "1 MiB query on an upload", post("/api/v1/uploads?run_env[key]=" + mib, ingest, "application/json",
            "{}".getBytes(StandardCharsets.UTF_8))));
  }

  private List<Probe> oversizedBodies() {
    String c = "oversized-body";
    byte[] quarantine1Mib = ("{\"reason\":\"" + "r".repeat(1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    return List.of(
        new Probe(c, "40 MiB upload (limit 32 MiB)", () -> post("/api/v1/uploads", ingest, "application/json", spaces(40))),
        new Probe(c, "40 MiB upload, chunked", () -> chunked("/api/v1/uploads", ingest, "application/json", spaces(40))),
        probe(c, "gzip bomb: 200 MiB of spaces gzipped", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Content-Encoding: gzip", "Content-Length: " + gzipBomb().length), gzipBomb())),
        probe(c, "1 MiB quarantine body (limit 16 KiB)",
            request("PUT", "/api/v1/tests/" + UNKNOWN_TEST + "/quarantine", admin, "application/json", quarantine1Mib)),
        probe(c, "deeply nested JSON upload", post("/api/v1/uploads", ingest, "application/json",
            ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8))),
        probe(c, "deeply nested JSON quarantine", request("PUT", "/api/v1/tests/" + UNKNOWN_TEST + "/quarantine", admin,
            "application/json", ("{\"reason\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8))),
        new Probe(c, "upload with a 2 MiB test name", () -> post("/api/v1/uploads", ingest, "application/json",
            ("{\"format\":\"json\",\"run_env\":{\"CI\":\"x\",\"key\":\"hostile-big-name\"},\"data\":[{\"name\":\""
                + "n".repeat(2 * 1024 * 1024) + "\",\"history\":{\"duration\":1}}]}").getBytes(StandardCharsets.UTF_8)), true));
  }

  private List<Probe> wrongContentTypes() {
    String c = "wrong-content-type";
    byte[] json = "{\"format\":\"json\",\"run_env\":{\"CI\":\"x\",\"key\":\"ct\"},\"data\":[]}".getBytes(StandardCharsets.UTF_8);
    return List.of(
        probe(c, "upload as text/plain", post("/api/v1/uploads", ingest, "text/plain", json)),
        probe(c, "upload without Content-Type", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Length: " + json.length), json)),
        probe(c, "upload as multipart without boundary", post("/api/v1/uploads", ingest, "multipart/form-data", json)),
        probe(c, "upload as multipart, body not multipart", post("/api/v1/uploads", ingest,
            "multipart/form-data; boundary=xyz", json)),
        probe(c, "upload as XML, body JSON", post("/api/v1/uploads", ingest, "application/xml", json)),
        probe(c, "upload with Content-Encoding br", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Content-Encoding: br", "Content-Length: " + json.length), json)),
        probe(c, "upload gzip-declared, body not gzip", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Content-Encoding: gzip", "Content-Length: " + json.length), json)),
        probe(c, "quarantine as text/html", request("PUT", "/api/v1/tests/" + UNKNOWN_TEST + "/quarantine", admin,
            "text/html", "<html>".getBytes(StandardCharsets.UTF_8))),
        probe(c, "upload as XML with an entity bomb", post("/api/v1/uploads", ingest, "application/xml",
            xmlBomb().getBytes(StandardCharsets.UTF_8))));
  }

  private List<Probe> badTokens() {
    String c = "bad-token";
    String target = "/api/v1/tests/" + UNKNOWN_TEST;
    List<Probe> probes = new ArrayList<>();
    for (String header : List.of("Authorization: Bearer wrong", "Authorization: Bearer ", "Authorization: Token token=",
        "Authorization: Token token=\"\"", "Authorization: Basic YWRtaW46YWRtaW4=", "Authorization: " + "B".repeat(4096),
        "Authorization: Bearer " + "t".repeat(8 * 1024), "Authorization: Bearer \u00e9\u00ff", "X-Testpulse-Internal: guess")) {
      probes.add(probe(c, "GET with " + header.substring(0, Math.min(40, header.length())), head("GET", target, header)));
    }
    probes.add(probe(c, "GET without a token", head("GET", target)));
    probes.add(probe(c, "upload with a read token", post("/api/v1/uploads", read, "application/json",
        "{}".getBytes(StandardCharsets.UTF_8))));
    probes.add(probe(c, "query with an ingest token", head("GET", target, ingest)));
    probes.add(probe(c, "quarantine with a read token", request("PUT", target + "/quarantine", read, "application/json",
        "{}".getBytes(StandardCharsets.UTF_8))));
    probes.add(probe(c, "internal route without the secret", head("GET", "/internal/v1/stores/test-record/key?key=x", read)));
    return probes;
  }

  private List<Probe> badParameters() {
    String c = "bad-parameters";
    List<Probe> probes = new ArrayList<>();
    for (String target : List.of("/api/v1/tests?limit=99999999999999999999", "/api/v1/tests?limit=-1", "/api/v1/tests?limit=abc",
        "/api/v1/tests?cursor=%%%%", "/api/v1/tests?cursor=" + "A".repeat(10_000), "/api/v1/tests?sort=;drop",
        "/api/v1/tests?state=../../x", "/api/v1/tests/" + UNKNOWN_TEST + "/durations?from=abc",
        "/api/v1/tests/" + UNKNOWN_TEST + "/durations?to=%2B1000000000-12-31T23:59:59Z",
        "/api/v1/tests/" + UNKNOWN_TEST + "/durations?from=-9223372036854775808&to=9223372036854775807",
        "/api/v1/tests/" + UNKNOWN_TEST + "/durations?from=9223372036854775807",
        "/api/v1/suites/web/durations?groupBy=" + "a,".repeat(5000), "/api/v1/quarantined?limit=0",
        "/api/v1/tests?allowStale=maybe", "/api/v1/tests?unknown=1")) {
      probes.add(probe(c, "GET " + target.substring(0, Math.min(90, target.length())), head("GET", target, read)));
    }
    for (String body : List.of("{\"expiresAt\":\"+1000000000-12-31T23:59:59Z\"}", "{\"expiresAt\":1e400}",
        "{\"expiresAt\":99999999999999999999999}", "{\"expiresAt\":-1}", "{\"reason\":{\"a\":1}}", "not json", "[]", "null")) {
      probes.add(probe(c, "quarantine " + body, request("PUT", "/api/v1/tests/" + UNKNOWN_TEST + "/quarantine", admin,
          "application/json", body.getBytes(StandardCharsets.UTF_8))));
    }
    return probes;
  }

  private List<Probe> brokenFraming() {
    String c = "broken-framing";
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    return List.of(
        probe(c, "negative Content-Length", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Content-Length: -1"), json)),
        probe(c, "two Content-Lengths", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Content-Length: 2", "Content-Length: 5"), json)),
        probe(c, "Content-Length and chunked", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Content-Length: 2", "Transfer-Encoding: chunked"), json)),
        probe(c, "bad chunk size", concat(head("POST", "/api/v1/uploads", ingest,
            "Content-Type: application/json", "Transfer-Encoding: chunked"), "zz\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8))),
        probe(c, "unknown method", head("BREW", "/api/v1/tests", read)),
        new Probe(c, "HTTP/0.9 request", () -> "GET /health/live\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), false, 505),
        probe(c, "garbage request line", "\u0000\u0001\u0002 garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)),
        probe(c, "header without colon", head("GET", "/api/v1/tests", read, "NoColonHere")),
        probe(c, "TRACE", head("TRACE", "/api/v1/tests", read)));
  }

  /** A probe of bytes built now (small ones; the large bodies are built when sent). */
  private static Probe probe(String category, String description, byte[] bytes) {
    return new Probe(category, description, () -> bytes);
  }

  private static byte[] post(String target, String auth, String contentType, byte[] body) {
    return request("POST", target, auth, contentType, body);
  }

  private static byte[] request(String method, String target, String auth, String contentType, byte[] body) {
    return concat(head(method, target, auth, "Content-Type: " + contentType, "Content-Length: " + body.length), body);
  }

  private static byte[] chunked(String target, String auth, String contentType, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head("POST", target, auth, "Content-Type: " + contentType, "Transfer-Encoding: chunked"));
    int chunk = 1024 * 1024;
    for (int from = 0; from < body.length; from += chunk) {
      int n = Math.min(chunk, body.length - from);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, from, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static byte[] spaces(int mib) {
    byte[] body = new byte[mib * 1024 * 1024];
    Arrays.fill(body, (byte) ' ');
    return body;
  }

  private static byte[] gzipBomb;

  private static synchronized byte[] gzipBomb() {
    if (gzipBomb == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
        byte[] spaces = new byte[1024 * 1024];
        Arrays.fill(spaces, (byte) ' ');
        gzip.write('[');
        for (int i = 0; i < 200; i++) {
          gzip.write(spaces);
        }
        gzip.write(']');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gzipBomb = out.toByteArray();
    }
    return gzipBomb;
  }

  private static String xmlBomb() {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for (int i = 1; i <= 9; i++) {
      xml.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10))
          .append("\">\n");
    }
    return xml.append("]>\n<testsuite name=\"&lol9;\"><testcase name=\"&lol9;\" time=\"1\"/></testsuite>").toString();
  }
}
