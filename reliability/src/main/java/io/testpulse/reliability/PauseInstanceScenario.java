package io.testpulse.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * A zombie: SIGSTOP one instance under steady load for longer than the session timeout, so that the
 * other takes its tasks over, then SIGCONT it. The frozen instance wakes up with open transactions
 * and in-flight state of tasks it no longer owns; exactly-once must fence it (nothing it writes after
 * waking may count). Full mode: three pauses of 20 s, alternating; quick: one.
 */
final class PauseInstanceScenario extends ProcessFaultScenario {

  @Override
  public String name() {
    return "pause-instance";
  }

  @Override
  ScenarioReport run(ChaosContext context, ProcessFaults faults, Map<String, Object> figures, List<String> failures)
      throws Exception {
    boolean quick = context.quick();
    int pauses = quick ? 1 : 3;
    Duration paused = Duration.ofSeconds(quick ? 15 : 20);
    Duration between = Duration.ofSeconds(quick ? 5 : 20);
    double rate = 100;
    figures.put("pauses", pauses);
    figures.put("paused_s", paused.toSeconds());
    figures.put("target_events_per_s", rate);
    Oracle oracle = new Oracle(context.config().flakinessPolicy());
    ChaosLoad load = new ChaosLoad(context.tenant(), name(), quick ? 200 : 1000, 41L);
    List<Double> rejoins = new ArrayList<>();
    List<Double> takeovers = new ArrayList<>();
    try (Feeder feeder = new Feeder(context.bootstrapServers(), context.config().topics().executions(), load, oracle,
        rate)) {
      long t0 = System.nanoTime();
      feeder.start();
      for (int p = 0; p < pauses; p++) {
        TimeUnit.NANOSECONDS.sleep(between.toNanos());
        int victim = p % 2;
        Map<TopicPartition, Long> atStop = faults.inputEnds();
        long stoppedAt = System.nanoTime();
        faults.pauseInstance(victim);
        // takeover: the other instance has the frozen one's partitions and committed what was acknowledged before the freeze
        double takeover = -1;
        while (System.nanoTime() - stoppedAt < paused.toNanos()) {
          if (takeover < 0 && KillInstanceScenario.committedPast(faults, atStop)) {
            takeover = (System.nanoTime() - stoppedAt) / 1e9;
          }
          TimeUnit.MILLISECONDS.sleep(100);
        }
        takeovers.add(takeover);
        Map<TopicPartition, Long> ends = faults.inputEnds();
        long resumedAt = System.nanoTime();
        faults.resumeInstance(victim);
        double rejoin = KillInstanceScenario.awaitRecovery(faults, ends, resumedAt,
            KillInstanceScenario.RECOVERY_LIMIT);
        if (rejoin < 0) {
          failures.add("pause " + (p + 1) + " (instance " + victim + "): not recovered within "
              + KillInstanceScenario.RECOVERY_LIMIT + " of SIGCONT");
        } else {
          rejoins.add(rejoin);
        }
      }
      TimeUnit.NANOSECONDS.sleep(between.toNanos());
      feeder.stop();
      // -1: the survivor had not committed everything acknowledged before the freeze while it lasted
      Verification.summarize(figures, "takeover", takeovers);
      Verification.summarize(figures, "rejoin", rejoins);
      figures.put("rounds", feeder.roundsFed());
      figures.put("achieved_events_per_s", feeder.acked() / ((System.nanoTime() - t0) / 1e9));
    }
    for (int i = 0; i < context.instances().size(); i++) {
      if (!context.alive(i)) {
        failures.add("instance " + i + " died after SIGCONT (see its log)");
      }
    }
    return Verification.report(name(), context, oracle, true, figures, failures);
  }
}
