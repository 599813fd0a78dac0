package io.testpulse.topology.internals;

import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.FailedRun;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestState;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.Transition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Settles a test's flakiness state after a change: re-evaluates it, stores it, and forwards the
 * transition (if the state changed) and, for changes not caused by an execution, the new
 * {@link TestStats} with a bumped version (an execution's stats are emitted by the stats step).
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
  private final KeyValueStore<String, FlakinessState> states;
  private final KeyValueStore<String, TestState> testStates;
  private final KeyValueStore<String, CommitOutcome> commits;
  private final KeyValueStore<String, String> index;

  FlakinessEmitter(FlakinessPolicy policy, KeyValueStore<String, FlakinessState> states,
                   KeyValueStore<String, TestState> testStates, KeyValueStore<String, CommitOutcome> commits,
                   KeyValueStore<String, String> index) {
    this.policy = policy;
    this.states = states;
    this.testStates = testStates;
    this.commits = commits;
    this.index = index;
  }

  /**
   * @param testStates null: a change caused by an execution only (its stats are emitted by the stats step)
   * @param commits null: no flip candidate can be pending where this emitter settles (quarantine commands)
   */
  static FlakinessEmitter open(FlakinessPolicy policy, ProcessorContext<?, ?> context,
                               StoreHandle<String, FlakinessState> states, StoreHandle<String, TestState> testStates,
                               StoreHandle<String, CommitOutcome> commits) {
    return new FlakinessEmitter(policy, context.getStateStore(states.name()),
        testStates == null ? null : context.getStateStore(testStates.name()),
        commits == null ? null : context.getStateStore(commits.name()),
        context.getStateStore(Stores.STATE_INDEX.name()));
  }

  /**
   * Fills the state index of a task from its flakiness states when it is empty while states exist:
   * state written before the index existed. Returns the number of tests indexed.
   */
  static int backfillIndex(KeyValueStore<String, FlakinessState> states, KeyValueStore<String, String> index) {
    try (KeyValueIterator<String, String> any = index.all()) {
      if (any.hasNext()) {
        return 0;
      }
    }
    int indexed = 0;
    try (KeyValueIterator<String, FlakinessState> all = states.all()) {
      while (all.hasNext()) {
        FlakinessState s = all.next().value;
        if (s.getState() != null) {
          index.put(Stores.stateIndexKey(s.getTenant(), s.getState(), s.getTestId()), "");
          indexed++;
        }
      }
    }
    return indexed;
  }

  void settle(String key, FlakinessState s, FlakinessRules.Trigger trigger, Map<String, String> evidence,
              ProcessorContext<String, Object> context, Record<?, ?> cause) {
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
    states.put(key, s);
    if (transition != null) {
      if (transition.from() != null) {
        index.delete(Stores.stateIndexKey(s.getTenant(), transition.from(), s.getTestId()));
      }
      index.put(Stores.stateIndexKey(s.getTenant(), transition.to(), s.getTestId()), "");
      context.forward(new Record<>(key, transition, cause.timestamp(), cause.headers()));
    }
    boolean statsChanged = trigger != FlakinessRules.Trigger.EXECUTION
        && (trigger != FlakinessRules.Trigger.FLIP_DECLINED || transition != null);
    if (statsChanged && testStates != null) {
      TestState test = testStates.get(key);
      if (test != null) {
        test.setVersion(test.getVersion() + 1);
        testStates.put(key, test);
        context.forward(new Record<>(TestKeys.key(test.getTenant(), test.getTestId()), TestStats.from(test, s),
            cause.timestamp(), cause.headers()));
      }
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
