package io.testpulse.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A record the topology could not process, as written to {@code <prefix>.dead-letters.v1}: raw
 * key and value and Kafka Streams' {@code __streams.errors.*} headers (KIP-1034).
 *
 * @param key the raw record key (may be null)
 * @param value the raw record value (may be null)
 * @param headers every header of the dead letter, decoded as UTF-8
 */
public record DeadLetter(byte[] key, byte[] value, Map<String, String> headers) {

  /** Header: the exception's message. */
  public static final String MESSAGE_HEADER = "__streams.errors.message";
  /** Header: the exception's class name. */
  public static final String EXCEPTION_HEADER = "__streams.errors.exception";
  /** Header: the topic the record was read from. */
  public static final String TOPIC_HEADER = "__streams.errors.topic";
  /** Header: the partition the record was read from. */
  public static final String PARTITION_HEADER = "__streams.errors.partition";
  /** Header: the offset the record was read from. */
  public static final String OFFSET_HEADER = "__streams.errors.offset";

  /** A dead letter; the headers are copied. */
  public DeadLetter {
    headers = Map.copyOf(headers);
  }

  /** The record key as text, e.g. {@code tenant/test_id}. */
  public String keyAsString() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** Why the record failed: the exception's message. */
  public String message() {
    return headers.getOrDefault(MESSAGE_HEADER, "");
  }

  /** The failing exception's class name. */
  public String exception() {
    return headers.getOrDefault(EXCEPTION_HEADER, "");
  }

  /** The topic the record was read from. */
  public String sourceTopic() {
    return headers.get(TOPIC_HEADER);
  }

  /** The offset the record was read from, if the handler recorded it. */
  public Optional<Long> sourceOffset() {
    return Optional.ofNullable(headers.get(OFFSET_HEADER)).map(Long::parseLong);
  }
}
