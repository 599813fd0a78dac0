package io.testpulse.examples;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The upload's {@code run_env} from a CI's environment variables, the way the Buildkite test
 * collectors build it: Buildkite ({@code BUILDKITE_*}), GitHub Actions ({@code GITHUB_*}) and
 * CircleCI ({@code CIRCLE_*}). A retried GitHub workflow gets a new key (the run attempt is part of
 * it); a retried Buildkite job keeps the build's key, and testpulse numbers its attempts.
 */
public final class CiEnvironment {

  private CiEnvironment() {
  }

  /** The run_env of the CI this process runs in; empty (mutable) when none is recognised. */
  public static Map<String, String> detect(Map<String, String> env) {
    Map<String, String> run = new LinkedHashMap<>();
    if (env.get("BUILDKITE_BUILD_ID") != null) {
      run.put("CI", "buildkite");
      run.put("key", env.get("BUILDKITE_BUILD_ID"));
      put(run, "number", env.get("BUILDKITE_BUILD_NUMBER"));
      put(run, "job_id", env.get("BUILDKITE_JOB_ID"));
      put(run, "branch", env.get("BUILDKITE_BRANCH"));
      put(run, "commit_sha", env.get("BUILDKITE_COMMIT"));
      put(run, "message", env.get("BUILDKITE_MESSAGE"));
      put(run, "url", env.get("BUILDKITE_BUILD_URL"));
    } else if (env.get("GITHUB_RUN_ID") != null) {
      run.put("CI", "github_actions");
      run.put("key", String.join("-", env.getOrDefault("GITHUB_ACTION", "run"), env.get("GITHUB_RUN_NUMBER") == null
          ? env.get("GITHUB_RUN_ID") : env.get("GITHUB_RUN_NUMBER"), env.getOrDefault("GITHUB_RUN_ATTEMPT", "1")));
      put(run, "number", env.get("GITHUB_RUN_NUMBER"));
      put(run, "job_id", env.get("GITHUB_JOB"));
      put(run, "branch", env.get("GITHUB_REF"));
      put(run, "commit_sha", env.get("GITHUB_SHA"));
      if (env.get("GITHUB_SERVER_URL") != null && env.get("GITHUB_REPOSITORY") != null) {
        run.put("url", env.get("GITHUB_SERVER_URL") + "/" + env.get("GITHUB_REPOSITORY") + "/actions/runs/"
            + env.get("GITHUB_RUN_ID"));
      }
    } else if (env.get("CIRCLE_BUILD_NUM") != null) {
      run.put("CI", "circleci");
      run.put("key", env.getOrDefault("CIRCLE_WORKFLOW_ID", "circle") + "-" + env.get("CIRCLE_BUILD_NUM"));
      put(run, "number", env.get("CIRCLE_BUILD_NUM"));
      put(run, "branch", env.get("CIRCLE_BRANCH"));
      put(run, "commit_sha", env.get("CIRCLE_SHA1"));
      put(run, "url", env.get("CIRCLE_BUILD_URL"));
    }
    return run;
  }

  private static void put(Map<String, String> run, String key, String value) {
    if (value != null && !value.isBlank()) {
      run.put(key, value);
    }
  }
}
