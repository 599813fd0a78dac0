package io.testpulse.testkit;

import static io.testpulse.testkit.TestpulseAssertions.assertThat;
import static io.testpulse.testkit.TestpulseAssertions.assertThatThrownBy;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads sent through the testkit, mapped by the HTTP ingest path's own code, end in the stats. */
class UploadsWithTestkitTest {

  /** A Buildkite-format envelope, as the Ruby collector sends it: two results and one without a name. */
  private static final String BUILDKITE_JSON = """
      {"format": "json",
       "run_env": {"CI": "buildkite", "key": "build-42", "branch": "refs/heads/main", "commit_sha": "c0ffee"},
       "tags": {"arch": "arm64", "instance_type": "c7g.large"},
       "data": [
         {"id": "r-1", "scope": "Cart", "name": "adds an item", "location": "spec/cart_spec.rb:10",
          "file_name": "spec/cart_spec.rb", "result": "passed", "history": {"duration": 0.25, "start_at": 12.5},
          "failure_expanded": [], "tags": {"arch": "amd64"}},
         {"id": "r-2", "scope": "Cart", "name": "removes an item", "result": "failed",
          "failure_reason": "expected 0, got 1", "history": {"duration": 1.5}},
         {"id": "r-3", "scope": "Cart", "result": "passed", "history": {"duration": 0.1}}
       ]}
      """;

  /** Surefire: one test passed on its rerun (flakyFailure), one failed twice. */
  private static final String SUREFIRE_XML = """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuite name="com.acme.CartTest" tests="2" failures="1">
        <testcase name="computesTotal" classname="com.acme.CartTest" time="0.204">
          <flakyFailure message="expected 42 but was 41" type="AssertionFailedError"/>
        </testcase>
        <testcase name="checksOut" classname="com.acme.CartTest" time="1.5">
          <failure message="timed out" type="TimeoutException"/>
          <rerunFailure message="timed out" type="TimeoutException"/>
        </testcase>
      </testsuite>
      """;

  private final TestpulseDriver driver = TestpulseDriver.create();

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void shouldCountEachResultOnceWhenTheSameJsonUploadIsSentTwice() {
    Upload upload = Upload.json(BUILDKITE_JSON).suite("web");
    TestRef adds = new TestRef("acme", "web", "Cart", "adds an item");
    TestRef removes = new TestRef("acme", "web", "Cart", "removes an item");

    UploadResult first = driver.send(upload);
    driver.advanceTime(Duration.ofSeconds(30));
    UploadResult retry = driver.send(upload); // a collector's network retry: same bytes, received later

    assertThat(first.queued()).hasSize(2);
    assertThat(first.errors()).containsExactly(new UploadResult.RejectedResult(2, "missing name"));
    assertThat(retry.id()).isEqualTo(first.id());
    assertThat(driver).hasTests(2);
    assertThat(driver).test(adds).hasExecutions(1).hasPassed(1).hasReliability(1.0);
    assertThat(driver).test(removes).hasExecutions(1).hasFailed(1).hasLastResult(Result.FAILED);
  }

  @Test
  void shouldMapJsonFieldsAsTheHttpIngestPathDoes() {
    UploadResult result = driver.send(Upload.json(BUILDKITE_JSON).tokenSuite("api").suite("web").tenant("globex"));

    TestExecution adds = result.queued().get(0);
    assertThat(adds.getExecutionId()).isEqualTo("r-1");
    assertThat(adds.getTenant()).isEqualTo("globex");
    assertThat(adds.getSuite()).as("the credential's suite wins").isEqualTo("api");
    assertThat(adds.getTestId()).isEqualTo(new TestRef("globex", "api", "Cart", "adds an item").testId());
    assertThat(adds.getDurationMicros()).isEqualTo(250_000L);
    assertThat(adds.getEventTime()).as("receive time, never history.start_at").isEqualTo(driver.now());
    assertThat(adds.getRun().getKey()).isEqualTo("build-42");
    assertThat(adds.getRun().getBranch()).isEqualTo("main");
    assertThat(adds.getRun().getCommitSha()).isEqualTo("c0ffee");
    assertThat(adds.getTags()).containsEntry("arch", "amd64").containsEntry("instance_type", "c7g.large");
    assertThat(result.queued().get(1).getFailureReason()).isEqualTo("expected 0, got 1");
  }

  @Test
  void shouldMakeATestFlakyWhenASurefireRerunPassesOnTheSameCommit() {
    Upload report = Upload.junitXml(SUREFIRE_XML).suite("unit")
        .runEnv("key", "build-7").runEnv("commit_sha", "abc123");
    TestRef computes = new TestRef("acme", "unit", "com.acme.CartTest", "computesTotal");
    TestRef checksOut = new TestRef("acme", "unit", "com.acme.CartTest", "checksOut");

    UploadResult result = driver.send(report);

    assertThat(result.queued()).extracting(TestExecution::getAttempt).containsExactly(0, 1, 0, 1);
    assertThat(driver).test(computes).hasFailed(1).hasPassed(1).isFlaky().hasFlips(1);
    assertThat(driver).test(checksOut).hasFailed(2).hasPassed(0).hasReliability(0.0).hasFlips(0);
  }

  @Test
  void shouldReadAReportFileAsJunitXmlWhenItsNameEndsWithXml(@TempDir Path dir) throws Exception {
    Path report = Files.writeString(dir.resolve("TEST-com.acme.CartTest.xml"), SUREFIRE_XML);

    UploadResult result = driver.send(Upload.of(report).suite("unit"));

    assertThat(result.queued()).hasSize(4);
    assertThat(driver).test(new TestRef("acme", "unit", "com.acme.CartTest", "computesTotal")).hasExecutions(2);
  }

  @Test
  void shouldRefuseAnUploadTheHttpApiAnswersWithBadRequest() {
    assertThatThrownBy(() -> driver.send(Upload.json("{\"data\": [")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("400");
    assertThatThrownBy(() -> driver.send(Upload.json("{\"format\": \"junit\", \"data\": []}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format 'junit' needs the JUnit XML");

    assertThat(driver).hasTests(0);
  }
}
