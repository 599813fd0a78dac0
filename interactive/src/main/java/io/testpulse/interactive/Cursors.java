package io.testpulse.interactive;

import com.fasterxml.jackson.core.type.TypeReference;
import io.testpulse.serdes.JsonSerde;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Opaque page cursors: base64url JSON of the list, sort, filters and the sort key of the last row
 * served (keyset paging, so a page never repeats or skips a row that did not change meanwhile).
 * A cursor is only valid for the query that produced it.
 */
public final class Cursors {

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final int MAX_LENGTH = 4096;

  private Cursors() {
  }

  static String encode(String list, String sort, Map<String, String> filters, List<Object> after) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("l", list);
    body.put("s", sort);
    body.put("f", new TreeMap<>(filters));
    body.put("a", after);
    return ENCODER.encodeToString(JsonSerde.MAPPER.valueToTree(body).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * The sort key a cursor resumes after.
   *
   * @throws IllegalArgumentException when the cursor is malformed or belongs to another query
   */
  public static List<Object> decode(String cursor, String list, String sort, Map<String, String> filters) {
    if (cursor.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("cursor is too long");
    }
    Map<String, Object> body;
    try {
      body = JsonSerde.MAPPER.readValue(DECODER.decode(cursor), new TypeReference<Map<String, Object>>() { });
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cursor is not a cursor this API returned");
    }
    if (!list.equals(body.get("l")) || !sort.equals(body.get("s"))
        || !Objects.equals(new TreeMap<>(filters), body.get("f") == null ? null : new TreeMap<>(asMap(body.get("f"))))
        || !(body.get("a") instanceof List<?>)) {
      throw new IllegalArgumentException("cursor belongs to another query (same list, sort and filters needed)");
    }
    @SuppressWarnings("unchecked")
    List<Object> after = (List<Object>) body.get("a");
    return after;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    if (!(o instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("cursor is not a cursor this API returned");
    }
    return (Map<String, Object>) o;
  }

  /** A sort key alone, for the internal API between instances. */
  static String encodeKey(List<Object> key) {
    return ENCODER.encodeToString(JsonSerde.MAPPER.valueToTree(key).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static List<Object> decodeKey(String encoded) {
    try {
      return JsonSerde.MAPPER.readValue(DECODER.decode(encoded), new TypeReference<List<Object>>() { });
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("after is not a sort key");
    }
  }
}
