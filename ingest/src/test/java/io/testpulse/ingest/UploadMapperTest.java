package io.testpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.TestKeys;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UploadMapperTest {

  private static final Instant RECEIVED = Instant.parse("2026-11-01T10:00:00Z");
  private static final RunInfo RUN = UploadMapper.run(Map.of("CI", "buildkite", "key", "build-1",
      "branch", "refs/heads/main", "commit_sha", "abc"), "fallback");

  private static UploadMapper mapper(String digest) {
    return new UploadMapper("acme", "web", RUN, Map.of("arch", "amd64", "os", "linux"), RECEIVED, digest, 16);
  }

  private static UploadRecord record(int index, String id, String name, Double duration) {
    return new UploadRecord(index, id, "Cart", name, "spec/cart_spec.rb", "spec/cart_spec.rb:3", "passed", duration,
        null, Map.of("arch", "arm64"), 0, null);
  }

  @Test
  void shouldMapIdentityResultDurationAndTagsWhenTheRecordIsComplete() {
    TestExecution e = mapper("d1").map(record(0, "id-1", "adds", 0.0375)).execution();

    assertThat(e.getExecutionId()).isEqualTo("id-1");
    assertThat(e.getTenant()).isEqualTo("acme");
    assertThat(e.getSuite()).isEqualTo("web");
    assertThat(e.getTestId()).isEqualTo(TestKeys.testId("acme", "web", "Cart", "adds"));
    assertThat(e.getDurationMicros()).isEqualTo(37_500);
    assertThat(e.getEventTime()).isEqualTo(RECEIVED);
    assertThat(e.getResult()).isEqualTo(Result.PASSED);
    assertThat(e.getTags()).containsEntry("arch", "arm64").containsEntry("os", "linux");
    assertThat(e.getRun().getBranch()).isEqualTo("main");
    assertThat(e.getRun().getCi()).isEqualTo("buildkite");
  }

  @Test
  void shouldRejectTheRecordWhenNameOrDurationIsMissing() {
    assertThat(mapper("d").map(record(3, null, null, 1.0)).error()).isEqualTo("missing name");
    assertThat(mapper("d").map(record(4, null, "adds", null)).error()).contains("history.duration");
    assertThat(mapper("d").map(record(5, null, "adds", -1.0)).error()).contains("non-negative");
  }

  @Test
  void shouldRejectTheRecordWhenItsTextExceedsTheExecutionLimit() {
    UploadMapper.Mapped mapped = mapper("d").map(record(7, null, "n".repeat(2 * 1024 * 1024), 1.0));

    assertThat(mapped.ok()).isFalse();
    assertThat(mapped.error()).contains("exceeds " + io.testpulse.topology.ExecutionLimits.MAX_TEXT_BYTES);
  }

  @Test
  void shouldDeriveTheSameIdWhenTheSameUploadIsSentAgain() {
    String first = mapper("digest-a").map(record(0, null, "adds", 1.0)).execution().getExecutionId();
    String again = mapper("digest-a").map(record(0, null, "adds", 1.0)).execution().getExecutionId();

    assertThat(again).isEqualTo(first);
  }

  @Test
  void shouldDeriveAnotherIdWhenAnotherJobOfTheSameRunUploadsTheSameTest() {
    String firstJob = mapper("digest-a").map(record(0, null, "adds", 1.0)).execution().getExecutionId();
    String retriedJob = mapper("digest-b").map(record(0, null, "adds", 1.0)).execution().getExecutionId();
    String rerunInUpload = mapper("digest-a").map(record(1, null, "adds", 1.0)).execution().getExecutionId();

    assertThat(retriedJob).isNotEqualTo(firstJob);
    assertThat(rerunInUpload).isNotEqualTo(firstJob);
  }

  @Test
  void shouldReadResultsCaseInsensitivelyAndCallTheRestUnknown() {
    assertThat(UploadMapper.result("Passed")).isEqualTo(Result.PASSED);
    assertThat(UploadMapper.result("failed")).isEqualTo(Result.FAILED);
    assertThat(UploadMapper.result("skipped")).isEqualTo(Result.SKIPPED);
    assertThat(UploadMapper.result("pending")).isEqualTo(Result.PENDING);
    assertThat(UploadMapper.result("unknown")).isEqualTo(Result.UNKNOWN);
    assertThat(UploadMapper.result("errored")).isEqualTo(Result.UNKNOWN);
    assertThat(UploadMapper.result(null)).isEqualTo(Result.UNKNOWN);
  }

  @Test
  void shouldTruncateFailureReasonsWithoutSplittingACharacter() {
    assertThat(UploadMapper.truncateUtf8("é".repeat(10), 5)).isEqualTo("éé");
    assertThat(UploadMapper.truncateUtf8("short", 16)).isEqualTo("short");
    assertThat(UploadMapper.truncateUtf8("", 16)).isNull();
    assertThat(UploadMapper.truncateUtf8("a😀b", 4)).isEqualTo("a");
  }

  @Test
  void shouldTakeCiFromEitherCaseAndFallBackForTheRunKey() {
    RunInfo lower = UploadMapper.run(Map.of("ci", "github_actions"), "upload-1");

    assertThat(lower.getCi()).isEqualTo("github_actions");
    assertThat(lower.getKey()).isEqualTo("upload-1");
    assertThat(UploadMapper.normaliseBranch("feature/x")).isEqualTo("feature/x");
  }
}
