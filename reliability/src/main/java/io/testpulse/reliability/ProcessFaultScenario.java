package io.testpulse.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scenario whose faults are real process faults (SIGKILL, SIGSTOP, a broker restart, a wiped
 * state directory): it runs only against a cluster of child processes ({@link ProcessFaults}) and
 * fails, saying so, against any other {@link ChaosContext}.
 */
abstract class ProcessFaultScenario implements Scenario {

  @Override
  public final ScenarioReport run(ChaosContext context) throws Exception {
    Map<String, Object> figures = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    if (!(context instanceof ProcessFaults faults)) {
      failures.add("needs a cluster of child processes (ProcessFaults)");
      return ScenarioReport.of(name(), 0, 0, 0, figures, failures);
    }
    return run(context, faults, figures, failures);
  }

  /**
   * Runs the scenario.
   *
   * @param figures the report's figures, to add to
   * @param failures the reasons it failed, to add to
   */
  abstract ScenarioReport run(ChaosContext context, ProcessFaults faults, Map<String, Object> figures,
                              List<String> failures) throws Exception;
}
