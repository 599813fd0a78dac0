package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CiEnvironmentTest {

  @Test
  void shouldBuildTheRunFromBuildkiteVariablesWhenOnBuildkite() {
    Map<String, String> run = CiEnvironment.detect(Map.of("BUILDKITE_BUILD_ID", "b-1", "BUILDKITE_BUILD_NUMBER", "7",
        "BUILDKITE_JOB_ID", "j-1", "BUILDKITE_BRANCH", "main", "BUILDKITE_COMMIT", "abc",
        "BUILDKITE_BUILD_URL", "https://ci.example/7"));

    assertThat(run).containsEntry("CI", "buildkite").containsEntry("key", "b-1").containsEntry("number", "7")
        .containsEntry("job_id", "j-1").containsEntry("branch", "main").containsEntry("commit_sha", "abc")
        .containsEntry("url", "https://ci.example/7");
  }

  @Test
  void shouldGiveARerunANewKeyWhenOnGithubActions() {
    Map<String, String> first = CiEnvironment.detect(Map.of("GITHUB_RUN_ID", "99", "GITHUB_ACTION", "test",
        "GITHUB_RUN_NUMBER", "12", "GITHUB_RUN_ATTEMPT", "1", "GITHUB_REF", "refs/heads/main", "GITHUB_SHA", "abc",
        "GITHUB_SERVER_URL", "https://github.com", "GITHUB_REPOSITORY", "acme/shop"));
    Map<String, String> rerun = CiEnvironment.detect(Map.of("GITHUB_RUN_ID", "99", "GITHUB_ACTION", "test",
        "GITHUB_RUN_NUMBER", "12", "GITHUB_RUN_ATTEMPT", "2"));

    assertThat(first).containsEntry("CI", "github_actions").containsEntry("key", "test-12-1")
        .containsEntry("branch", "refs/heads/main").containsEntry("url", "https://github.com/acme/shop/actions/runs/99");
    assertThat(rerun.get("key")).isEqualTo("test-12-2");
  }

  @Test
  void shouldBuildTheRunFromCircleVariablesWhenOnCircleCi() {
    Map<String, String> run = CiEnvironment.detect(Map.of("CIRCLE_BUILD_NUM", "5", "CIRCLE_WORKFLOW_ID", "wf",
        "CIRCLE_BRANCH", "dev", "CIRCLE_SHA1", "def"));

    assertThat(run).containsEntry("CI", "circleci").containsEntry("key", "wf-5").containsEntry("branch", "dev");
  }

  @Test
  void shouldReturnNothingWhenNoCiIsRecognised() {
    assertThat(CiEnvironment.detect(Map.of("HOME", "/root"))).isEmpty();
  }
}
