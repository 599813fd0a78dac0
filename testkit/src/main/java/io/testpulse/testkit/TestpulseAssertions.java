package io.testpulse.testkit;

import io.testpulse.topology.TestStats;
import org.assertj.core.api.Assertions;

/**
 * AssertJ entry point for testpulse, with every AssertJ assertion inherited: one static import
 * ({@code import static io.testpulse.testkit.TestpulseAssertions.assertThat;}) serves both.
 *
 * <pre>{@code
 * assertThat(driver).test(addsItem.ref()).hasPassed(3).hasFailed(1).hasReliability(0.75);
 * assertThat(driver).transitionsOf(addsItem.ref()).isEmpty();
 * assertThat(driver).hasDeadLetters(1);
 * }</pre>
 */
public class TestpulseAssertions extends Assertions {

  protected TestpulseAssertions() {
  }

  /** Assertions on what a driver's topology holds and wrote. */
  public static DriverAssert assertThat(TestpulseDriver actual) {
    return new DriverAssert(actual);
  }

  /** Assertions on one test's state, e.g. an element of {@link TestpulseDriver#allStats()}. */
  public static TestStatsAssert assertThat(TestStats actual) {
    return new TestStatsAssert(actual);
  }
}
