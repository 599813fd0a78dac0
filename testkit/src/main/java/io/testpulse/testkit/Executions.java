package io.testpulse.testkit;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Test data for testpulse: a factory of {@link ExecutionBuilder}s with shared defaults (tenant,
 * suite, branch, and optionally one commit or one run for every execution it builds).
 * Immutable: every {@code with*} returns a new factory; factories derived from one another share
 * a sequence, so the execution ids, run keys and commits they generate never repeat.
 *
 * <pre>{@code
 * Executions ci = driver.executions().withTenant("acme").withSuite("checkout");
 * ExecutionBuilder addsItem = ci.test("Cart", "adds an item");
 * driver.send(addsItem.passed());
 * driver.send(addsItem.failed("timeout").onCommit("abc123"));
 * }</pre>
 *
 * <p>Defaults: tenant {@value #DEFAULT_TENANT}, suite {@value #DEFAULT_SUITE}, branch
 * {@value #DEFAULT_BRANCH}, result {@code PASSED}, duration 1 ms, attempt 0, event time the
 * driver's clock ({@link TestpulseDriver#now()}). Unless set, every built execution gets a new
 * execution id, a new run key and a new commit, like consecutive CI builds; set a commit or a
 * run to make executions share one (same-commit flips, retries).
 */
public final class Executions {

  public static final String DEFAULT_TENANT = "acme";
  public static final String DEFAULT_SUITE = "unit";
  public static final String DEFAULT_BRANCH = "main";

  private final String tenant;
  private final String suite;
  private final String branch;
  private final String commit;
  private final String run;
  private final Supplier<Instant> clock;
  private final AtomicLong sequence;

  private Executions(String tenant, String suite, String branch, String commit, String run, Supplier<Instant> clock,
      AtomicLong sequence) {
    this.tenant = tenant;
    this.suite = suite;
    this.branch = branch;
    this.commit = commit;
    this.run = run;
    this.clock = clock;
    this.sequence = sequence;
  }

  /** A factory whose executions happen at {@code clock}'s current time unless told otherwise. */
  public static Executions withClock(Supplier<Instant> clock) {
    return new Executions(DEFAULT_TENANT, DEFAULT_SUITE, DEFAULT_BRANCH, null, null,
        Objects.requireNonNull(clock, "clock"), new AtomicLong());
  }

  /** A factory whose executions all happen at {@code at} unless told otherwise. */
  public static Executions at(Instant at) {
    Objects.requireNonNull(at, "at");
    return withClock(() -> at);
  }

  public Executions withTenant(String tenant) {
    return new Executions(Objects.requireNonNull(tenant, "tenant"), suite, branch, commit, run, clock, sequence);
  }

  public Executions withSuite(String suite) {
    return new Executions(tenant, Objects.requireNonNull(suite, "suite"), branch, commit, run, clock, sequence);
  }

  public Executions withBranch(String branch) {
    return new Executions(tenant, suite, branch, commit, run, clock, sequence);
  }

  /** Every execution built from the returned factory is on {@code commitSha}. */
  public Executions withCommit(String commitSha) {
    return new Executions(tenant, suite, branch, commitSha, run, clock, sequence);
  }

  /** Every execution built from the returned factory belongs to the CI run {@code runKey}. */
  public Executions withRun(String runKey) {
    return new Executions(tenant, suite, branch, commit, runKey, clock, sequence);
  }

  /** The executions of one test, to be completed with a result and sent. */
  public ExecutionBuilder test(String scope, String name) {
    return new ExecutionBuilder(this, ref(scope, name));
  }

  /** The identity of a test of this factory's tenant and suite, to look up its state. */
  public TestRef ref(String scope, String name) {
    return new TestRef(tenant, suite, scope, name);
  }

  public String tenant() {
    return tenant;
  }

  public String suite() {
    return suite;
  }

  String branch() {
    return branch;
  }

  String commit() {
    return commit;
  }

  String run() {
    return run;
  }

  Instant now() {
    return clock.get();
  }

  long next() {
    return sequence.incrementAndGet();
  }
}
