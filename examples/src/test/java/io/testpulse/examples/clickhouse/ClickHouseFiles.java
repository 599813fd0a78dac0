package io.testpulse.examples.clickhouse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClickHouse files shipped in {@code examples/clickhouse/}, read as a user would run them: the
 * statements in order, with only the {@code ${KAFKA_BROKERS}} and {@code ${TOPIC_PREFIX}} placeholders
 * substituted (what {@code envsubst} does in the README's instructions).
 */
final class ClickHouseFiles {

  /** The folder, relative to the examples module (the working directory of its tests). */
  static final Path DIR = Path.of("clickhouse");
  static final Path TABLES = DIR.resolve("01-tables.sql");
  static final Path KAFKA_ENGINE = DIR.resolve("02-kafka-engine.sql");
  static final Path QUERIES = DIR.resolve("queries.sql");
  static final Path SINK_CONNECTOR = DIR.resolve("connect/clickhouse-sink.json");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");
  private static final Pattern QUERY_NAME = Pattern.compile("^-- name: (\\S+)$", Pattern.MULTILINE);
  private static final Pattern CREATE_TABLE =
      Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+)\\.(\\w+)\\s*\\(", Pattern.MULTILINE);

  private ClickHouseFiles() {
  }

  /** The statements of {@code file}, placeholders substituted; fails on a placeholder not in {@code values}. */
  static List<String> statements(Path file, Map<String, String> values) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for ${" + m.group(1) + "} in " + file);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return split(out.toString());
  }

  /** Named queries: the statement after each {@code -- name: x} line. */
  static Map<String, String> queries() throws IOException {
    String text = Files.readString(QUERIES, StandardCharsets.UTF_8);
    Map<String, String> queries = new LinkedHashMap<>();
    Matcher m = QUERY_NAME.matcher(text);
    List<Integer> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      starts.add(m.end());
      names.add(m.group(1));
    }
    for (int i = 0; i < names.size(); i++) {
      int end = i + 1 < starts.size() ? text.lastIndexOf("-- name:", starts.get(i + 1)) : text.length();
      List<String> statements = split(text.substring(starts.get(i), end));
      if (statements.size() != 1) {
        throw new IllegalStateException("query " + names.get(i) + " is not one statement: " + statements);
      }
      queries.put(names.get(i), statements.get(0));
    }
    return queries;
  }

  /** Database-qualified names of the tables a file creates, e.g. {@code testpulse.test_stats}. */
  static List<String> createdTables(Path file) throws IOException {
    Matcher m = CREATE_TABLE.matcher(Files.readString(file, StandardCharsets.UTF_8));
    List<String> tables = new ArrayList<>();
    while (m.find()) {
      tables.add(m.group(1) + "." + m.group(2));
    }
    return tables;
  }

  /** Whole-line {@code --} comments dropped, statements split at a {@code ;} that ends a line. */
  private static List<String> split(String sql) {
    StringBuilder body = new StringBuilder();
    for (String line : sql.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String statement : body.toString().split(";\\s*(\n|$)")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }
}
