package io.testpulse.topology.internals;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.FlipEntry;
import io.testpulse.avro.WindowEntry;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.HealthState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The incremental, bounded form of the flakiness definitions (README, "Definitions"), applied to
 * a {@link FlakinessState} in place. The reference model in {@code io.testpulse.topology.reference}
 * computes the same answers from the full history instead; the two are checked against each other.
 */
final class FlakinessRules {

  /** What caused an evaluation: the reason of a transition depends on it. */
  enum Trigger {
    EXECUTION, FLIP_CONFIRMED, FLIP_RETRACTED,
    /** The first verdict on a candidate declines it (its run is an outage): a held recovery may go ahead. */
    FLIP_DECLINED,
    QUARANTINE, RELEASE
  }

  static final Comparator<WindowEntry> WINDOW_ORDER = Comparator.comparingLong(WindowEntry::getTime)
      .thenComparingInt(WindowEntry::getAttempt).thenComparing(WindowEntry::getExecutionId);

  private FlakinessRules() {
  }

  static FlakinessState newState(String tenant, String testId, String suite) {
    FlakinessState s = new FlakinessState();
    s.setTenant(tenant);
    s.setTestId(testId);
    s.setSuite(suite);
    s.setWindow(new ArrayList<>());
    s.setFlips(new ArrayList<>());
    return s;
  }

  /**
   * The state read from a store, with lists that can be changed in place (Avro's decoded arrays
   * do not support removal).
   */
  static FlakinessState mutable(FlakinessState s) {
    if (s != null) {
      s.setWindow(new ArrayList<>(s.getWindow()));
      s.setFlips(new ArrayList<>(s.getFlips()));
    }
    return s;
  }

  /** Keeps the newest {@code w} results in order; an entry older than a full window's oldest is ignored. */
  static void insert(List<WindowEntry> window, WindowEntry entry, int w) {
    int at = 0;
    int size = window.size();
    while (at < size && WINDOW_ORDER.compare(window.get(at), entry) < 0) {
      at++;
    }
    if (at < size && WINDOW_ORDER.compare(window.get(at), entry) == 0) {
      return; // the same execution again
    }
    if (size >= w) {
      if (at == 0) {
        return;
      }
      window.add(at, entry);
      window.remove(0);
    } else {
      window.add(at, entry);
    }
  }

  /** Changes between pass and fail among consecutive results of the window, divided by W. */
  static double transitionScore(List<WindowEntry> window, int w) {
    int changes = 0;
    for (int i = 1; i < window.size(); i++) {
      if (window.get(i).getFailed() != window.get(i - 1).getFailed()) {
        changes++;
      }
    }
    return (double) changes / w;
  }

  static Double failureRate(List<WindowEntry> window, int minSamples) {
    if (window.size() < minSamples) {
      return null;
    }
    long failed = window.stream().filter(WindowEntry::getFailed).count();
    return (double) failed / window.size();
  }

  /** Weight of a commit first seen at {@code t}, relative to the state's reference time. */
  static double weight(FlakinessState s, long t, FlakinessPolicy policy) {
    return Math.pow(2, (double) (t - s.getScoreRef()) / policy.scoreHalfLife().toMillis());
  }

  /** Adds a newly seen commit to the score's denominator, moving the reference time forward if needed. */
  static void addCommit(FlakinessState s, long t, FlakinessPolicy policy) {
    if (s.getCommitsSeen() == 0) {
      s.setScoreRef(t);
    } else if (t > s.getScoreRef()) {
      double rescale = weight(s, s.getScoreRef(), policy) / weight(s, t, policy);
      s.setCommitWeight(s.getCommitWeight() * rescale);
      s.setFlipWeight(s.getFlipWeight() * rescale);
      s.setScoreRef(t);
    }
    s.setCommitsSeen(s.getCommitsSeen() + 1);
    s.setCommitWeight(s.getCommitWeight() + weight(s, t, policy));
  }

  static void addFlip(FlakinessState s, String commit, long commitFirstSeen, long time, long executionIndex,
                      FlakinessPolicy policy) {
    s.getFlips().add(new FlipEntry(commit, time, executionIndex));
    s.setFlipsTotal(s.getFlipsTotal() + 1);
    s.setFlipWeight(s.getFlipWeight() + weight(s, commitFirstSeen, policy));
  }

  static void retractFlip(FlakinessState s, String commit, long commitFirstSeen, FlakinessPolicy policy) {
    s.getFlips().removeIf(f -> f.getCommitSha().equals(commit));
    s.setFlipsTotal(s.getFlipsTotal() - 1);
    s.setFlipsRetracted(s.getFlipsRetracted() + 1);
    s.setFlipWeight(Math.max(0.0, s.getFlipWeight() - weight(s, commitFirstSeen, policy)));
  }

  /**
   * Recomputes the derived figures and the state; returns the new state if it changed, else null.
   * Flips that can no longer keep the test FLAKY are dropped, which bounds the list.
   */
  static HealthState evaluate(FlakinessState s, FlakinessPolicy policy) {
    long now = s.getClock();
    s.setTransitionScore(transitionScore(s.getWindow(), policy.window()));
    Double rate = failureRate(s.getWindow(), policy.minSamples());
    s.setFailureRate(rate);
    s.setFlakinessScore(s.getCommitWeight() <= 0 ? 0.0 : Math.min(1.0, s.getFlipWeight() / s.getCommitWeight()));
    s.getFlips().removeIf(f -> now - f.getTime() >= policy.recoverAfter().toMillis()
        || s.getExecutions() - f.getExecutionIndex() >= policy.recoverExecutions());
    boolean flaky = !s.getFlips().isEmpty();
    boolean broken = rate != null && (s.getBroken() ? rate >= policy.brokenExitRate() : rate >= policy.brokenEnterRate());
    s.setBroken(broken);
    if (s.getQuarantined() && s.getQuarantineExpiresAt() != null && now >= s.getQuarantineExpiresAt()) {
      s.setQuarantined(false);
    }
    HealthState next = s.getQuarantined() ? HealthState.QUARANTINED
        : broken ? HealthState.BROKEN : flaky ? HealthState.FLAKY : HealthState.HEALTHY;
    String previous = s.getState();
    return previous != null && previous.equals(next.name()) ? null : next;
  }

  /** The reason of a change from {@code from} (null for the first state) to {@code to}. */
  static String reason(String from, HealthState to, Trigger trigger) {
    if (from == null) {
      return "first_execution";
    }
    if (to == HealthState.QUARANTINED) {
      return "quarantined";
    }
    if (HealthState.QUARANTINED.name().equals(from)) {
      return trigger == Trigger.RELEASE ? "released" : "quarantine_expired";
    }
    if (to == HealthState.BROKEN) {
      return "failure_rate_high";
    }
    if (HealthState.BROKEN.name().equals(from)) {
      return "failure_rate_recovered";
    }
    if (to == HealthState.FLAKY) {
      return "same_commit_flip";
    }
    return trigger == Trigger.FLIP_RETRACTED ? "flip_retracted_outage" : "no_recent_flip";
  }
}
