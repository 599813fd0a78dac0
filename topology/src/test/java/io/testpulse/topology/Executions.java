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

  /** An execution in a run and on a commit of its own (so executions do not flip unless asked to). */
  static TestExecution execution(String name, Result result, Instant at) {
    return execution(name, result, at, "build-" + at.toEpochMilli(), "c" + at.toEpochMilli(), 0);
  }

  static TestExecution execution(String name, Result result, Instant at, String runKey, String commit, int attempt) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(TENANT).setSuite(SUITE).setTestId(testId(name))
        .setScope("Cart").setName(name).setFileName("spec/cart_spec.rb")
        .setResult(result).setDurationMicros(1_000).setEventTime(at)
        .setRun(RunInfo.newBuilder().setKey(runKey).setBranch("main").setCommitSha(commit).build())
        .setAttempt(attempt)
        .setTags(Map.of())
        .build();
  }
}
