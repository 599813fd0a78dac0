package io.testpulse.topology;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Test data: executions of named tests with sensible defaults. */
final class Executions {

  static final String TENANT = "acme";
  static final String SUITE = "web";

  private Executions() {
  }

  static String testId(String name) {
    return TestKeys.testId(TENANT, SUITE, "Cart", name);
  }

  static String key(String name) {
    return TestKeys.key(TENANT, testId(name));
  }

  static TestExecution execution(String name, Result result, Instant at) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(TENANT).setSuite(SUITE).setTestId(testId(name))
        .setScope("Cart").setName(name).setFileName("spec/cart_spec.rb")
        .setResult(result).setDurationMicros(1_000).setEventTime(at)
        .setRun(RunInfo.newBuilder().setKey("build-" + at.toEpochMilli()).setBranch("main").setCommitSha("c1").build())
        .setTags(Map.of())
        .build();
  }
}
