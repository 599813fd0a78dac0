package io.testpulse.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The key of one duration bucket in a sketch store: a scope (a test, a suite, or a suite under one
 * dimension set), the bucket's start (epoch millis) and, for dimension rollups, the group (the
 * dimension values).
 *
 * <p>Serialized as {@code utf8(scope) 0x00 int64-big-endian(bucketStart, sign flipped) utf8(group)},
 * so that in the store's byte order all buckets of one scope are contiguous and sorted by time, and
 * all groups of one bucket follow it: a range query from {@code (scope, from, "")} to
 * {@code (scope, to, "")} returns every bucket and group in {@code [from, to]}.
 *
 * @param scope no NUL characters
 * @param bucketStart epoch millis, a multiple of the bucket size
 * @param group empty unless a dimension rollup
 */
public record BucketKey(String scope, long bucketStart, String group) {

  private static final Serde<BucketKey> SERDE = Serdes.serdeFrom(
      (topic, key) -> key == null ? null : key.toBytes(),
      (Deserializer<BucketKey>) (topic, bytes) -> bytes == null ? null : fromBytes(bytes));

  public BucketKey {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(group, "group");
    if (scope.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("scope must not contain NUL");
    }
  }

  public static Serde<BucketKey> serde() {
    return SERDE;
  }

  public byte[] toBytes() {
    byte[] s = scope.getBytes(StandardCharsets.UTF_8);
    byte[] g = group.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(s.length + 1 + Long.BYTES + g.length)
        .put(s).put((byte) 0).putLong(bucketStart ^ Long.MIN_VALUE).put(g).array();
  }

  public static BucketKey fromBytes(byte[] bytes) {
    int nul = 0;
    while (nul < bytes.length && bytes[nul] != 0) {
      nul++;
    }
    if (nul + 1 + Long.BYTES > bytes.length) {
      throw new IllegalArgumentException("malformed bucket key");
    }
    String scope = new String(bytes, 0, nul, StandardCharsets.UTF_8);
    long start = ByteBuffer.wrap(bytes, nul + 1, Long.BYTES).getLong() ^ Long.MIN_VALUE;
    int groupAt = nul + 1 + Long.BYTES;
    return new BucketKey(scope, start, new String(bytes, groupAt, bytes.length - groupAt, StandardCharsets.UTF_8));
  }
}
