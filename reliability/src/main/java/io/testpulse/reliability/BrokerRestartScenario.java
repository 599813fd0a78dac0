package io.testpulse.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * SIGKILL the broker mid-stream under steady load, keep it down a few seconds, start it again on
 * the same ports and data directory; repeat (full mode: 3 times, quick: once). The producer resends
 * what Kafka did not acknowledge; the instances must resume on their own. Recovery runs from the
 * SIGKILL until both instances are RUNNING and every input record acknowledged before it is committed.
 */
final class BrokerRestartScenario extends ProcessFaultScenario {

  @Override
  public String name() {
    return "broker-restart";
  }

  @Override
  ScenarioReport run(ChaosContext context, ProcessFaults faults, Map<String, Object> figures, List<String> failures)
      throws Exception {
    boolean quick = context.quick();
    int restarts = quick ? 1 : 3;
    Duration before = Duration.ofSeconds(quick ? 10 : 30);
    Duration down = Duration.ofSeconds(quick ? 3 : 10);
    double rate = 100;
    figures.put("restarts", restarts);
    figures.put("down_s", down.toSeconds());
    figures.put("target_events_per_s", rate);
    Oracle oracle = new Oracle(context.config().flakinessPolicy());
    ChaosLoad load = new ChaosLoad(context.tenant(), name(), quick ? 200 : 1000, 17L);
    List<Double> brokerStarts = new ArrayList<>();
    List<Double> recoveries = new ArrayList<>();
    try (Feeder feeder = new Feeder(context.bootstrapServers(), context.config().topics().executions(), load, oracle,
        rate)) {
      long t0 = System.nanoTime();
      feeder.start();
      for (int r = 0; r < restarts; r++) {
        TimeUnit.NANOSECONDS.sleep(before.toNanos());
        Map<TopicPartition, Long> ends = faults.inputEnds();
        long killedAt = System.nanoTime();
        faults.killBroker();
        TimeUnit.NANOSECONDS.sleep(down.toNanos());
        long restartAt = System.nanoTime();
        faults.restartBroker();
        brokerStarts.add((System.nanoTime() - restartAt) / 1e9);
        double recovery = KillInstanceScenario.awaitRecovery(faults, ends, killedAt,
            KillInstanceScenario.RECOVERY_LIMIT);
        if (recovery < 0) {
          failures.add("broker restart " + (r + 1) + ": instances not recovered within "
              + KillInstanceScenario.RECOVERY_LIMIT);
        } else {
          recoveries.add(recovery);
        }
      }
      TimeUnit.NANOSECONDS.sleep(before.toNanos());
      feeder.stop();
      Verification.summarize(figures, "broker_start", brokerStarts);
      Verification.summarize(figures, "recovery", recoveries);
      figures.put("rounds", feeder.roundsFed());
      figures.put("producer_resent", feeder.resent());
      figures.put("achieved_events_per_s", feeder.acked() / ((System.nanoTime() - t0) / 1e9));
    }
    for (int i = 0; i < context.instances().size(); i++) {
      if (!context.alive(i)) {
        failures.add("instance " + i + " died during the broker restarts (see its log)");
      }
    }
    return Verification.report(name(), context, oracle, true, figures, failures);
  }
}
