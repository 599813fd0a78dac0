package io.testpulse.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from {@link TestpulseConfig}; this test fails when the
 * committed file differs, so the reference cannot drift from the code. Regenerate it with
 * {@link ConfigurationReference#REGENERATE}.
 */
class ConfigurationReferenceTest {

  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void shouldMatchTheCommittedReferenceWhenConfigKeysChange() throws IOException {
    String generated = ConfigurationReference.markdown();
    if (Boolean.getBoolean("testpulse.docs.write")) {
      Files.createDirectories(DOC.getParent());
      Files.writeString(DOC, generated, StandardCharsets.UTF_8);
    }
    assertThat(DOC).as("docs/configuration.md (regenerate: %s)", ConfigurationReference.REGENERATE).exists();
    String committed = Files.readString(DOC, StandardCharsets.UTF_8);

    assertThat(committed)
        .as("docs/configuration.md is out of date with TestpulseConfig; regenerate it with%n  %s",
            ConfigurationReference.REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void shouldDocumentEveryKeyWhenGenerated() {
    String generated = ConfigurationReference.markdown();

    for (String key : TestpulseConfig.configDef().names()) {
      assertThat(generated).contains("### " + key + "\n").contains("`" + ConfigurationReference.envName(key) + "`");
      assertThat(TestpulseConfig.configDef().configKeys().get(key).documentation).as("doc of %s", key).isNotBlank();
    }
    assertThat(generated).contains("`processing.guarantee` | `exactly_once_v2`")
        .contains("`<prefix>.dead-letters.v1`");
  }

  @Test
  void shouldDescribeAValidatorWithoutToStringStablyWhenRendering() {
    ConfigDef def = new ConfigDef()
        .define("lambda", ConfigDef.Type.STRING, "", (name, value) -> { }, ConfigDef.Importance.LOW, "doc")
        .define("range", ConfigDef.Type.INT, 1, ConfigDef.Range.atLeast(1), ConfigDef.Importance.LOW, "doc");

    assertThat(ConfigurationReference.validValues(def.configKeys().get("lambda"))).isEqualTo("see the description");
    assertThat(ConfigurationReference.validValues(def.configKeys().get("range"))).isEqualTo("[1,...]");
  }
}
