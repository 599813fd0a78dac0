package io.testpulse.examples.service;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;
import static io.testpulse.testkit.TestpulseAssertions.tuple;

import io.testpulse.avro.Result;
import io.testpulse.testkit.ExecutionBuilder;
import io.testpulse.testkit.TestpulseDriver;
import io.testpulse.topology.TestpulseConfig;
import java.time.Duration;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service's wiring, tested with the testkit: its own topology and testpulse's in one driver. */
class OrderServiceTopologyTest {

  private final TestpulseDriver driver = TestpulseDriver.builder()
      .config(TestpulseConfig.TOPIC_PREFIX_CONFIG, "shop-ci")
      .topology(OrderService::topology)
      .build();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldCountOrdersPerCustomerWhenTestpulseRunsInTheSameTopology() {
    driver.input(OrderTopology.ORDERS).pipeInput("alice", "order-1");
    driver.input(OrderTopology.ORDERS).pipeInput("bob", "order-2");
    driver.input(OrderTopology.ORDERS).pipeInput("alice", "order-3");

    assertThat(driver.store(OrderTopology.ORDERS_PER_CUSTOMER).get("alice")).isEqualTo(2L);
    assertThat(driver.output(OrderTopology.ORDER_COUNTS)).extracting(TestRecord::key, TestRecord::value)
        .containsExactly(tuple("alice", 1L), tuple("bob", 1L), tuple("alice", 2L));
  }

  @Test
  void shouldTrackTheServicesTestsWhenExecutionsArrive() {
    ExecutionBuilder refunds = driver.executions().withSuite("shop").test("PaymentsTest", "refunds a card payment");

    driver.send(refunds.passed().took(Duration.ofMillis(120)));
    driver.advanceTime(Duration.ofHours(1));
    driver.send(refunds.failed("gateway timeout"));
    driver.advanceTime(Duration.ofHours(1));
    driver.send(refunds.passed());

    assertThat(driver).test(refunds.ref())
        .hasPassed(2).hasFailed(1).hasExecutions(3).hasReliability(2.0 / 3)
        .hasLastResult(Result.PASSED)
        .wasLastSeenAt(TestpulseDriver.DEFAULT_START.plus(Duration.ofHours(2)));
    assertThat(driver.topics().executions().name()).isEqualTo("shop-ci.executions.v1");
  }

  @Test
  void shouldKeepTheTwoTopologiesApartWhenBothReceiveRecords() {
    ExecutionBuilder refunds = driver.executions().test("PaymentsTest", "refunds a card payment");
    driver.send(refunds.passed());
    driver.input(OrderTopology.ORDERS).pipeInput("alice", "order-1");

    assertThat(driver).hasTests(1).hasDeadLetters(0);
    assertThat(driver.storeContents(OrderTopology.ORDERS_PER_CUSTOMER)).containsOnlyKeys("alice");
    assertThat(driver.output(driver.topics().testStats())).hasSize(1);
    assertThat(driver.output(OrderTopology.ORDER_COUNTS)).hasSize(1);
  }

  @Test
  void shouldNameEveryProcessorOfTheServiceExplicitly() {
    String description = OrderService.topology(driver.config()).describe().toString();

    assertThat(description).doesNotContain("KSTREAM-").doesNotContain("KTABLE-")
        .contains("Processor: orders-count (stores: [orders-per-customer])")
        .contains("Processor: test-engine-processor (stores: [");
  }
}
