package io.testpulse.serdes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import io.testpulse.avro.SchemaHistory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka serde on Avro's single-object encoding: a 2-byte marker, the writer schema's 64-bit
 * CRC-64-AVRO fingerprint, then the binary datum. No schema registry is needed: the reader
 * resolves the fingerprint against a {@link SchemaStore} holding every schema this record type
 * was ever written with (its {@linkplain SchemaHistory history}), so bytes written by an older
 * release decode into the current class with Avro's schema resolution.
 *
 * <p>Thread-safe: Avro's message encoder and decoder keep per-thread buffers.
 *
 * @param <T> the generated SpecificRecord type
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final Schema schema;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroSerde(Class<T> type, Collection<Schema> writerSchemas) {
    this.type = Objects.requireNonNull(type, "type");
    this.schema = SpecificData.get().getSchema(type);
    SpecificData model = SpecificData.getForClass(type);
    trustGeneratedClasses(schema);
    SchemaStore.Cache store = new SchemaStore.Cache();
    writerSchemas.forEach(store::addSchema);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema, store);
    // The current schema always resolves, even before it is recorded in the history.
    this.decoder.addSchema(schema);
  }

  /**
   * Avro 1.12 refuses to instantiate classes named in a schema unless they are trusted (a guard
   * against gadget classes in untrusted schemas). Our generated records are trusted by name,
   * added to whatever policy the embedding application has set.
   */
  private static synchronized void trustGeneratedClasses(Schema root) {
    ClassSecurityValidator.Builder trusted = ClassSecurityValidator.builder();
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.ArrayDeque<Schema> todo = new java.util.ArrayDeque<>(List.of(root));
    while (!todo.isEmpty()) {
      Schema s = todo.pop();
      switch (s.getType()) {
        case RECORD -> {
          if (seen.add(s.getFullName())) {
            trusted.add(s.getFullName());
            s.getFields().forEach(f -> todo.push(f.schema()));
          }
        }
        case ENUM -> trusted.add(s.getFullName());
        case UNION -> todo.addAll(s.getTypes());
        case ARRAY -> todo.push(s.getElementType());
        case MAP -> todo.push(s.getValueType());
        default -> { }
      }
    }
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), trusted.build()));
  }

  /** A serde for {@code type} that reads every schema in the type's recorded history. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(type, SchemaHistory.of(type));
  }

  /**
   * A serde that also reads the given writer schemas. For tests of schema evolution and for
   * users who wrote records with schemas of their own that resolve to {@code type}.
   */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Collection<Schema> extraWriterSchemas) {
    List<Schema> all = new java.util.ArrayList<>(SchemaHistory.of(type));
    all.addAll(extraWriterSchemas);
    return new AvroSerde<>(type, all);
  }

  /** The reader (current) schema. */
  public Schema schema() {
    return schema;
  }

  /** Encodes to single-object bytes; {@code null} stays {@code null} (a tombstone). */
  public byte[] encode(T value) {
    if (value == null) {
      return null;
    }
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException("Cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** Decodes single-object bytes; {@code null} stays {@code null}. */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new SerializationException("Cannot decode " + type.getSimpleName()
          + ": unknown schema fingerprint " + fingerprintOf(bytes)
          + " (written by a schema this reader has no record of)", e);
    } catch (BadHeaderException e) {
      throw new SerializationException("Cannot decode " + type.getSimpleName()
          + ": not Avro single-object encoding (bad header)", e);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Cannot decode " + type.getSimpleName()
          + ": corrupt payload of " + bytes.length + " bytes (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
  }

  private static String fingerprintOf(byte[] bytes) {
    if (bytes.length < 10) {
      return "(truncated header)";
    }
    long fp = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    return String.format("%016x", fp);
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
