package io.testpulse.reliability;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loses one instance's local state: load a history, stop instance 1, delete its state directory,
 * start it again. Its stores come back from the changelogs; the answers must be the same as
 * before. Then stop instance 0, so that instance 1 serves every partition from what it restored,
 * and compare again (only through instance 1); instance 0 is started again at the end.
 */
final class StateWipeScenario extends ProcessFaultScenario {

  @Override
  public String name() {
    return "state-wipe";
  }

  @Override
  ScenarioReport run(ChaosContext context, ProcessFaults faults, Map<String, Object> figures, List<String> failures)
      throws Exception {
    boolean quick = context.quick();
    int rounds = quick ? 15 : 60;
    Oracle oracle = new Oracle(context.config().flakinessPolicy());
    ChaosLoad load = new ChaosLoad(context.tenant(), name(), quick ? 300 : 1500, 23L);
    try (Feeder feeder = new Feeder(context.bootstrapServers(), context.config().topics().executions(), load, oracle,
        Double.MAX_VALUE)) {
      feeder.rounds(rounds);
      figures.put("acknowledged_before_wipe", feeder.acked());
    }
    Duration timeout = Duration.ofMinutes(quick ? 2 : 5);
    faults.awaitSettled(timeout);
    ScenarioReport before = Verification.report(name(), context, oracle, true, new LinkedHashMap<>(), new ArrayList<>());
    figures.put("mismatched_before_wipe", before.mismatched());
    if (!before.passed()) {
      failures.add("answers differed before the wipe already: " + before.failures());
    }

    faults.stopInstance(1);
    faults.wipeState(1);
    long started = System.nanoTime();
    faults.startInstance(1);
    Duration settled = faults.awaitSettled(timeout);
    figures.put("wiped_instance_settled_s", (System.nanoTime() - started) / 1e9);
    figures.put("settle_after_start_s", settled.toMillis() / 1e3);
    ScenarioReport after = Verification.report(name(), context, oracle, true, new LinkedHashMap<>(), new ArrayList<>());
    figures.put("mismatched_after_wipe", after.mismatched());
    failures.addAll(after.failures());

    // Instance 1 alone: every lookup is answered from the state it restored from the changelogs.
    faults.stopInstance(0);
    long stopped = System.nanoTime();
    Answers answers = new Answers(context);
    URI survivor = context.instances().get(1);
    Map<String, com.fasterxml.jackson.databind.JsonNode> alone = answers.viaApi(oracle.keys(), List.of(survivor),
        timeout);
    figures.put("takeover_s", (System.nanoTime() - stopped) / 1e9);
    Oracle.Comparison served = oracle.compare("api (instance 1 alone)", alone, true);
    figures.put("alone_unanswered_tests", oracle.keys().size() - alone.size());
    figures.put("alone_lost", served.lost());
    figures.put("alone_mismatched", served.mismatched());
    failures.addAll(served.details());
    faults.startInstance(0);
    ScenarioReport last = Verification.report(name(), context, oracle, true, figures, failures);
    return ScenarioReport.of(name(), Math.max(Math.max(last.lost(), served.lost()), after.lost()),
        Math.max(Math.max(last.duplicated(), served.duplicated()), after.duplicated()),
        Math.max(Math.max(last.mismatched(), served.mismatched()), after.mismatched()), last.figures(),
        last.failures());
  }
}
