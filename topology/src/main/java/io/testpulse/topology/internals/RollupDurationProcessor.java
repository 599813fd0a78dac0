package io.testpulse.topology.internals;

import com.datadoghq.sketch.ddsketch.DDSketchWithExactSummaryStatistics;
import io.testpulse.topology.BucketKey;
import io.testpulse.topology.DurationBucket;
import io.testpulse.topology.DurationOptions;
import io.testpulse.topology.DurationScopes;
import io.testpulse.topology.DurationSummary;
import io.testpulse.topology.Stores;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Suite and suite-by-dimension duration buckets, after the duration-rollup-partials repartition: merges each
 * task's partial sketch of a (rollup, bucket) into the bucket ({@link RollupPartialProcessor}).
 */
final class RollupDurationProcessor extends DurationBucketProcessor<DDSketchWithExactSummaryStatistics> {

  private final Map<String, List<String>> setsByName = new HashMap<>();

  RollupDurationProcessor(DurationOptions options) {
    super(Stores.DURATION_ROLLUP_BUCKETS, Stores.DURATION_ROLLUP_EMITS, options);
    options.dimensionSets().forEach(set -> setsByName.put(DurationOptions.dimensionSetName(set), set));
  }

  @Override
  public void process(Record<String, DDSketchWithExactSummaryStatistics> record) {
    String key = record.key();
    int separator = key.indexOf(DurationScopes.GROUP_SEPARATOR);
    int last = key.lastIndexOf(DurationScopes.GROUP_SEPARATOR);
    String scope = key.substring(0, separator);
    String group = key.substring(separator + 1, last);
    merge(scope, group, Long.parseLong(key.substring(last + 1)), record.value());
  }

  @Override
  protected DurationBucket describe(BucketKey key, String ignored, DurationSummary summary) {
    String tenant = tenantOf(key.scope());
    String rest = key.scope().substring(tenant.length() + 1);
    long start = key.bucketStart();
    long end = start + options.bucket().toMillis();
    if (rest.startsWith("suite/")) {
      String suite = rest.substring("suite/".length());
      return DurationBucket.of(tenant + "/suite/" + suite + "/" + start, tenant, "suite", null, suite, null, null,
          start, end, summary);
    }
    // dims/<set>/<suite>: set names have no '/', suites may
    String afterDims = rest.substring("dims/".length());
    String setName = afterDims.substring(0, afterDims.indexOf('/'));
    String suite = afterDims.substring(setName.length() + 1);
    List<String> set = setsByName.getOrDefault(setName, List.of(setName.split(",")));
    Map<String, String> group = DurationScopes.groupValues(set, key.group());
    // values URL-encoded so that a ',' or '/' inside a value cannot make two groups share a key
    String groupKey = String.join(",", group.values().stream()
        .map(v -> v == null ? "" : URLEncoder.encode(v, StandardCharsets.UTF_8)).toList());
    return DurationBucket.of(tenant + "/dims/" + setName + "/" + suite + "/" + groupKey + "/" + start, tenant,
        "dimensions", null, suite, setName, group, start, end, summary);
  }
}
