package io.testpulse.interactive.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.testpulse.interactive.plan.PlanRequest;
import io.testpulse.serdes.JsonSerde;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and validates the JSON bodies of Buildkite's test-client protocol: a bad body is a
 * {@link Params.BadParameter} naming the field, answered 400 with a message the client prints.
 * Fields the client sends that testpulse does not use ({@code selection}, {@code metadata},
 * {@code location_prefix}, ...) are ignored.
 */
final class PlanBodies {

  /** A plan request for a suite split into 100,000 examples fits comfortably. */
  static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
  static final int MAX_ENTRIES = 200_000;

  private PlanBodies() {
  }

  /** The body as a JSON object, or null after answering 413. */
  static JsonNode object(Context ctx) {
    if (ctx.contentLength() > MAX_BODY_BYTES) {
      Problems.write(ctx, 413, "Content Too Large", "the body may be at most " + MAX_BODY_BYTES + " bytes");
      return null;
    }
    byte[] bytes;
    try (InputStream in = ctx.bodyInputStream()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      throw new Params.BadParameter("body", "could not be read");
    }
    if (bytes.length > MAX_BODY_BYTES) {
      Problems.write(ctx, 413, "Content Too Large", "the body may be at most " + MAX_BODY_BYTES + " bytes");
      return null;
    }
    JsonNode node;
    try {
      node = bytes.length == 0 ? null : JsonSerde.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new Params.BadParameter("body", "is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new Params.BadParameter("body", "must be a JSON object");
    }
    return node;
  }

  /** {@code POST .../test_plan}. */
  static PlanRequest planRequest(JsonNode body) {
    String identifier = text(body, "identifier", true);
    int parallelism = integer(body, "parallelism");
    int maxParallelism = integer(body, "max_parallelism");
    double targetTime = number(body, "target_time");
    JsonNode tests = body.get("tests");
    if (tests == null || tests.isNull() || !tests.isObject()) {
      throw new Params.BadParameter("tests", "must be an object {\"files\": [{\"path\": ...}], \"examples\": [...]}");
    }
    List<String> files = new ArrayList<>();
    for (JsonNode f : array(tests, "tests.files")) {
      files.add(text(f, "path", "tests.files[].path"));
    }
    List<String> selectors = new ArrayList<>();
    for (JsonNode s : array(tests, "tests.selectors")) {
      selectors.add(text(s, "value", "tests.selectors[].value"));
    }
    List<PlanRequest.Example> examples = new ArrayList<>();
    for (JsonNode e : array(tests, "tests.examples")) {
      if (!e.isObject()) {
        throw new Params.BadParameter("tests.examples", "must hold objects {\"path\", \"scope\", \"name\", ...}");
      }
      examples.add(new PlanRequest.Example(text(e, "path", "tests.examples[].path"), optional(e, "identifier"),
          optional(e, "scope"), optional(e, "name")));
    }
    if (files.size() + selectors.size() + examples.size() > MAX_ENTRIES) {
      throw new Params.BadParameter("tests", "may hold at most " + MAX_ENTRIES + " files, examples and selectors");
    }
    return new PlanRequest(optional(body, "runner"), identifier, parallelism, maxParallelism, targetTime,
        optional(body, "branch"), files, examples, selectors);
  }

  /** The {@code path} of each object of {@code files} ({@code filter_tests}). */
  static List<String> filePaths(JsonNode body) {
    List<String> paths = new ArrayList<>();
    for (JsonNode f : array(body, "files")) {
      paths.add(text(f, "path", "files[].path"));
    }
    return paths;
  }

  /** The strings of {@code paths} ({@code test_files}). */
  static List<String> paths(JsonNode body) {
    List<String> paths = new ArrayList<>();
    for (JsonNode p : array(body, "paths")) {
      if (!p.isTextual() || p.asText().isEmpty()) {
        throw new Params.BadParameter("paths", "must be an array of non-empty strings");
      }
      paths.add(p.asText());
    }
    return paths;
  }

  static int integer(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
      throw new Params.BadParameter(field, "must be a non-negative integer");
    }
    return n.asInt();
  }

  static double number(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isNumber() || !(n.asDouble() >= 0) || Double.isInfinite(n.asDouble())) {
      throw new Params.BadParameter(field, "must be a non-negative number (seconds)");
    }
    return n.asDouble();
  }

  private static List<JsonNode> array(JsonNode parent, String field) {
    String name = field.substring(field.lastIndexOf('.') + 1);
    JsonNode a = parent.get(name);
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new Params.BadParameter(field, "must be an array");
    }
    if (a.size() > MAX_ENTRIES) {
      throw new Params.BadParameter(field, "may hold at most " + MAX_ENTRIES + " entries");
    }
    List<JsonNode> items = new ArrayList<>(a.size());
    a.forEach(items::add);
    return items;
  }

  private static String text(JsonNode node, String field, boolean required) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull() || !n.isTextual() || n.asText().isBlank() || n.asText().length() > Params.MAX_TEXT) {
      throw new Params.BadParameter(field, "must be a string of 1 to " + Params.MAX_TEXT + " characters");
    }
    return n.asText();
  }

  private static String text(JsonNode node, String field, String name) {
    JsonNode n = node == null ? null : node.get(field);
    if (n == null || !n.isTextual() || n.asText().isEmpty() || n.asText().length() > 4 * Params.MAX_TEXT) {
      throw new Params.BadParameter(name, "must be a non-empty string");
    }
    return n.asText();
  }

  private static String optional(JsonNode node, String field) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new Params.BadParameter(field, "must be a string");
    }
    return n.asText();
  }
}
