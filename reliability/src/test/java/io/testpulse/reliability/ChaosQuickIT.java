package io.testpulse.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/testpulse chaos --quick} in the build: a real broker and two testpulse instances as
 * child JVMs, every registered scenario, real SIGKILLs. Every scenario must pass: nothing lost,
 * nothing counted twice, every answer equal to the reference model's.
 */
class ChaosQuickIT {

  @Test
  void shouldLoseAndDuplicateNothingWhenEveryScenarioRunsQuick() throws Exception {
    Path json = Path.of("target", "chaos-quick.json");
    Map<String, Object> report = Chaos.run(new Chaos.Options(true, json, List.of(), Path.of("target"),
        System.getProperty("java.class.path")), System.out);

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> scenarios = (List<Map<String, Object>>) report.get("scenarios");
    assertThat(scenarios).extracting(s -> s.get("name"))
        .containsExactlyElementsOf(Scenarios.all().stream().map(Scenario::name).toList());
    assertThat(scenarios).allSatisfy(s -> assertThat(s)
        .as("scenario %s: %s", s.get("name"), s.get("failures"))
        .containsEntry("passed", true).containsEntry("lost", 0L).containsEntry("duplicated", 0L)
        .containsEntry("mismatched", 0L));
    assertThat(report).containsEntry("passed", true);
  }
}
