package io.testpulse.serdes;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde of {@link DurationSketches}' compact form, for sketch state stores and their changelogs. */
public final class DurationSketchSerde implements Serde<DDSketchWithExactSummaryStatistics> {

  @Override
  public Serializer<DDSketchWithExactSummaryStatistics> serializer() {
    return (topic, sketch) -> sketch == null ? null : DurationSketches.encode(sketch);
  }

  @Override
  public Deserializer<DDSketchWithExactSummaryStatistics> deserializer() {
    return (topic, bytes) -> bytes == null ? null : DurationSketches.decode(bytes);
  }
}
