package io.testpulse.verification;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's complete testkit example is the consumer project's code, verbatim: the invoker
 * build compiles and runs it against the installed artifacts, so the README cannot show code
 * that does not compile or pass.
 */
class ReadmeExampleTest {

  private static final Path CONSUMER = Path.of("src", "it", "consumer");

  @ParameterizedTest
  @ValueSource(strings = {
      "src/main/java/com/example/shop/ShopTopology.java",
      "src/test/java/com/example/shop/ShopTopologyTest.java"})
  void shouldShowTheConsumerProjectsCodeVerbatimWhenReadmeExplainsEmbedding(String file) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String code = Files.readString(CONSUMER.resolve(file), StandardCharsets.UTF_8);

    assertThat(readme).as("README.md must show %s verbatim in a java block", file).contains("```java\n" + code + "```");
  }
}
