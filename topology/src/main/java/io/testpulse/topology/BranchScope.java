package io.testpulse.topology;

/** Which executions the transition score and the failure rate window count. */
public enum BranchScope {
  /** Executions on every branch (and those without a branch). */
  ALL,
  /** Only executions on {@link FlakinessPolicy#defaultBranch()}. */
  DEFAULT_BRANCH
}
