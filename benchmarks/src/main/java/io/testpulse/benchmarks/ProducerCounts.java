package io.testpulse.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Data records the producers of one client (here: every producer Kafka Streams embeds) sent, per
 * topic, from the producer's own per-topic metrics. A producer counts a batch in
 * {@code record-send-total} each time it sends it, retries included, and counts the retries in
 * {@code record-retry-total}; records of aborted transactions were sent and are counted.
 * Transaction markers are written by the broker's transaction coordinator, not by the producer,
 * so they are not here: the log end offsets minus these counts are the markers ({@link Written}).
 */
final class ProducerCounts {

  static final String GROUP = "producer-topic-metrics";

  private ProducerCounts() {
  }

  /** Per topic, {@code record-send-total - record-retry-total} summed over every producer client. */
  static Map<String, Long> dataRecordsByTopic(Map<MetricName, ? extends Metric> metrics) {
    Map<String, Long> sent = new TreeMap<>();
    metrics.forEach((name, metric) -> {
      if (!GROUP.equals(name.group()) || !name.tags().containsKey("topic")) {
        return;
      }
      long sign = switch (name.name()) {
        case "record-send-total" -> 1;
        case "record-retry-total" -> -1;
        default -> 0;
      };
      if (sign != 0 && metric.metricValue() instanceof Number n) {
        sent.merge(name.tags().get("topic"), sign * Math.round(n.doubleValue()), Long::sum);
      }
    });
    return sent;
  }
}
