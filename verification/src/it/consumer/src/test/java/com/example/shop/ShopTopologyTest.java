package com.example.shop;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.testkit.ExecutionBuilder;
import io.testpulse.testkit.TestpulseDriver;
import io.testpulse.testkit.Upload;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShopTopologyTest {

  private final TestpulseDriver driver = TestpulseDriver.builder().topology(ShopTopology::build).build();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldTrackReliabilityWhenATestFailsThenPasses() {
    ExecutionBuilder paysByCard = driver.executions().test("CheckoutTest", "pays by card");

    driver.send(paysByCard.failed("card declined"));
    driver.advanceTime(Duration.ofMinutes(5));
    driver.send(paysByCard.passed());
    driver.send(paysByCard.passed().after(Duration.ofMinutes(1)));

    assertThat(driver).test(paysByCard.ref())
        .hasPassed(2).hasFailed(1).hasReliability(2.0 / 3)
        .hasLastResult(Result.PASSED);
  }

  @Test
  void shouldKeepCountingOrdersNextToTestpulse() {
    driver.input(ShopTopology.ORDERS).pipeInput("alice", "order-1");
    driver.input(ShopTopology.ORDERS).pipeInput("alice", "order-2");

    assertThat(driver.store(ShopTopology.ORDERS_PER_CUSTOMER).get("alice")).isEqualTo(2L);
  }

  @Test
  void shouldCountAJunitReportOnceWhenItIsUploadedTwice() {
    Upload report = Upload.junitXml("""
        <testsuite name="CheckoutTest">
          <testcase classname="CheckoutTest" name="pays by card" time="0.42"/>
        </testsuite>
        """).suite("unit").runEnv("key", "build-1");

    driver.send(report);
    driver.send(report); // a collector's retry: the same bytes, so the same execution ids

    assertThat(driver).test(driver.executions().ref("CheckoutTest", "pays by card"))
        .hasExecutions(1).hasPassed(1);
  }
}
