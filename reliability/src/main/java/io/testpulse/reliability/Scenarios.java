package io.testpulse.reliability;

import java.util.List;

/** Every scenario of {@code bin/testpulse chaos}, in the order they run (one cluster for all of them). */
public final class Scenarios {

  /** How much an instance's resident memory may grow during the hostile-HTTP scenario. */
  static final long HOSTILE_HTTP_RSS_GROWTH_BOUND = 512L * 1024 * 1024;

  private Scenarios() {
  }

  public static List<Scenario> all() {
    return List.of(
        new KillInstanceScenario(),
        new PauseInstanceScenario(),
        new BrokerRestartScenario(),
        new StateWipeScenario(),
        new AckedUploadsScenario(),
        // Last: their valid executions go straight to the topic, past the harness's reference model,
        // so no scenario after them may compare every test with the model.
        new PoisonPillScenario(),
        // The instances run with -Xms256m -Xmx512m: their RSS may grow by the heap's headroom plus
        // thread stacks and buffers; growth beyond this bound is memory the attack made unbounded.
        new HostileHttpScenario(HOSTILE_HTTP_RSS_GROWTH_BOUND));
  }
}
