package io.testpulse.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario d in quick mode against a real (embedded) broker and one in-process instance. */
class PoisonPillScenarioIT {

  @TempDir
  Path workDir;

  @Test
  void shouldDeadLetterEveryPillAndCountEveryValidExecutionWhenPillsAreInterleaved() throws Exception {
    ScenarioReport report;
    try (InProcessChaosContext context = InProcessChaosContext.start(workDir, Map.of())) {
      report = new PoisonPillScenario().run(context);
    }
    System.out.println(Reports.describe(report));

    assertThat(report.failures()).as("failures of %s", report.name()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.figures().get("pills_dead_lettered_with_coordinates"))
        .isEqualTo(report.figures().get("pills_sent"));
    assertThat(report.figures().get("valid_counted")).isEqualTo(report.figures().get("valid_sent"));
  }
}
