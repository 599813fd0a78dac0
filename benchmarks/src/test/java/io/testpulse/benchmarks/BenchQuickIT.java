package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench --quick} end to end (broker, topology, ceilings, Flink peer, query load,
 * restore, each in its own JVM) so the harness cannot rot. It checks that every figure the issue
 * names is present and positive, never how fast anything is: performance is measured, not asserted.
 */
class BenchQuickIT {

  private static final List<String> REQUIRED = List.of("eos_events_per_s", "alos_events_per_s", "ratio_vs_consumer",
      "ratio_vs_producer", "ratio_vs_passthrough", "ratio_vs_flink", "lookup_p99_ms_under_load",
      "restore_records_per_s");

  @Test
  void shouldWriteEveryFigureWhenRunInQuickMode(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("bench.json");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Bench.run(Bench.Options.parse(List.of("--quick", "--json", json.toString(), "--work-dir", dir.toString())),
        new PrintStream(console, true, StandardCharsets.UTF_8));

    JsonNode figures = new ObjectMapper().readTree(json.toFile());
    assertThat(figures.has("error")).as("harness error; console:%n%s", console).isFalse();
    for (String key : REQUIRED) {
      assertThat(figures.has(key)).as("%s present; console:%n%s", key, console).isTrue();
      assertThat(figures.get(key).asDouble()).as("%s positive", key).isPositive();
    }
    assertThat(figures.get("input_events").asLong()).isPositive();
    assertThat(figures.get("lookup_non_200_idle").asLong()).as("lookups answered 200").isZero();
  }
}
