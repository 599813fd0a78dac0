package io.testpulse.testkit;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;
import static io.testpulse.testkit.TestpulseAssertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Duration percentiles driven through the testkit. */
class DurationsWithTestkitTest {

  private final TestpulseDriver driver = TestpulseDriver.create();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldAnswerPercentilesWhenExecutionsHaveDurations() {
    ExecutionBuilder checkout = driver.executions().test("Checkout", "pays");
    for (int ms = 1; ms <= 100; ms++) {
      driver.send(checkout.passed().took(Duration.ofMillis(ms)));
      driver.advanceTime(Duration.ofMinutes(1));
    }

    assertThat(driver).durationsOf(checkout.ref())
        .hasCount(100).hasMin(Duration.ofMillis(1)).hasMax(Duration.ofMillis(100))
        .hasP50(Duration.ofMillis(50)).hasP90(Duration.ofMillis(90)).hasP99(Duration.ofMillis(99));
    assertThat(driver.suiteDurations(Executions.DEFAULT_TENANT, Executions.DEFAULT_SUITE,
        TestpulseDriver.DEFAULT_START, driver.now())).hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(100));
  }

  @Test
  void shouldCountOnlyTheBucketsInRangeWhenAskedForARange() {
    ExecutionBuilder checkout = driver.executions().test("Checkout", "pays");
    driver.send(checkout.passed().took(Duration.ofMillis(10)));
    driver.advanceTime(Duration.ofDays(3));
    driver.send(checkout.passed().took(Duration.ofMillis(30)));

    assertThat(driver.durations(checkout.ref(), driver.now(), driver.now().plusSeconds(1)))
        .hasValueSatisfying(s -> assertThat(s.count()).isEqualTo(1));
  }

  @Test
  void shouldNameTheDifferenceWhenAPercentileIsOff() {
    ExecutionBuilder checkout = driver.executions().test("Checkout", "pays");
    driver.send(checkout.passed().took(Duration.ofMillis(200)));

    assertThatThrownBy(() -> assertThat(driver).durationsOf(checkout.ref()).hasP50(Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class).hasMessageContaining("Expected p50 100.0 ms");
    assertThatThrownBy(() -> assertThat(driver).durationsOf(driver.executions().ref("Checkout", "never ran")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("has none");
  }
}
