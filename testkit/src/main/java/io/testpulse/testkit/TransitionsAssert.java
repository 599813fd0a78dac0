package io.testpulse.testkit;

import io.testpulse.topology.HealthState;
import io.testpulse.topology.Transition;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a test's state changes, oldest first, as written to the transitions topic. */
public final class TransitionsAssert extends AbstractAssert<TransitionsAssert, List<Transition>> {

  TransitionsAssert(List<Transition> actual) {
    super(actual, TransitionsAssert.class);
  }

  /** No state change at all. */
  public TransitionsAssert isEmpty() {
    isNotNull();
    if (!actual.isEmpty()) {
      failWithMessage("Expected no transitions but found %s", describe(actual));
    }
    return this;
  }

  public TransitionsAssert hasSize(int expected) {
    isNotNull();
    if (actual.size() != expected) {
      failWithMessage("Expected %s transitions but found %s: %s", expected, actual.size(), describe(actual));
    }
    return this;
  }

  /** The test entered exactly these states, in this order ({@code to} of every transition). */
  public TransitionsAssert wentThrough(String... states) {
    isNotNull();
    List<String> entered = actual.stream().map(Transition::to).toList();
    if (!entered.equals(Arrays.asList(states))) {
      failWithMessage("Expected the test to go through %s but it went through %s: %s", Arrays.asList(states), entered,
          describe(actual));
    }
    return this;
  }

  /** The test entered exactly these states, in this order. */
  public TransitionsAssert wentThrough(HealthState... states) {
    return wentThrough(Arrays.stream(states).map(HealthState::name).toArray(String[]::new));
  }

  /** The latest transition went to {@code state}. */
  public TransitionsAssert endsIn(HealthState state) {
    return endsIn(state.name());
  }

  /** Some transition went from {@code from} (null: the first state) to {@code to}. */
  public TransitionsAssert hasTransition(HealthState from, HealthState to) {
    return hasTransition(from == null ? null : from.name(), to.name());
  }

  /** Some transition went from {@code from} (null: the first state) to {@code to}. */
  public TransitionsAssert hasTransition(String from, String to) {
    isNotNull();
    if (actual.stream().noneMatch(t -> Objects.equals(t.from(), from) && Objects.equals(t.to(), to))) {
      failWithMessage("Expected a transition %s -> %s but found %s", from, to, describe(actual));
    }
    return this;
  }

  /** The latest transition went to {@code state}. */
  public TransitionsAssert endsIn(String state) {
    isNotNull();
    if (actual.isEmpty() || !Objects.equals(actual.get(actual.size() - 1).to(), state)) {
      failWithMessage("Expected the last transition to go to %s but found %s", state, describe(actual));
    }
    return this;
  }

  /** The latest transition's reason, e.g. {@code same_commit_flip}. */
  public TransitionsAssert lastHasReason(String reason) {
    isNotNull();
    if (actual.isEmpty() || !Objects.equals(actual.get(actual.size() - 1).reason(), reason)) {
      failWithMessage("Expected the last transition's reason to be %s but found %s", reason, describe(actual));
    }
    return this;
  }

  private static List<String> describe(List<Transition> transitions) {
    return transitions.stream().map(t -> t.from() + " -> " + t.to() + " (" + t.reason() + ")").toList();
  }
}
