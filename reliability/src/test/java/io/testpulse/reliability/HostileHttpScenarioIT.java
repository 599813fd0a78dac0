package io.testpulse.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario f in quick mode against one in-process instance on a real (embedded) broker. */
class HostileHttpScenarioIT {

  @TempDir
  Path workDir;

  @Test
  void shouldRefuseEveryHostileRequestWithoutA5xxAndKeepServingWhenAttacked() throws Exception {
    ScenarioReport report;
    try (InProcessChaosContext context = InProcessChaosContext.start(workDir, Map.of())) {
      report = new HostileHttpScenario().run(context);
    }
    System.out.println(Reports.describe(report));

    assertThat(report.failures()).as("failures of %s", report.name()).isEmpty();
    assertThat(report.passed()).isTrue();
    assertThat(report.figures().get("server_errors_5xx")).isEqualTo(0L);
    assertThat((Long) report.figures().get("requests")).isGreaterThan(1000L);
  }
}
