package io.testpulse.serdes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde for output topics: one JSON object per record, as ClickHouse's {@code JSONEachRow}
 * format and schemaless sink connectors read it. Unknown fields are ignored on read so that
 * consumers survive new output fields.
 *
 * @param <T> a Jackson-mappable type (records work)
 */
public final class JsonSerde<T> implements Serde<T> {

  /** The mapper every testpulse JSON output uses: ISO-free (epoch millis), unknown fields ignored. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final Class<T> type;
  // Bound once per serde: MAPPER.writeValueAsBytes(value) looks the root serializer up for every
  // record. Only for final types (records): for others the runtime type must still decide.
  private final ObjectWriter writer;
  private final ObjectReader reader;

  private JsonSerde(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    this.writer = java.lang.reflect.Modifier.isFinal(type.getModifiers()) ? MAPPER.writerFor(type) : MAPPER.writer();
    this.reader = MAPPER.readerFor(type);
  }

  /** A serde of {@code type} as JSON (field names as the type declares them, e.g. {@code @JsonNaming}). */
  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(type);
  }

  /** {@code value} as JSON bytes. */
  public byte[] encode(T value) {
    if (value == null) {
      return null;
    }
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new SerializationException("Cannot write " + type.getSimpleName() + " as JSON: " + e.getMessage(), e);
    }
  }

  /** The value of JSON {@code bytes}. */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return reader.readValue(bytes);
    } catch (IOException e) {
      throw new SerializationException("Cannot read " + type.getSimpleName() + " from JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> decode(bytes);
  }
}
