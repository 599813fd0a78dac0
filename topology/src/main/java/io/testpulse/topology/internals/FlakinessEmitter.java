package io.testpulse.topology.internals;

import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.FailedRun;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestRecord;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Transition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Settles a test's flakiness state after a change: re-evaluates it, marks the test's record changed
 * (its stats are emitted once per commit, see {@link TestEngineProcessor}) and forwards the transition
 * if the state changed.
 *
 * <p>A FLAKY test does not recover while one of its flip candidates waits for the outage guard's
 * first verdict (given the commits store): the verdict travels through two topics and may arrive
 * after later executions of the test, most visibly after a broker outage, and recovering on those
 * would write FLAKY, HEALTHY, FLAKY where the definitions say FLAKY. The wait is bounded by the
 * recovery horizon, so a verdict that never came cannot keep a test FLAKY.
 */
final class FlakinessEmitter {

  /** Kafka Streams metric group {@code stream-testpulse-flakiness-metrics}. */
  static final String METRIC_SCOPE = "testpulse-flakiness";

  private static final StringSerializer KEYS = new StringSerializer();

  private final FlakinessPolicy policy;
  private final WriteBehindStore<String, TestRecord> records;
  private final KeyValueStore<String, CommitOutcome> commits;
  private final KeyValueStore<String, String> index;

  FlakinessEmitter(FlakinessPolicy policy, WriteBehindStore<String, TestRecord> records,
                   KeyValueStore<String, CommitOutcome> commits, KeyValueStore<String, String> index) {
    this.policy = policy;
    this.records = records;
    this.commits = commits;
    this.index = index;
  }

  /** @param commits null: no flip candidate can be pending where this emitter settles (quarantine commands) */
  static FlakinessEmitter open(FlakinessPolicy policy, ProcessorContext<?, ?> context,
                               WriteBehindStore<String, TestRecord> records, StoreHandle<String, CommitOutcome> commits) {
    return new FlakinessEmitter(policy, records, commits == null ? null : context.getStateStore(commits.name()),
        context.getStateStore(Stores.STATE_INDEX.name()));
  }

  /** Settles {@code r}'s flakiness state (not null) after a change caused by {@code trigger}. */
  void settle(String key, TestRecord r, FlakinessRules.Trigger trigger, Map<String, String> evidence,
              ProcessorContext<String, Object> context, Record<?, ?> cause) {
    FlakinessState s = r.getFlakiness();
    HealthState next = FlakinessRules.evaluate(s, policy);
    if (next == HealthState.HEALTHY && HealthState.FLAKY.name().equals(s.getState())
        && verdictPending(key, s, trigger)) {
      next = null;
    }
    Transition transition = null;
    if (next != null) {
      String from = s.getState();
      String reason = FlakinessRules.reason(from, next, trigger);
      s.setState(next.name());
      s.setStateSince(s.getClock());
      s.setStateReason(reason);
      Map<String, String> all = new LinkedHashMap<>(evidence);
      all.put("transition_score", Double.toString(s.getTransitionScore()));
      if (s.getFailureRate() != null) {
        all.put("failure_rate", Double.toString(s.getFailureRate()));
      }
      all.put("flakiness_score", Double.toString(s.getFlakinessScore()));
      transition = new Transition(key, s.getTenant(), s.getTestId(), s.getSuite(), from, next.name(), reason, all,
          s.getClock());
    }
    // A change not caused by an execution (which counted itself) is one more version of the stats; a declined
    // candidate that changes nothing visible is stored without a new version or stats row.
    boolean statsChanged = trigger != FlakinessRules.Trigger.EXECUTION
        && (trigger != FlakinessRules.Trigger.FLIP_DECLINED || transition != null);
    if (statsChanged && r.getStats() != null) {
      r.getStats().setVersion(r.getStats().getVersion() + 1);
    }
    records.changed(key, r, trigger == FlakinessRules.Trigger.EXECUTION || statsChanged);
    if (transition != null) {
      if (transition.from() != null) {
        index.delete(Stores.stateIndexKey(s.getTenant(), transition.from(), s.getTestId()));
      }
      index.put(Stores.stateIndexKey(s.getTenant(), transition.to(), s.getTestId()), "");
      context.forward(new Record<>(key, transition, cause.timestamp(), cause.headers()));
    }
  }

  /**
   * Whether a flip candidate of the test still waits for its first verdict and, if confirmed, would
   * keep the test FLAKY (within {@code recover.after} and {@code recover.executions} of it). A
   * candidate the settled execution itself completed does not count: by the definitions an
   * execution is settled before the verdicts it causes.
   */
  private boolean verdictPending(String key, FlakinessState s, FlakinessRules.Trigger trigger) {
    if (commits == null) {
      return false;
    }
    long horizon = s.getClock() - policy.recoverAfter().toMillis();
    try (KeyValueIterator<String, CommitOutcome> all = commits.prefixScan(key + "/", KEYS)) {
      while (all.hasNext()) {
        for (FailedRun f : all.next().value.getFails()) {
          if (f.getAnswered() || f.getCandidateTime() == null || f.getCandidateIndex() == null) {
            continue;
          }
          long after = s.getExecutions() - f.getCandidateIndex();
          boolean own = trigger == FlakinessRules.Trigger.EXECUTION && after == 0;
          if (!own && after < policy.recoverExecutions() && f.getCandidateTime() > horizon) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
