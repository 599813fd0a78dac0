package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadCommandTest {

  @Test
  void shouldTakeUrlTokenAndRunFromTheEnvironmentWhenNoFlagsAreGiven() {
    UploadCommand.Options options = UploadCommand.Options.parse(List.of("--branch", "dev", "r.xml"), Map.of(
        "TESTPULSE_URL", "http://tp:7070/", "TESTPULSE_INGEST_TOKEN", "t", "BUILDKITE_BUILD_ID", "b-9",
        "BUILDKITE_BRANCH", "main"));

    assertThat(options.url()).isEqualTo("http://tp:7070");
    assertThat(options.token()).isEqualTo("t");
    assertThat(options.runEnv()).containsEntry("key", "b-9").containsEntry("branch", "dev").containsEntry("CI", "buildkite");
    assertThat(options.paths()).containsExactly(Path.of("r.xml"));
  }

  @Test
  void shouldMakeUpARunKeyWhenNoCiIsRecognised() {
    UploadCommand.Options options = UploadCommand.Options.parse(List.of("--url", "http://x", "--token", "t", "a.json"),
        Map.of());

    assertThat(options.runEnv().get("key")).isNotBlank();
  }

  @Test
  void shouldExitWithUsageErrorWhenUrlTokenOrPathsAreMissing() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    assertThat(UploadCommand.run(List.of("a.xml"), Map.of(), out, errStream)).isEqualTo(2);
    assertThat(UploadCommand.run(List.of("--url", "http://x", "--token", "t"), Map.of(), out, errStream)).isEqualTo(2);
    assertThat(UploadCommand.run(List.of("--bogus"), Map.of(), out, errStream)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs --url and --token").contains("no PATHS")
        .contains("unknown option --bogus");
    assertThatThrownBy(() -> UploadCommand.Options.parse(List.of("--tag", "novalue"), Map.of()))
        .hasMessageContaining("KEY=VALUE");
  }

  @Test
  void shouldPickSurefireReportsWhenGivenAFolder(@TempDir Path dir) throws Exception {
    Path surefire = Files.createDirectories(dir.resolve("surefire-reports"));
    Files.writeString(surefire.resolve("TEST-b.xml"), "<testsuite/>");
    Files.writeString(surefire.resolve("TEST-a.xml"), "<testsuite/>");
    Files.writeString(surefire.resolve("a.txt"), "summary");
    Files.writeString(surefire.resolve("other.xml"), "<testsuite/>");
    Path plain = Files.createDirectories(dir.resolve("results"));
    Files.writeString(plain.resolve("junit.xml"), "<testsuite/>");
    Files.writeString(plain.resolve("bk.json"), "[]");

    assertThat(UploadCommand.files(List.of(surefire, plain))).containsExactly(surefire.resolve("TEST-a.xml"),
        surefire.resolve("TEST-b.xml"), plain.resolve("bk.json"), plain.resolve("junit.xml"));
    assertThatThrownBy(() -> UploadCommand.files(List.of(dir.resolve("missing")))).hasMessageContaining("no such");
  }
}
