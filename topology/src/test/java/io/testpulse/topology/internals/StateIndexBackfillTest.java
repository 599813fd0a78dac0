package io.testpulse.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.FlakinessState;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.Stores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State written before the state index existed: when a task starts with flakiness states but an
 * empty index, the flakiness processor indexes every test under its current state, once.
 */
class StateIndexBackfillTest {

  @TempDir
  Path stateDir;

  private MockProcessorContext<String, Object> context;
  private KeyValueStore<String, FlakinessState> states;
  private KeyValueStore<String, String> index;

  @BeforeEach
  void stores() {
    context = MockTask.context("state-index", stateDir);
    states = MockTask.store(context, Stores.FLAKINESS_STATE);
    index = MockTask.store(context, Stores.STATE_INDEX);
    MockTask.store(context, Stores.FLAKINESS_COMMITS);
    MockTask.store(context, Stores.FLAKINESS_WATERMARK);
  }

  @Test
  void shouldIndexExistingStatesWhenTheTaskStartsWithAnEmptyIndex() {
    states.put("acme/t1", state("t1", "FLAKY"));
    states.put("acme/t2", state("t2", "HEALTHY"));
    states.put("acme/t3", state("t3", null)); // only late executions so far: no state, nothing to index

    new FlakinessProcessor(FlakinessPolicy.defaults()).init(context);

    assertThat(keys(index)).containsExactly("acme/FLAKY/t1", "acme/HEALTHY/t2");
  }

  @Test
  void shouldLeaveAnIndexThatHasEntriesAsItIs() {
    states.put("acme/t1", state("t1", "FLAKY"));
    index.put("acme/FLAKY/t1", "");
    states.put("acme/t2", state("t2", "HEALTHY")); // indexed by its own transition, in a real task

    new FlakinessProcessor(FlakinessPolicy.defaults()).init(context);

    assertThat(keys(index)).containsExactly("acme/FLAKY/t1");
  }

  @Test
  void shouldMapAnIndexKeyBackToItsTestKey() {
    String key = Stores.stateIndexKey("acme", "FLAKY", "0123abcd");

    assertThat(key).startsWith(Stores.stateIndexFrom("acme", "FLAKY"));
    assertThat(key.compareTo(Stores.stateIndexTo("acme", "FLAKY"))).isNegative();
    assertThat(Stores.testKeyOfStateIndexKey(key)).isEqualTo("acme/0123abcd");
  }

  private static FlakinessState state(String testId, String state) {
    FlakinessState s = FlakinessRules.newState("acme", testId, "web");
    s.setState(state);
    return s;
  }

  private static List<String> keys(KeyValueStore<String, String> index) {
    List<String> keys = new ArrayList<>();
    try (var all = index.all()) {
      all.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }

}
