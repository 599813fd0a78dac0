package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench --quick} end to end (broker, topology, ceilings, Flink peer, query load,
 * restore, each in its own JVM) so the harness cannot rot. It checks that every figure the issue
 * names is present and positive, never how fast anything is: performance is measured, not asserted.
 * Quick mode's budget in CI is 3 minutes (RESULTS.md, "Quick mode"); {@code bench_wall_s} records
 * the time it took, and the figures and console stay in {@code target/bench-quick.json} and
 * {@code target/bench-quick.log} for a look after the build.
 */
class BenchQuickIT {

  private static final List<String> REQUIRED = List.of("eos_events_per_s", "alos_events_per_s", "ratio_vs_consumer",
      "ratio_vs_producer", "ratio_vs_passthrough", "ratio_vs_flink", "lookup_p99_ms_under_load",
      "restore_records_per_s",
      // issue 15, item 8: start-up apart from the steady state, CPU per event, writes with markers
      "eos_startup_s", "eos_steady_s", "eos_whole_span_events_per_s", "alos_startup_s",
      "eos_cpu_us_per_event", "eos_broker_cpu_us_per_event", "alos_cpu_us_per_event", "alos_broker_cpu_us_per_event",
      "eos_records_written_per_event", "eos_data_records_written_per_event", "eos_markers_written_per_event",
      "passthrough_records_per_s", "passthrough_steady_s", "passthrough_cpu_us_per_record",
      "passthrough_markers_written_per_record", "flink_cpu_us_per_event", "bench_wall_s");

  @Test
  void shouldWriteEveryFigureWhenRunInQuickMode(@TempDir Path dir) throws Exception {
    Path json = Path.of("target", "bench-quick.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try {
      Bench.run(Bench.Options.parse(List.of("--quick", "--json", json.toString(), "--work-dir", dir.toString())),
          new PrintStream(console, true, StandardCharsets.UTF_8));
    } finally {
      Files.write(Path.of("target", "bench-quick.log"), console.toByteArray());
    }

    JsonNode figures = new ObjectMapper().readTree(json.toFile());
    assertThat(figures.has("error")).as("harness error; console:%n%s", console).isFalse();
    for (String key : REQUIRED) {
      assertThat(figures.has(key)).as("%s present; console:%n%s", key, console).isTrue();
      assertThat(figures.get(key).asDouble()).as("%s positive", key).isPositive();
    }
    assertThat(figures.get("input_events").asLong()).isPositive();
    assertThat(figures.get("eos_steady_state_measured").asBoolean()).as("a steady state; console:%n%s", console)
        .isTrue();
    // the pass-through ran on at least its minimum, not on the quick input alone
    assertThat(figures.get("passthrough_records").asLong()).isGreaterThanOrEqualTo(200_000);
    // the history ends at the preload, not weeks before the run
    assertThat(Instant.parse(figures.get("workload_newest_event_time").asText()))
        .isAfter(Instant.parse(figures.get("date").asText()).minusSeconds(1));
    assertThat(figures.get("lookup_non_200_idle").asLong()).as("lookups answered 200").isZero();
  }
}
