package io.testpulse.testkit;

import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.TestStats;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link TestpulseDriver}: which tests have state, what was dead-lettered, transitions. */
public final class DriverAssert extends AbstractAssert<DriverAssert, TestpulseDriver> {

  DriverAssert(TestpulseDriver actual) {
    super(actual, DriverAssert.class);
  }

  /** The test's current state, to assert on; fails if the topology has no state for it. */
  public TestStatsAssert test(TestRef test) {
    isNotNull();
    Optional<TestStats> stats = actual.stats(test);
    if (stats.isEmpty()) {
      failWithMessage("Expected state for test %s, but the topology has none. Tests with state: %s", test,
          actual.testKeys());
    }
    return new TestStatsAssert(stats.get()).as("test %s", test);
  }

  /** The durations of one test over every bucket, to assert on; fails if it has none. */
  public DurationsAssert durationsOf(TestRef test) {
    isNotNull();
    Optional<DurationSummary> durations = actual.durations(test);
    if (durations.isEmpty()) {
      failWithMessage("Expected durations for test %s, but the topology has none", test);
    }
    return new DurationsAssert(durations.get()).as("durations of %s", test);
  }

  /** Fails if the topology has state for {@code test}. */
  public DriverAssert hasNoStateFor(TestRef test) {
    isNotNull();
    actual.stats(test).ifPresent(s -> failWithMessage("Expected no state for test %s, but found %s", test, s));
    return this;
  }

  /** Fails unless exactly {@code count} tests have state. */
  public DriverAssert hasTests(int count) {
    isNotNull();
    List<String> keys = actual.testKeys();
    if (keys.size() != count) {
      failWithMessage("Expected %s tests with state, but found %s: %s", count, keys.size(), keys);
    }
    return this;
  }

  /** Fails unless exactly {@code count} records were dead-lettered. */
  public DriverAssert hasDeadLetters(int count) {
    isNotNull();
    List<DeadLetter> dead = actual.deadLetters();
    if (dead.size() != count) {
      failWithMessage("Expected %s dead letters, but found %s: %s", count, dead.size(),
          dead.stream().map(d -> d.keyAsString() + ": " + d.message()).toList());
    }
    return this;
  }

  /** The state changes of one test, oldest first, to assert on. */
  public TransitionsAssert transitionsOf(TestRef test) {
    isNotNull();
    return new TransitionsAssert(actual.transitions(test)).as("transitions of %s", test);
  }
}
