package io.testpulse.reliability;

import java.util.List;

/** Every scenario of {@code bin/testpulse chaos}, in the order they run (one cluster for all of them). */
public final class Scenarios {

  private Scenarios() {
  }

  public static List<Scenario> all() {
    return List.of(
        new KillInstanceScenario(),
        new PauseInstanceScenario(),
        new BrokerRestartScenario(),
        new StateWipeScenario(),
        new AckedUploadsScenario());
  }
}
