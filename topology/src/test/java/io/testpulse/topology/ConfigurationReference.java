package io.testpulse.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * Renders docs/configuration.md from {@link TestpulseConfig#configDef()} and
 * {@link TestpulseConfig#recommendedStreamsDefaults(Topics)}: every key with its type, default,
 * valid values, importance and meaning, ordered by importance then name so that keys added in
 * parallel land in a stable place.
 */
final class ConfigurationReference {

  /** {@code Object.toString()}: {@code ClassName@hexHash}, or a lambda's synthetic class name. */
  private static final Pattern IDENTITY = Pattern.compile("[\\w.$/]+(\\$\\$Lambda[\\w$/]*)?@[0-9a-f]+");

  static final String REGENERATE = "./mvnw -q -B test -pl topology -am -Dtest=ConfigurationReferenceTest "
      + "-Dsurefire.failIfNoSpecifiedTests=false -Dtestpulse.docs.write=true";

  private ConfigurationReference() {
  }

  static String markdown() {
    List<ConfigKey> keys = new ArrayList<>(TestpulseConfig.configDef().configKeys().values());
    keys.sort(Comparator.<ConfigKey, Integer>comparing(k -> k.importance.ordinal()).thenComparing(k -> k.name));
    StringBuilder md = new StringBuilder();
    md.append("# Configuration reference\n\n");
    md.append("<!-- Generated from TestpulseConfig by ConfigurationReferenceTest; do not edit by hand. Regenerate with:\n");
    md.append("     ").append(REGENERATE).append(" -->\n\n");
    md.append("""
        testpulse has one configuration class, `io.testpulse.topology.TestpulseConfig` (Kafka `ConfigDef`
        style). Keys starting with `testpulse.` are testpulse's and are listed here; every other key is a
        Kafka Streams or Kafka client setting and is passed through unchanged by
        `TestpulseConfig.streamsProperties()`. The bundled app (`bin/testpulse run --config FILE`) reads
        the same keys from a properties file, and every `testpulse.*` key can be overridden by the
        environment variable in the table (`KAFKA_BOOTSTRAP_SERVERS` and `KAFKA_STATE_DIR` set
        `bootstrap.servers` and `state.dir`).

        """);
    md.append("| key | type | default | valid values | importance | environment variable |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (ConfigKey k : keys) {
      md.append("| [`").append(k.name).append("`](#").append(anchor(k.name)).append(") | ")
          .append(type(k)).append(" | ").append(defaultValue(k)).append(" | ").append(validValues(k)).append(" | ")
          .append(k.importance.name().toLowerCase(Locale.ROOT)).append(" | `").append(envName(k.name)).append("` |\n");
    }
    for (ConfigKey k : keys) {
      md.append("\n### ").append(k.name).append("\n\n").append(cell(k.documentation)).append("\n\n");
      md.append("- type: ").append(type(k)).append("\n");
      md.append("- default: ").append(defaultValue(k)).append("\n");
      md.append("- valid values: ").append(validValues(k)).append("\n");
      md.append("- importance: ").append(k.importance.name().toLowerCase(Locale.ROOT)).append("\n");
    }
    md.append("""

        ## Kafka Streams settings testpulse sets

        `TestpulseConfig.streamsProperties()` starts from these values and then applies every
        non-`testpulse.` key you give, so each of them can be overridden.

        | key | value |
        |---|---|
        """);
    Map<String, Object> defaults = new TreeMap<>(TestpulseConfig.recommendedStreamsDefaults(Topics.withPrefix("<prefix>")));
    defaults.forEach((key, value) -> md.append("| `").append(key).append("` | `")
        .append(value instanceof Class<?> c ? c.getName() : String.valueOf(value)).append("` |\n"));
    return md.toString();
  }

  private static String type(ConfigKey k) {
    return k.type.name().toLowerCase(Locale.ROOT);
  }

  private static String defaultValue(ConfigKey k) {
    if (!k.hasDefault()) {
      return "(required)";
    }
    if (k.type == ConfigDef.Type.PASSWORD) {
      return "(hidden)";
    }
    String text = ConfigDef.convertToString(k.defaultValue, k.type);
    return text == null ? "null" : text.isEmpty() ? "(empty)" : "`" + text + "`";
  }

  static String validValues(ConfigKey k) {
    if (k.validator == null) {
      return "any";
    }
    String text = k.validator.toString();
    // A lambda or class without toString() prints its identity, which changes between runs:
    // give such validators a description (ConfigDef.LambdaValidator.with(check, description)).
    return IDENTITY.matcher(text).matches() ? "see the description" : cell(text);
  }

  private static String cell(String text) {
    // Markdown: a pipe would end the table cell, and <tenant> would be taken for an HTML tag.
    return text == null ? "" : text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\r", " ").replace("\n", " ").strip();
  }

  private static String anchor(String key) {
    // GitHub's heading anchors: lower case, dots dropped.
    return key.toLowerCase(Locale.ROOT).replace(".", "");
  }

  static String envName(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_');
  }
}
