package io.testpulse.topology;

import io.testpulse.avro.TestExecution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scopes of the rollup store, built in one place for the topology and the query service:
 * {@code tenant/suite/<suite>} and {@code tenant/dims/<set>/<suite>} with the group
 * {@code value1 US value2 ...} (US = U+001F; a missing tag is an empty value).
 */
public final class DurationScopes {

  /** Separates the scope from the group in the repartition key ({@code scope NUL group}). */
  public static final char GROUP_SEPARATOR = '\0';
  private static final char VALUE_SEPARATOR = '\u001f';

  private DurationScopes() {
  }

  public static String suiteScope(String tenant, String suite) {
    return tenant + "/suite/" + clean(suite);
  }

  public static String dimensionScope(String tenant, String dimensionSet, String suite) {
    return tenant + "/dims/" + dimensionSet + "/" + clean(suite);
  }

  /** The group of an execution under a dimension set. */
  public static String group(List<String> set, Map<CharSequence, CharSequence> tags) {
    StringBuilder group = new StringBuilder();
    for (int i = 0; i < set.size(); i++) {
      if (i > 0) {
        group.append(VALUE_SEPARATOR);
      }
      CharSequence value = tags == null ? null : tagValue(tags, set.get(i));
      if (value != null) {
        group.append(clean(value.toString()));
      }
    }
    return group.toString();
  }

  private static CharSequence tagValue(Map<CharSequence, CharSequence> tags, String name) {
    CharSequence direct = tags.get(name);
    if (direct != null) {
      return direct;
    }
    // Avro maps may be keyed by Utf8: compare as strings.
    for (Map.Entry<CharSequence, CharSequence> e : tags.entrySet()) {
      if (name.contentEquals(e.getKey())) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The dimension values of a group, by tag name; {@code null} for a missing tag. */
  public static Map<String, String> groupValues(List<String> set, String group) {
    String[] values = group.split(String.valueOf(VALUE_SEPARATOR), -1);
    Map<String, String> result = new LinkedHashMap<>();
    for (int i = 0; i < set.size(); i++) {
      String v = i < values.length ? values[i] : "";
      result.put(set.get(i), v.isEmpty() ? null : v);
    }
    return result;
  }

  /** Every rollup an execution contributes to, as repartition keys {@code scope NUL group}. */
  public static List<String> rollupKeys(TestExecution e, DurationOptions options) {
    List<String> keys = new ArrayList<>(1 + options.dimensionSets().size());
    keys.add(suiteScope(e.getTenant(), e.getSuite()) + GROUP_SEPARATOR);
    for (List<String> set : options.dimensionSets()) {
      keys.add(dimensionScope(e.getTenant(), DurationOptions.dimensionSetName(set), e.getSuite())
          + GROUP_SEPARATOR + group(set, mapOf(e)));
    }
    return keys;
  }

  @SuppressWarnings("unchecked")
  private static Map<CharSequence, CharSequence> mapOf(TestExecution e) {
    return (Map<CharSequence, CharSequence>) (Map<?, ?>) e.getTags();
  }

  /** Suites and tag values may hold anything; the key format reserves NUL and US. */
  private static String clean(String value) {
    return value.replace('\0', '\ufffd').replace(VALUE_SEPARATOR, '\ufffd');
  }
}
