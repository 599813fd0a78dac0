package io.testpulse.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The upload's envelope: {@code format}, {@code run_env}, {@code tags} and testpulse's optional
 * {@code suite}, from the JSON body, the multipart fields or the query string; plus how many
 * results the upload holds.
 */
public record Envelope(String format, Map<String, String> runEnv, Map<String, String> tags, String suite,
                       int results) {

  public Envelope {
    runEnv = Map.copyOf(runEnv == null ? Map.of() : runEnv);
    tags = Map.copyOf(tags == null ? Map.of() : tags);
  }

  public static Envelope empty() {
    return new Envelope(null, Map.of(), Map.of(), null, 0);
  }

  /**
   * Parses form-style fields as collectors send them in multipart uploads: {@code format},
   * {@code suite}, {@code run_env[key]} and {@code tags[key]}; other fields are ignored.
   */
  public static Envelope fromFields(Map<String, String> fields) {
    Map<String, String> runEnv = new LinkedHashMap<>();
    Map<String, String> tags = new LinkedHashMap<>();
    fields.forEach((name, value) -> {
      if (value == null) {
        return;
      }
      if (name.startsWith("run_env[") && name.endsWith("]")) {
        runEnv.put(name.substring("run_env[".length(), name.length() - 1), value);
      } else if (name.startsWith("tags[") && name.endsWith("]")) {
        tags.put(name.substring("tags[".length(), name.length() - 1), value);
      }
    });
    return new Envelope(fields.get("format"), runEnv, tags, fields.get("suite"), 0);
  }

  /** This envelope with {@code other}'s values filled in where this one has none (run_env and tags merged, this wins). */
  public Envelope orElse(Envelope other) {
    Map<String, String> env = new LinkedHashMap<>(other.runEnv);
    env.putAll(runEnv);
    Map<String, String> t = new LinkedHashMap<>(other.tags);
    t.putAll(tags);
    return new Envelope(format != null ? format : other.format, env, t, suite != null ? suite : other.suite,
        Math.max(results, other.results));
  }

  public Envelope withResults(int count) {
    return new Envelope(format, runEnv, tags, suite, count);
  }
}
