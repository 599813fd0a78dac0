package io.testpulse.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The figures of one processing phase (a topology run or the pass-through), from the RESULT of its
 * child JVM ({@link ProcessingNode}) and what the phase wrote ({@link Written}). Every key starts
 * with the phase's prefix; {@code unit} is what the input counts ({@code events}, {@code records}).
 *
 * <ul>
 *   <li>{@code <p>_<unit>_per_s}, {@code <p>_<unit>_per_cpu_s}: the steady state, from the first
 *       committed input offset to lag 0, over the input committed in that span.
 *   <li>{@code <p>_startup_s}: {@code KafkaStreams.start()} to the first committed input offset.
 *   <li>{@code <p>_whole_span_*}: from {@code start()} to lag 0, start-up included (what runs 1 to 8
 *       reported as {@code <p>_<unit>_per_s}).
 *   <li>{@code <p>_cpu_us_per_<one>}, {@code <p>_broker_cpu_us_per_<one>}: CPU time of the processing
 *       JVM and of the broker's JVM over the steady state, per input record.
 * </ul>
 */
final class PhaseFigures {

  /** A steady state shorter than this is not one: the phase's figures fall back to its whole span. */
  static final double MIN_STEADY_S = 0.5;

  private PhaseFigures() {
  }

  /** Adds the rate and CPU figures; returns the steady rate (input per second). */
  static double rates(Map<String, Object> figures, String p, String unit, String one, long input, JsonNode r) {
    double wall = r.get("wall_s").asDouble();
    double cpu = r.get("cpu_s").asDouble();
    double steadyS = r.get("steady_s").asDouble();
    long steadyInput = r.get("steady_input").asLong();
    double steadyCpu = r.get("steady_cpu_s").asDouble();
    double steadyBroker = r.get("steady_broker_cpu_s").asDouble();
    boolean measured = steadyS >= MIN_STEADY_S && steadyInput > 0;
    if (!measured) {
      // too short to have a steady state (or no commit seen before lag 0): say so, use the whole span
      steadyS = wall;
      steadyInput = input;
      steadyCpu = cpu;
      steadyBroker = r.get("broker_cpu_s").asDouble();
    }
    figures.put(p + "_steady_state_measured", measured);
    figures.put(p + "_" + unit + "_per_s", steadyInput / steadyS);
    figures.put(p + "_" + unit + "_per_cpu_s", steadyInput / steadyCpu);
    figures.put(p + "_startup_s", r.get("startup_s").asDouble());
    figures.put(p + "_startup_committed_" + unit, r.get("startup_committed_input").asLong());
    figures.put(p + "_steady_s", steadyS);
    figures.put(p + "_steady_" + unit, steadyInput);
    figures.put(p + "_steady_cpu_s", steadyCpu);
    figures.put(p + "_steady_broker_cpu_s", steadyBroker);
    figures.put(p + "_steady_cores_processing", steadyCpu / steadyS);
    figures.put(p + "_steady_cores_broker", steadyBroker < 0 ? -1.0 : steadyBroker / steadyS);
    figures.put(p + "_cpu_us_per_" + one, steadyCpu * 1e6 / steadyInput);
    figures.put(p + "_broker_cpu_us_per_" + one, steadyBroker < 0 ? -1.0 : steadyBroker * 1e6 / steadyInput);
    figures.put(p + "_total_cpu_us_per_" + one, steadyBroker < 0 ? -1.0 : (steadyCpu + steadyBroker) * 1e6 / steadyInput);
    figures.put(p + "_whole_span_s", wall);
    figures.put(p + "_whole_span_cpu_s", cpu);
    figures.put(p + "_whole_span_" + unit + "_per_s", input / wall);
    figures.put(p + "_whole_span_" + unit + "_per_cpu_s", input / cpu);
    figures.put(p + "_to_running_s", r.get("to_running_s").asDouble());
    return steadyInput / steadyS;
  }

  /**
   * Records written per input record, transaction markers included: {@code <p>_records_written}
   * (offsets appended: data plus markers), {@code <p>_data_records_written}, {@code
   * <p>_markers_written}, each also per input record and per topic; and the writes to the broker's
   * own {@code __consumer_offsets} and {@code __transaction_state} topics in the same phase.
   */
  static void written(Map<String, Object> figures, String p, String one, long input, Written w, Written internal) {
    figures.put(p + "_records_written", w.appended());
    figures.put(p + "_records_written_per_" + one, (double) w.appended() / input);
    figures.put(p + "_data_records_written", w.data());
    figures.put(p + "_data_records_written_per_" + one, (double) w.data() / input);
    figures.put(p + "_markers_written", w.markers());
    figures.put(p + "_markers_written_per_" + one, (double) w.markers() / input);
    figures.put(p + "_records_written_by_topic", w.appendedByTopic());
    figures.put(p + "_markers_written_by_topic", w.markersByTopic());
    figures.put(p + "_internal_records_written", internal.appended());
    figures.put(p + "_internal_records_written_per_" + one, (double) internal.appended() / input);
    figures.put(p + "_internal_records_written_by_topic", internal.appendedByTopic());
  }
}
