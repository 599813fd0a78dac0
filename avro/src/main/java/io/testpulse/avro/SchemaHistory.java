package io.testpulse.avro;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every schema a record type has been released with, read from the classpath folder
 * {@code io/testpulse/avro/history/} of the avro module: an {@code index.txt} names files
 * {@code <RecordName>-v<N>.avsc}, each the full schema JSON of one release.
 *
 * <p>State outlives releases: when a schema changes, its new form is added here as the next
 * version, and {@code SchemaHistoryTest} in the avro module checks that the current schema is
 * recorded and that it can read every earlier version.
 */
public final class SchemaHistory {

  public static final String ROOT = "io/testpulse/avro/history/";

  private SchemaHistory() {
  }

  /** All recorded schemas of {@code type}, oldest first. */
  public static List<Schema> of(Class<?> type) {
    List<Schema> schemas = new ArrayList<>();
    for (String file : index(type.getClassLoader())) {
      if (file.startsWith(type.getSimpleName() + "-v")) {
        schemas.add(load(type.getClassLoader(), file));
      }
    }
    return schemas;
  }

  private static List<String> index(ClassLoader loader) {
    List<String> files = new ArrayList<>();
    try (InputStream in = loader.getResourceAsStream(ROOT + "index.txt")) {
      if (in == null) {
        return files;
      }
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        reader.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(files::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + ROOT + "index.txt", e);
    }
    return files;
  }

  private static Schema load(ClassLoader loader, String file) {
    try (InputStream in = loader.getResourceAsStream(ROOT + file)) {
      if (in == null) {
        throw new IllegalStateException("Schema history names " + file + " but it is not on the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read schema history file " + file, e);
    }
  }
}
