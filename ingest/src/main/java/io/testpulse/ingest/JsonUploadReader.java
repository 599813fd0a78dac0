package io.testpulse.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a Buildkite-format JSON upload with Jackson's streaming parser: the envelope
 * {@code {format, run_env, tags, data:[...]}} or a bare array of results (what the collectors write
 * to disk). Results are handed to the caller one at a time, so memory is bounded by one result
 * and the parser's buffer, never by the size of the upload. Unknown fields are skipped.
 */
public final class JsonUploadReader {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonUploadReader() {
  }

  /**
   * First pass: the envelope and the number of results, checking the syntax of the whole document
   * without building any result.
   */
  public static Envelope scan(InputStream in) throws MalformedUploadException, IOException {
    return parse(in, null);
  }

  /** Second pass: every result, in order, to {@code sink}; returns the envelope. */
  public static Envelope read(InputStream in, Consumer<UploadRecord> sink) throws MalformedUploadException, IOException {
    return parse(in, sink);
  }

  private static Envelope parse(InputStream in, Consumer<UploadRecord> sink) throws MalformedUploadException, IOException {
    try (JsonParser p = FACTORY.createParser(in)) {
      JsonToken first = p.nextToken();
      Envelope envelope;
      if (first == JsonToken.START_ARRAY) {
        envelope = Envelope.empty().withResults(readData(p, sink));
      } else if (first == JsonToken.START_OBJECT) {
        envelope = readEnvelope(p, sink);
      } else {
        throw new MalformedUploadException(
            "the body must be a JSON object {format, run_env, tags, data} or a JSON array of results");
      }
      if (p.nextToken() != null) {
        throw new MalformedUploadException("invalid JSON: unexpected content after the upload at "
            + location(p));
      }
      return envelope;
    } catch (JsonProcessingException e) {
      throw new MalformedUploadException("invalid JSON: " + e.getOriginalMessage() + " at " + location(e), e);
    }
  }

  private static Envelope readEnvelope(JsonParser p, Consumer<UploadRecord> sink)
      throws IOException, MalformedUploadException {
    String format = null;
    String suite = null;
    Map<String, String> runEnv = Map.of();
    Map<String, String> tags = Map.of();
    Integer results = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "format" -> format = scalarOrSkip(p, value);
        case "suite" -> suite = scalarOrSkip(p, value);
        case "run_env" -> runEnv = stringMap(p, value);
        case "tags" -> tags = stringMap(p, value);
        case "data" -> {
          if (value != JsonToken.START_ARRAY) {
            throw new MalformedUploadException("'data' must be a JSON array of results");
          }
          results = readData(p, sink);
        }
        default -> p.skipChildren();
      }
    }
    if (results == null) {
      throw new MalformedUploadException("the upload has no 'data' array");
    }
    return new Envelope(format, runEnv, tags, suite, results);
  }

  /** Reads the results array (the parser is on its START_ARRAY); returns how many it held. */
  private static int readData(JsonParser p, Consumer<UploadRecord> sink) throws IOException {
    int index = 0;
    JsonToken token;
    while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw new JsonParseException(p, "unexpected end of input inside 'data'");
      }
      if (sink == null) {
        p.skipChildren();
      } else if (token == JsonToken.START_OBJECT) {
        sink.accept(readRecord(p, index));
      } else {
        p.skipChildren();
        sink.accept(UploadRecord.malformed(index, "result is not a JSON object"));
      }
      index++;
    }
    return index;
  }

  private static UploadRecord readRecord(JsonParser p, int index) throws IOException {
    String id = null;
    String externalId = null;
    String scope = null;
    String name = null;
    String fileName = null;
    String location = null;
    String result = null;
    String failureReason = null;
    Double duration = null;
    Map<String, String> tags = Map.of();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id" -> id = scalarOrSkip(p, value);
        case "external_id" -> externalId = scalarOrSkip(p, value);
        case "scope" -> scope = scalarOrSkip(p, value);
        case "name" -> name = scalarOrSkip(p, value);
        case "file_name" -> fileName = scalarOrSkip(p, value);
        case "location" -> location = scalarOrSkip(p, value);
        case "result" -> result = scalarOrSkip(p, value);
        case "failure_reason" -> failureReason = scalarOrSkip(p, value);
        case "tags" -> tags = stringMap(p, value);
        case "history" -> duration = historyDuration(p, value);
        default -> p.skipChildren(); // failure_expanded, children spans, anything new: ignored
      }
    }
    return new UploadRecord(index, id != null ? id : externalId, scope, name, fileName, location, result, duration,
        failureReason, tags, 0, null);
  }

  /** {@code history.duration} in seconds; every other history field (start_at, end_at, children, ...) is skipped. */
  private static Double historyDuration(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    Double duration = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if ("duration".equals(field) && v.isNumeric()) {
        duration = p.getDoubleValue();
      } else if ("duration".equals(field) && v == JsonToken.VALUE_STRING) {
        duration = parseDouble(p.getText());
      } else {
        p.skipChildren();
      }
    }
    return duration;
  }

  private static Double parseDouble(String text) {
    try {
      return Double.valueOf(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String scalarOrSkip(JsonParser p, JsonToken value) throws IOException {
    if (value.isStructStart()) {
      p.skipChildren();
      return null;
    }
    return value == JsonToken.VALUE_NULL ? null : p.getValueAsString();
  }

  /** An object of scalars as strings (nested values skipped); anything else gives an empty map. */
  private static Map<String, String> stringMap(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      return Map.of();
    }
    Map<String, String> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      String v = scalarOrSkip(p, p.nextToken());
      if (v != null) {
        map.put(key, v);
      }
    }
    return map;
  }

  private static String location(JsonParser p) {
    return "line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "unknown position"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
