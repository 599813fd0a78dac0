package io.testpulse.topology.internals;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestState;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.Transition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Settles a test's flakiness state after a change: re-evaluates it, stores it, and forwards the
 * transition (if the state changed) and, for changes not caused by an execution, the new
 * {@link TestStats} with a bumped version (an execution's stats are emitted by the stats step).
 */
final class FlakinessEmitter {

  /** Kafka Streams metric group {@code stream-testpulse-flakiness-metrics}. */
  static final String METRIC_SCOPE = "testpulse-flakiness";

  private final FlakinessPolicy policy;
  private final KeyValueStore<String, FlakinessState> states;
  private final KeyValueStore<String, TestState> testStates;

  FlakinessEmitter(FlakinessPolicy policy, KeyValueStore<String, FlakinessState> states,
                   KeyValueStore<String, TestState> testStates) {
    this.policy = policy;
    this.states = states;
    this.testStates = testStates;
  }

  static FlakinessEmitter open(FlakinessPolicy policy, ProcessorContext<?, ?> context,
                               StoreHandle<String, FlakinessState> states, StoreHandle<String, TestState> testStates) {
    return new FlakinessEmitter(policy, context.getStateStore(states.name()),
        testStates == null ? null : context.getStateStore(testStates.name()));
  }

  void settle(String key, FlakinessState s, FlakinessRules.Trigger trigger, Map<String, String> evidence,
              ProcessorContext<String, Object> context, Record<?, ?> cause) {
    HealthState next = FlakinessRules.evaluate(s, policy);
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
      context.forward(new Record<>(key, transition, cause.timestamp(), cause.headers()));
    }
    if (trigger != FlakinessRules.Trigger.EXECUTION && testStates != null) {
      TestState test = testStates.get(key);
      if (test != null) {
        test.setVersion(test.getVersion() + 1);
        testStates.put(key, test);
        context.forward(new Record<>(TestKeys.key(test.getTenant(), test.getTestId()), TestStats.from(test, s),
            cause.timestamp(), cause.headers()));
      }
    }
  }
}
