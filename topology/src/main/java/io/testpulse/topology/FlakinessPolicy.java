package io.testpulse.topology;

import java.time.Duration;

/**
 * How flakiness is judged: immutable, every {@code with*} returns a new policy. Start from
 * {@link #defaults()}; {@link TestpulseConfig#flakinessPolicy()} reads the same values from
 * configuration. The topology calls {@link #validate()} when it is built, so a bad value fails
 * fast with a message naming it.
 *
 * <pre>{@code
 * FlakinessPolicy policy = FlakinessPolicy.defaults().withWindow(100).withBranchScope(BranchScope.DEFAULT_BRANCH);
 * }</pre>
 *
 * @param window W: the transition score and the failure rate look at the last W decided results
 * @param minSamples the failure rate (and so BROKEN) needs at least this many results in the window
 * @param brokenEnterRate a test becomes BROKEN when its failure rate reaches this
 * @param brokenExitRate a BROKEN test stops being broken when its failure rate falls below this
 * @param recoverAfter a FLAKY test recovers when its newest flip is this old ...
 * @param recoverExecutions ... or when this many executions followed it
 * @param scoreHalfLife half-life of a commit's weight in the flakiness score
 * @param commitExpiry per-commit outcomes are forgotten this long after the commit was last seen
 * @param grace an execution older than the newest one of its partition by more than this is dropped
 * @param branchScope which branches the window counts
 * @param defaultBranch the branch of {@link BranchScope#DEFAULT_BRANCH}
 * @param outageFailedShare a run whose first attempts failed in more than this share is an outage
 * @param outageMinTests a run needs at least this many decided first attempts to be judged an outage
 */
public record FlakinessPolicy(
    int window,
    int minSamples,
    double brokenEnterRate,
    double brokenExitRate,
    Duration recoverAfter,
    int recoverExecutions,
    Duration scoreHalfLife,
    Duration commitExpiry,
    Duration grace,
    BranchScope branchScope,
    String defaultBranch,
    double outageFailedShare,
    int outageMinTests) {

  private static final FlakinessPolicy DEFAULTS = new FlakinessPolicy(50, 20, 0.95, 0.80, Duration.ofDays(7), 100,
      Duration.ofDays(14), Duration.ofDays(7), Duration.ofDays(1), BranchScope.ALL, "main", 0.80, 10);

  /** W=50, 20 samples, BROKEN at 95% failures and until below 80%, FLAKY for 7 days or 100 executions. */
  public static FlakinessPolicy defaults() {
    return DEFAULTS;
  }

  public FlakinessPolicy withWindow(int value) {
    return new FlakinessPolicy(value, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, grace, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withMinSamples(int value) {
    return new FlakinessPolicy(window, value, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, grace, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withBrokenRates(double enter, double exit) {
    return new FlakinessPolicy(window, minSamples, enter, exit, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, grace, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withRecovery(Duration after, int executions) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, after, executions,
        scoreHalfLife, commitExpiry, grace, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withScoreHalfLife(Duration value) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        value, commitExpiry, grace, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withCommitExpiry(Duration value) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, value, grace, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withGrace(Duration value) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, value, branchScope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withBranchScope(BranchScope scope) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, grace, scope, defaultBranch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withDefaultBranch(String branch) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, grace, branchScope, branch, outageFailedShare, outageMinTests);
  }

  public FlakinessPolicy withOutageGuard(double failedShare, int minTests) {
    return new FlakinessPolicy(window, minSamples, brokenEnterRate, brokenExitRate, recoverAfter, recoverExecutions,
        scoreHalfLife, commitExpiry, grace, branchScope, defaultBranch, failedShare, minTests);
  }

  /** Whether an execution on {@code branch} counts in the window. */
  public boolean inScope(String branch) {
    return branchScope == BranchScope.ALL || defaultBranch.equals(branch);
  }

  /**
   * Checks every value and their relations.
   *
   * @return this policy
   * @throws IllegalArgumentException naming the first bad value
   */
  public FlakinessPolicy validate() {
    check(window >= 2, "flakiness window must be at least 2, was " + window);
    check(minSamples >= 1 && minSamples <= window,
        "flakiness min samples must be between 1 and the window (" + window + "), was " + minSamples);
    check(brokenEnterRate > 0 && brokenEnterRate <= 1,
        "broken enter rate must be in (0, 1], was " + brokenEnterRate);
    check(brokenExitRate >= 0 && brokenExitRate <= brokenEnterRate,
        "broken exit rate must be in [0, broken enter rate " + brokenEnterRate + "], was " + brokenExitRate);
    checkPositive("recover after", recoverAfter);
    check(recoverExecutions >= 1, "recover executions must be at least 1, was " + recoverExecutions);
    checkPositive("score half-life", scoreHalfLife);
    checkPositive("commit expiry", commitExpiry);
    check(grace != null && !grace.isNegative(), "grace must not be negative, was " + grace);
    check(branchScope != null, "branch scope must be set, was null");
    check(defaultBranch != null && !defaultBranch.isBlank(), "default branch must not be blank, was '" + defaultBranch + "'");
    check(outageFailedShare > 0 && outageFailedShare <= 1,
        "outage failed share must be in (0, 1], was " + outageFailedShare);
    check(outageMinTests >= 1, "outage min tests must be at least 1, was " + outageMinTests);
    return this;
  }

  private static void checkPositive(String name, Duration value) {
    check(value != null && !value.isZero() && !value.isNegative(), name + " must be positive, was " + value);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("Invalid flakiness policy: " + message);
    }
  }
}
