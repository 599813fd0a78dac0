package io.testpulse.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * SIGKILL one of the two instances every 10 s under steady load (exactly_once_v2), alternating, and
 * start it again at once (same member id, port and state directory). Full mode: 5 minutes; quick: 40 s.
 * The recovery time of a kill runs from the SIGKILL until both instances are RUNNING again and the
 * group has committed every input record acknowledged before the kill. A kill whose recovery takes
 * longer than the interval delays the next one (kills never overlap: each is measured on its own).
 */
final class KillInstanceScenario extends ProcessFaultScenario {

  private static final Duration INTERVAL = Duration.ofSeconds(10);
  /**
   * A liveness bound, not a performance target: recovery time is a reported figure (it depends on
   * the machine's load), but a cluster that has not recovered after this long is failing.
   */
  static final Duration RECOVERY_LIMIT = Duration.ofMinutes(10);

  @Override
  public String name() {
    return "kill-instance";
  }

  @Override
  ScenarioReport run(ChaosContext context, ProcessFaults faults, Map<String, Object> figures, List<String> failures)
      throws Exception {
    boolean quick = context.quick();
    Duration length = quick ? Duration.ofSeconds(40) : Duration.ofMinutes(5);
    int tests = quick ? 200 : 1000;
    double rate = 100;
    figures.put("duration_s", length.toSeconds());
    figures.put("kill_interval_s", INTERVAL.toSeconds());
    figures.put("target_events_per_s", rate);
    Oracle oracle = new Oracle(context.config().flakinessPolicy());
    ChaosLoad load = new ChaosLoad(context.tenant(), name(), tests, 9L);
    List<Double> recoveries = new ArrayList<>();
    int kills = 0;
    try (Feeder feeder = new Feeder(context.bootstrapServers(), context.config().topics().executions(), load, oracle,
        rate)) {
      feeder.start();
      long t0 = System.nanoTime();
      long end = t0 + length.toNanos();
      long nextKill = t0 + INTERVAL.toNanos();
      while (System.nanoTime() < end) {
        long wait = nextKill - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        int victim = kills % 2;
        Map<TopicPartition, Long> ends = faults.inputEnds();
        long killedAt = System.nanoTime();
        faults.killInstance(victim);
        kills++;
        faults.startInstance(victim);
        double recovery = awaitRecovery(faults, ends, killedAt, RECOVERY_LIMIT);
        if (recovery < 0) {
          failures.add("kill " + kills + " (instance " + victim + "): not recovered within " + RECOVERY_LIMIT);
        } else {
          recoveries.add(recovery);
        }
        nextKill = Math.max(killedAt + INTERVAL.toNanos(), System.nanoTime());
      }
      feeder.stop();
      figures.put("kills", kills);
      Verification.summarize(figures, "recovery", recoveries);
      figures.put("rounds", feeder.roundsFed());
      figures.put("producer_resent", feeder.resent());
      figures.put("achieved_events_per_s", feeder.acked() / ((System.nanoTime() - t0) / 1e9));
    }
    return Verification.report(name(), context, oracle, true, figures, failures);
  }

  /** Seconds from {@code killedAt} until both instances are ready and the input up to {@code ends} is committed; -1 on timeout. */
  static double awaitRecovery(ProcessFaults faults, Map<TopicPartition, Long> ends, long killedAt, Duration timeout)
      throws Exception {
    long deadline = killedAt + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (faults.ready(0) && faults.ready(1) && committedPast(faults, ends)) {
        return (System.nanoTime() - killedAt) / 1e9;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return -1;
  }

  /** Whether the group committed past {@code ends}; false while the broker cannot answer (restarting). */
  static boolean committedPast(ProcessFaults faults, Map<TopicPartition, Long> ends) throws InterruptedException {
    try {
      return faults.committedPast(ends);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception brokerNotAnswering) {
      return false;
    }
  }
}
