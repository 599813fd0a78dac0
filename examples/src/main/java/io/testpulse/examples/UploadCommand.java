package io.testpulse.examples;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.ingest.Envelope;
import io.testpulse.ingest.JsonUploadReader;
import io.testpulse.ingest.JunitXmlReader;
import io.testpulse.ingest.MalformedUploadException;
import io.testpulse.ingest.UploadRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code bin/testpulse upload [--url URL] [--token TOKEN] [options] PATHS...}: uploads JUnit XML
 * files, Surefire report folders ({@code TEST-*.xml}) and Buildkite-format JSON files (a bare array
 * of results or a full upload) to testpulse's upload API.
 *
 * <p>Every input is read locally with the same streaming readers the server uses and sent as
 * Buildkite JSON uploads, gzip-encoded, in chunks of at most {@code --max-results} results and
 * {@code --max-bytes} bytes, so a report of any size fits the server's limits. A chunk the server
 * answers 503 is re-sent after its {@code Retry-After} (the same bytes, so the server's
 * de-duplication drops whatever had landed). The run ({@code run_env}) comes from the flags, else
 * from the CI's environment (Buildkite, GitHub Actions, CircleCI), else a fresh run key.
 *
 * <p>Exit code: 0 when every result was queued; 1 when any result was rejected or a chunk could not
 * be sent; 2 for a usage error.
 */
public final class UploadCommand {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();
  private static final int RETRIES = 5;

  private final String url;
  private final String token;
  private final Map<String, String> runEnv;
  private final Map<String, String> tags;
  private final int maxResults;
  private final long maxBytes;
  private final PrintStream out;
  private final PrintStream err;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private int queued;
  private int rejected;
  private int chunks;
  private boolean failed;

  private UploadCommand(String url, String token, Map<String, String> runEnv, Map<String, String> tags, int maxResults,
      long maxBytes, PrintStream out, PrintStream err) {
    this.url = url;
    this.token = token;
    this.runEnv = runEnv;
    this.tags = tags;
    this.maxResults = maxResults;
    this.maxBytes = maxBytes;
    this.out = out;
    this.err = err;
  }

  static void usage(PrintStream out) {
    out.println("""
        usage: testpulse upload [--url URL] [--token TOKEN] [options] PATHS...
          PATHS                JUnit XML files, Surefire report folders (TEST-*.xml), Buildkite-format JSON files
          --url URL            testpulse base URL (default: $TESTPULSE_URL)
          --token TOKEN        ingest token (default: $TESTPULSE_INGEST_TOKEN)
          --run-key KEY        run key (default: from BUILDKITE_*, GITHUB_*, CIRCLE_* variables, else a new one)
          --ci NAME --branch B --commit SHA --number N --job-id ID --message M --build-url U
          --tag KEY=VALUE      upload tag (repeatable)
          --max-results N      results per request (default 5000)
          --max-bytes N        bytes per request before gzip (default 31457280)
        """);
  }

  /** Runs the command; returns the exit code. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    try {
      Options options = Options.parse(args, env);
      UploadCommand command = new UploadCommand(options.url(), options.token(), options.runEnv(), options.tags(),
          options.maxResults(), options.maxBytes(), out, err);
      return command.upload(files(options.paths()));
    } catch (IllegalArgumentException e) {
      err.println("upload: " + e.getMessage());
      usage(err);
      return 2;
    } catch (IOException e) {
      err.println("upload: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("upload: interrupted");
      return 1;
    }
  }

  /** The command line, with defaults from the environment. */
  record Options(String url, String token, Map<String, String> runEnv, Map<String, String> tags, int maxResults,
                 long maxBytes, List<Path> paths) {

    static Options parse(List<String> args, Map<String, String> env) {
      Map<String, String> runEnv = CiEnvironment.detect(env);
      Map<String, String> tags = new LinkedHashMap<>();
      String url = env.get("TESTPULSE_URL");
      String token = env.get("TESTPULSE_INGEST_TOKEN");
      int maxResults = 5000;
      long maxBytes = 30L * 1024 * 1024;
      List<Path> paths = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        String runField = RUN_FLAGS.get(arg);
        if (runField != null) {
          runEnv.put(runField, value(args, ++i, arg));
        } else if (arg.equals("--url")) {
          url = value(args, ++i, arg);
        } else if (arg.equals("--token")) {
          token = value(args, ++i, arg);
        } else if (arg.equals("--tag")) {
          String tag = value(args, ++i, arg);
          int eq = tag.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--tag needs KEY=VALUE");
          }
          tags.put(tag.substring(0, eq), tag.substring(eq + 1));
        } else if (arg.equals("--max-results")) {
          maxResults = Integer.parseInt(value(args, ++i, arg));
        } else if (arg.equals("--max-bytes")) {
          maxBytes = Long.parseLong(value(args, ++i, arg));
        } else if (arg.startsWith("--")) {
          throw new IllegalArgumentException("unknown option " + arg);
        } else {
          paths.add(Path.of(arg));
        }
      }
      if (url == null || url.isBlank() || token == null || token.isBlank()) {
        throw new IllegalArgumentException("needs --url and --token (or TESTPULSE_URL and TESTPULSE_INGEST_TOKEN)");
      }
      if (paths.isEmpty()) {
        throw new IllegalArgumentException("no PATHS to upload");
      }
      runEnv.putIfAbsent("key", UUID.randomUUID().toString());
      return new Options(url.replaceAll("/+$", ""), token, runEnv, tags, maxResults, maxBytes, paths);
    }
  }

  /** Flags that set a run_env field. */
  private static final Map<String, String> RUN_FLAGS = Map.of("--run-key", "key", "--ci", "CI", "--branch", "branch",
      "--commit", "commit_sha", "--number", "number", "--job-id", "job_id", "--message", "message",
      "--build-url", "url");

  private static String value(List<String> args, int i, String name) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args.get(i);
  }

  /** Files to upload: folders give their TEST-*.xml (Surefire), else their *.xml and *.json files. */
  static List<Path> files(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        List<Path> surefire;
        try (Stream<Path> list = Files.list(path)) {
          surefire = list.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
        }
        if (surefire.isEmpty()) {
          try (Stream<Path> list = Files.list(path)) {
            surefire = list.filter(p -> p.toString().endsWith(".xml") || p.toString().endsWith(".json")).sorted().toList();
          }
        }
        files.addAll(surefire);
      } else if (Files.isRegularFile(path)) {
        files.add(path);
      } else {
        throw new IOException("no such file or folder: " + path);
      }
    }
    return files;
  }

  private int upload(List<Path> files) throws IOException, InterruptedException {
    out.printf("Uploading %d file(s) to %s/v1/uploads (run key %s)%n", files.size(), url, runEnv.get("key"));
    Chunk chunk = new Chunk();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        if (file.toString().endsWith(".json")) {
          List<UploadRecord> records = new ArrayList<>();
          Envelope envelope = JsonUploadReader.read(in, records::add);
          for (UploadRecord r : records) {
            chunk = add(chunk, r, envelope.tags());
          }
        } else {
          List<UploadRecord> records = new ArrayList<>();
          JunitXmlReader.read(in, records::add);
          for (UploadRecord r : records) {
            chunk = add(chunk, r, Map.of());
          }
        }
      } catch (MalformedUploadException e) {
        err.printf("%s: %s (skipped)%n", file, e.getMessage());
        failed = true;
      }
    }
    send(chunk);
    out.printf("Done: %d result(s) queued, %d rejected, in %d request(s)%n", queued, rejected, chunks);
    return failed || rejected > 0 ? 1 : 0;
  }

  private Chunk add(Chunk chunk, UploadRecord record, Map<String, String> fileTags) throws IOException,
      InterruptedException {
    byte[] json = recordJson(record, fileTags);
    if (chunk.count > 0 && (chunk.count + 1 > maxResults || chunk.bytes.size() + json.length + 2 > maxBytes)) {
      send(chunk);
      chunk = new Chunk();
    }
    if (chunk.count > 0) {
      chunk.bytes.write(',');
    }
    chunk.bytes.write(json);
    chunk.count++;
    return chunk;
  }

  private static final class Chunk {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int count;
  }

  private byte[] recordJson(UploadRecord r, Map<String, String> fileTags) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(buffer, JsonEncoding.UTF8)) {
      g.writeStartObject();
      writeIfPresent(g, "id", r.id());
      writeIfPresent(g, "scope", r.scope());
      writeIfPresent(g, "name", r.name());
      writeIfPresent(g, "file_name", r.fileName());
      writeIfPresent(g, "location", r.location());
      writeIfPresent(g, "result", r.result());
      writeIfPresent(g, "failure_reason", r.failureReason());
      Map<String, String> recordTags = new LinkedHashMap<>(fileTags);
      recordTags.putAll(r.tags());
      if (!recordTags.isEmpty()) {
        g.writeObjectFieldStart("tags");
        for (Map.Entry<String, String> t : recordTags.entrySet()) {
          g.writeStringField(t.getKey(), t.getValue());
        }
        g.writeEndObject();
      }
      g.writeObjectFieldStart("history");
      if (r.durationSeconds() != null) {
        g.writeNumberField("duration", r.durationSeconds());
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    return buffer.toByteArray();
  }

  private static void writeIfPresent(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  private void send(Chunk chunk) throws IOException, InterruptedException {
    if (chunk.count == 0) {
      return;
    }
    chunks++;
    byte[] body = gzip(chunk);
    for (int attempt = 1; ; attempt++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/uploads"))
          .timeout(Duration.ofMinutes(2))
          .header("Authorization", "Token token=\"" + token + "\"")
          .header("Content-Type", "application/json")
          .header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 202) {
        JsonNode receipt = JSON.readTree(response.body());
        int q = receipt.path("queued").asInt();
        int s = receipt.path("skipped").asInt();
        queued += q;
        rejected += s;
        out.printf("  request %d: %d result(s) queued, %d rejected (upload %s)%n", chunks, q, s,
            receipt.path("id").asText());
        for (JsonNode error : receipt.path("errors")) {
          err.printf("    result %d of request %d rejected: %s%n", error.path("index").asInt(), chunks,
              error.path("reason").asText());
        }
        return;
      }
      if (response.statusCode() == 503 && attempt < RETRIES) {
        long wait = response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(5L);
        err.printf("  request %d: server unavailable, retrying in %d s (%d/%d)%n", chunks, wait, attempt, RETRIES - 1);
        Thread.sleep(Duration.ofSeconds(Math.min(wait, 60)).toMillis());
        continue;
      }
      err.printf("  request %d: HTTP %d %s%n", chunks, response.statusCode(), response.body());
      rejected += chunk.count;
      failed = true;
      return;
    }
  }

  private byte[] gzip(Chunk chunk) throws IOException {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(compressed)) {
      Map<String, Object> head = new LinkedHashMap<>();
      head.put("format", "json");
      head.put("run_env", runEnv);
      head.put("tags", tags);
      String prefix = JSON.writeValueAsString(head);
      // {"format":..,"run_env":..,"tags":..} + ,"data":[ ... ]}
      gz.write(prefix.substring(0, prefix.length() - 1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      gz.write(",\"data\":[".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      chunk.bytes.writeTo(gz);
      gz.write("]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return compressed.toByteArray();
  }
}
