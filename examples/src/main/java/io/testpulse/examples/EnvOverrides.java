package io.testpulse.examples;

import io.testpulse.topology.TestpulseConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Environment overrides for the app: every {@code testpulse.*} key can be set as an environment
 * variable named like the key upper-cased with dots as underscores ({@code testpulse.http.port}
 * is {@code TESTPULSE_HTTP_PORT}); {@code KAFKA_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers}
 * and {@code KAFKA_STATE_DIR} sets {@code state.dir}. The environment wins over the file.
 */
public final class EnvOverrides {

  private EnvOverrides() {
  }

  public static Properties apply(Properties props, Map<String, String> env) {
    Properties result = new Properties();
    result.putAll(props);
    for (String key : TestpulseConfig.configDef().names()) {
      String value = env.get(envName(key));
      if (value != null) {
        result.put(key, value);
      }
    }
    if (env.get("KAFKA_BOOTSTRAP_SERVERS") != null) {
      result.put("bootstrap.servers", env.get("KAFKA_BOOTSTRAP_SERVERS"));
    }
    if (env.get("KAFKA_STATE_DIR") != null) {
      result.put("state.dir", env.get("KAFKA_STATE_DIR"));
    }
    return result;
  }

  public static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_');
  }
}
