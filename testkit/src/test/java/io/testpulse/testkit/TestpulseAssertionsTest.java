package io.testpulse.testkit;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;
import static io.testpulse.testkit.TestpulseAssertions.assertThatThrownBy;

import io.testpulse.topology.HealthState;
import io.testpulse.topology.Transition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestpulseAssertionsTest {

  private final TestpulseDriver driver = TestpulseDriver.create();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldNameTheCountAndTheTestWhenACountDiffers() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.send(adds.passed());

    assertThatThrownBy(() -> assertThat(driver).test(adds.ref()).hasFailed(2))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected failed to be 2 but was 0")
        .hasMessageContaining("adds an item");
  }

  @Test
  void shouldListTheTestsWithStateWhenTheAskedOneHasNone() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.send(adds.passed());
    TestRef other = driver.executions().ref("Cart", "removes an item");

    assertThatThrownBy(() -> assertThat(driver).test(other))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected state for test " + other.key())
        .hasMessageContaining(adds.ref().key());
    assertThat(driver).hasNoStateFor(other).hasTests(1);
  }

  @Test
  void shouldFailOnReliabilityWhenTheTestWasOnlySkipped() {
    ExecutionBuilder skips = driver.executions().test("Cart", "skips");
    driver.send(skips.skipped());

    assertThat(driver).test(skips.ref()).hasNoReliability();
    assertThatThrownBy(() -> assertThat(driver).test(skips.ref()).hasReliability(1.0))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected reliability 1.0 but was null");
  }

  @Test
  void shouldCheckTheSequenceOfStatesWhenAssertingTransitions() {
    List<Transition> transitions = List.of(
        new Transition("acme/x", "acme", "x", "unit", null, "HEALTHY", "first_execution", Map.of(), 1),
        new Transition("acme/x", "acme", "x", "unit", "HEALTHY", "FLAKY", "same_commit_flip", Map.of(), 2));

    new TransitionsAssert(transitions).hasSize(2).wentThrough("HEALTHY", "FLAKY").hasTransition("HEALTHY", "FLAKY")
        .endsIn("FLAKY").lastHasReason("same_commit_flip");
    assertThatThrownBy(() -> new TransitionsAssert(transitions).wentThrough("HEALTHY", "BROKEN"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("[HEALTHY, BROKEN]")
        .hasMessageContaining("HEALTHY -> FLAKY (same_commit_flip)");
    assertThatThrownBy(() -> new TransitionsAssert(transitions).isEmpty()).isInstanceOf(AssertionError.class);
  }

  @Test
  void shouldSeeOnlyTheFirstStateWhenATestKeepsPassing() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.sendAll(adds.passed(), adds.passed());

    assertThat(driver).transitionsOf(adds.ref()).hasSize(1).hasTransition(null, HealthState.HEALTHY);
    assertThat(driver).transitionsOf(driver.executions().ref("Cart", "never ran")).isEmpty();
  }

  @Test
  void shouldNameStateReasonAndScoresWhenTheStateDiffers() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.send(adds.passed());

    assertThatThrownBy(() -> assertThat(driver).test(adds.ref()).isFlaky())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected state FLAKY but was HEALTHY");
  }
}
