package io.testpulse.serdes;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.CubicallyInterpolatedMapping;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The duration sketch of testpulse: a DDSketch with 1% relative accuracy and exact count, sum, min
 * and max, and its compact serialized form.
 *
 * <p>Accuracy: every quantile the sketch reports is within 1% of the exact rank-based (lower)
 * quantile of the values added, after any sequence of merges (bins merge exactly). Memory: one
 * counter per occupied bin; a bin spans 2% of the value, so durations from 1 microsecond to 10 hours
 * use at most about 1,200 bins, and a typical test (durations within a factor of 3) about 60.
 *
 * <p>Serialized form: one format byte, then DDSketch's own varint encoding (no protobuf) of the
 * bins and the exact summary statistics, with the index mapping omitted because it is fixed here.
 */
public final class DurationSketches {

  /** Relative accuracy of every reported quantile. */
  public static final double RELATIVE_ACCURACY = 0.01;

  private static final byte FORMAT_V1 = 1;
  private static final IndexMapping MAPPING = new CubicallyInterpolatedMapping(RELATIVE_ACCURACY);

  private DurationSketches() {
  }

  /** An empty sketch; sketches from this method merge with each other. */
  public static DDSketchWithExactSummaryStatistics create() {
    return new DDSketchWithExactSummaryStatistics(MAPPING, UnboundedSizeDenseStore::new);
  }

  /** A new sketch holding everything in {@code sketches} (which are left unchanged). */
  public static DDSketchWithExactSummaryStatistics merged(Iterable<DDSketchWithExactSummaryStatistics> sketches) {
    DDSketchWithExactSummaryStatistics merged = create();
    for (DDSketchWithExactSummaryStatistics sketch : sketches) {
      merged.mergeWith(sketch);
    }
    return merged;
  }

  public static byte[] encode(DDSketchWithExactSummaryStatistics sketch) {
    GrowingByteArrayOutput output = GrowingByteArrayOutput.withInitialCapacity(64);
    output.writeByte(FORMAT_V1);
    try {
      sketch.encode(output, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory output does not fail
    }
    return output.trimmedCopy();
  }

  public static DDSketchWithExactSummaryStatistics decode(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != FORMAT_V1) {
      throw new IllegalArgumentException("not a testpulse duration sketch (format byte "
          + (bytes.length == 0 ? "missing" : Byte.toString(bytes[0])) + ")");
    }
    try {
      return DDSketchWithExactSummaryStatistics.decode(ByteArrayInput.wrap(bytes, 1, bytes.length - 1),
          UnboundedSizeDenseStore::new, MAPPING);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed duration sketch", e);
    }
  }
}
