package io.testpulse.testkit;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;

import io.testpulse.topology.HealthState;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flakiness engine driven through the testkit: states, flips, transitions, quarantine. */
class FlakinessWithTestkitTest {

  private final TestpulseDriver driver = TestpulseDriver.create();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldBecomeFlakyWhenOneCommitBothFailsAndPasses() {
    ExecutionBuilder adds = driver.executions().withCommit("abc123").test("Cart", "adds an item");

    driver.send(adds.failed("timeout"));
    driver.advanceTime(Duration.ofMinutes(10));
    driver.send(adds.passed());

    assertThat(driver).test(adds.ref()).isFlaky().hasFlips(1).hasPassed(1).hasFailed(1);
    assertThat(driver).transitionsOf(adds.ref())
        .wentThrough(HealthState.HEALTHY, HealthState.FLAKY).lastHasReason("same_commit_flip");
    assertThat(driver.flips(adds.ref())).singleElement().satisfies(f -> assertThat(f.commitSha()).isEqualTo("abc123"));
    assertThat(driver.state(adds.ref())).contains(HealthState.FLAKY);
  }

  @Test
  void shouldFlipWhenARetryInTheSameRunPasses() {
    ExecutionBuilder adds = driver.executions().withRun("build-7").withCommit("c7").test("Cart", "adds an item");

    driver.send(adds.failed());
    driver.send(adds.passed().attempt(1));

    assertThat(driver).test(adds.ref()).isFlaky().hasFlips(1);
  }

  @Test
  void shouldStayHealthyWhenFailuresAndPassesAreOnDifferentCommits() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");

    driver.sendAll(adds.failed(), adds.passed(), adds.failed(), adds.passed());

    assertThat(driver).test(adds.ref()).isHealthy().hasFlips(0).hasReliability(0.5);
    assertThat(driver).transitionsOf(adds.ref()).wentThrough(HealthState.HEALTHY);
  }

  @Test
  void shouldQuarantineUntilReleasedWhenCommandsAreSent() {
    ExecutionBuilder adds = driver.executions().test("Cart", "adds an item");
    driver.send(adds.passed());

    driver.quarantine(adds.ref(), "noisy on arm64", Duration.ofDays(3));

    assertThat(driver).test(adds.ref()).isQuarantinedUntil(driver.now().plus(Duration.ofDays(3)));

    driver.advanceTime(Duration.ofHours(1));
    driver.release(adds.ref());

    assertThat(driver).test(adds.ref()).isHealthy();
    assertThat(driver).transitionsOf(adds.ref())
        .wentThrough(HealthState.HEALTHY, HealthState.QUARANTINED, HealthState.HEALTHY);
  }
}
