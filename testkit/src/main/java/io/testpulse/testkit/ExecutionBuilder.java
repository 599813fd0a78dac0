package io.testpulse.testkit;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One test's execution, fluent and immutable: every method returns a new builder, so a builder
 * works as a template ({@code addsItem.passed()}, {@code addsItem.failed()}). Values not set are
 * filled in by {@link #build()} from the {@link Executions} it came from. The test id and record
 * key are computed from (tenant, suite, scope, name), never given.
 */
public final class ExecutionBuilder {

  private final Executions defaults;
  private final TestRef ref;
  private Result result = Result.PASSED;
  private long durationMicros = 1_000;
  private Instant eventTime;
  private Duration offset = Duration.ZERO;
  private String executionId;
  private String runKey;
  private String branch;
  private boolean branchSet;
  private String commitSha;
  private int attempt;
  private String fileName;
  private String location;
  private String failureReason;
  private Map<String, String> tags = Map.of();

  ExecutionBuilder(Executions defaults, TestRef ref) {
    this.defaults = defaults;
    this.ref = ref;
  }

  private ExecutionBuilder copy() {
    ExecutionBuilder c = new ExecutionBuilder(defaults, ref);
    c.result = result;
    c.durationMicros = durationMicros;
    c.eventTime = eventTime;
    c.offset = offset;
    c.executionId = executionId;
    c.runKey = runKey;
    c.branch = branch;
    c.branchSet = branchSet;
    c.commitSha = commitSha;
    c.attempt = attempt;
    c.fileName = fileName;
    c.location = location;
    c.failureReason = failureReason;
    c.tags = tags;
    return c;
  }

  /** The test this execution belongs to. */
  public TestRef ref() {
    return ref;
  }

  /** The execution's result (default {@code PASSED}). */
  public ExecutionBuilder result(Result result) {
    ExecutionBuilder c = copy();
    c.result = Objects.requireNonNull(result, "result");
    return c;
  }

  /** Passed. */
  public ExecutionBuilder passed() {
    return result(Result.PASSED);
  }

  /** Failed, without a reason. */
  public ExecutionBuilder failed() {
    return result(Result.FAILED);
  }

  /** Failed, with a failure reason (the topology truncates long reasons at ingest). */
  public ExecutionBuilder failed(String reason) {
    ExecutionBuilder c = result(Result.FAILED);
    c.failureReason = reason;
    return c;
  }

  /** Skipped: counted, but not in reliability. */
  public ExecutionBuilder skipped() {
    return result(Result.SKIPPED);
  }

  /** Pending: counted as "other", not in reliability. */
  public ExecutionBuilder pending() {
    return result(Result.PENDING);
  }

  /** How long the execution took (stored in microseconds). */
  public ExecutionBuilder took(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + duration);
    }
    ExecutionBuilder c = copy();
    c.durationMicros = duration.toNanos() / 1_000;
    return c;
  }

  /** The execution's event time (when it happened); default: the driver's clock when built. */
  public ExecutionBuilder at(Instant eventTime) {
    ExecutionBuilder c = copy();
    c.eventTime = Objects.requireNonNull(eventTime, "eventTime");
    c.offset = Duration.ZERO;
    return c;
  }

  /** Happens {@code offset} after the driver's clock at the time it is built (negative: before). */
  public ExecutionBuilder after(Duration offset) {
    ExecutionBuilder c = copy();
    c.eventTime = null;
    c.offset = Objects.requireNonNull(offset, "offset");
    return c;
  }

  /** The collector's execution id; sending two executions with one id tests de-duplication. */
  public ExecutionBuilder executionId(String executionId) {
    ExecutionBuilder c = copy();
    c.executionId = executionId;
    return c;
  }

  /** The CI run (build) this execution belongs to; retries of a job share it. */
  public ExecutionBuilder inRun(String runKey) {
    ExecutionBuilder c = copy();
    c.runKey = Objects.requireNonNull(runKey, "runKey");
    return c;
  }

  /** The branch of the run (default: the factory's, {@code main} unless set); null for none. */
  public ExecutionBuilder onBranch(String branch) {
    ExecutionBuilder c = copy();
    c.branch = branch;
    c.branchSet = true;
    return c;
  }

  /** The commit the run tested; executions on one commit with different outcomes are a flip. */
  public ExecutionBuilder onCommit(String commitSha) {
    ExecutionBuilder c = copy();
    c.commitSha = Objects.requireNonNull(commitSha, "commitSha");
    return c;
  }

  /** 0 for the first execution of this test in its run, 1 for the first retry, ... */
  public ExecutionBuilder attempt(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative: " + attempt);
    }
    ExecutionBuilder c = copy();
    c.attempt = attempt;
    return c;
  }

  /** The test's file, e.g. {@code spec/cart_spec.rb}. */
  public ExecutionBuilder fileName(String fileName) {
    ExecutionBuilder c = copy();
    c.fileName = fileName;
    return c;
  }

  /** The test's location, e.g. {@code spec/cart_spec.rb:12}. */
  public ExecutionBuilder location(String location) {
    ExecutionBuilder c = copy();
    c.location = location;
    return c;
  }

  /** One more tag (e.g. {@code arch=arm64}), as upload and execution tags arrive merged. */
  public ExecutionBuilder tag(String key, String value) {
    ExecutionBuilder c = copy();
    Map<String, String> t = new LinkedHashMap<>(tags);
    t.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    c.tags = Map.copyOf(t);
    return c;
  }

  /**
   * The execution, with every unset value filled in: a new execution id, run key and commit
   * (unless set here or on the {@link Executions}), and the driver's current time.
   */
  public TestExecution build() {
    long n = defaults.next();
    String run = runKey != null ? runKey : defaults.run() != null ? defaults.run() : "run-" + n;
    String commit = commitSha != null ? commitSha : defaults.commit() != null ? defaults.commit() : "commit-" + n;
    Instant at = eventTime != null ? eventTime : defaults.now().plus(offset);
    return TestExecution.newBuilder()
        .setExecutionId(executionId != null ? executionId : "exec-" + n)
        .setTenant(ref.tenant())
        .setSuite(ref.suite())
        .setTestId(ref.testId())
        .setScope(ref.scope())
        .setName(ref.name())
        .setFileName(fileName)
        .setLocation(location)
        .setResult(result)
        .setDurationMicros(durationMicros)
        .setEventTime(at)
        .setRun(RunInfo.newBuilder()
            .setCi("testkit")
            .setKey(run)
            .setBranch(branchSet ? branch : defaults.branch())
            .setCommitSha(commit)
            .build())
        .setAttempt(attempt)
        .setTags(tags)
        .setFailureReason(failureReason)
        .build();
  }
}
