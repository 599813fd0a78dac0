package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.topology.TestpulseConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EnvOverridesTest {

  @Test
  void shouldOverrideFileKeysFromTheEnvironment() {
    Properties file = new Properties();
    file.put(TestpulseConfig.HTTP_PORT_CONFIG, "7070");
    file.put("bootstrap.servers", "file:9092");

    Properties merged = EnvOverrides.apply(file, Map.of(
        "TESTPULSE_HTTP_PORT", "8080",
        "KAFKA_BOOTSTRAP_SERVERS", "env:9092",
        "UNRELATED", "x"));

    assertThat(merged).containsEntry(TestpulseConfig.HTTP_PORT_CONFIG, "8080")
        .containsEntry("bootstrap.servers", "env:9092")
        .doesNotContainKey("UNRELATED");
    assertThat(new TestpulseConfig(merged).getInt(TestpulseConfig.HTTP_PORT_CONFIG)).isEqualTo(8080);
  }
}
