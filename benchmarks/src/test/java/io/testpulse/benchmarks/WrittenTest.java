package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.junit.jupiter.api.Test;

class WrittenTest {

  @Test
  void shouldCountMarkersAsOffsetsTheProducersDidNotSendWhenTransactional() {
    Map<String, Long> before = Map.of("bench.test-stats.v1", 100L, "bench-eos-test-state-changelog", 10L,
        "__consumer_offsets", 7L);
    // 100 data records on the output, 5 offsets of markers; the changelog unchanged
    Map<String, Long> after = Map.of("bench.test-stats.v1", 205L, "bench-eos-test-state-changelog", 10L,
        "__consumer_offsets", 27L);
    Map<String, Long> sent = Map.of("bench.test-stats.v1", 100L);

    Written w = Written.of(before, after, t -> !t.startsWith("__"), sent);

    assertThat(w.appendedByTopic()).containsExactly(Map.entry("bench.test-stats.v1", 105L));
    assertThat(w.data()).isEqualTo(100);
    assertThat(w.markers()).isEqualTo(5);
    assertThat(w.markersByTopic()).containsExactly(Map.entry("bench.test-stats.v1", 5L));
    assertThat(Written.of(before, after, t -> t.startsWith("__"), sent).appended()).isEqualTo(20);
  }

  @Test
  void shouldSubtractRetriesWhenSummingProducerMetricsOverClients() {
    try (Metrics metrics = new Metrics()) {
      record("thread-1-producer", "record-send-total", 70, metrics);
      record("thread-2-producer", "record-send-total", 40, metrics);
      record("thread-2-producer", "record-retry-total", 3, metrics);
      MetricName other = metrics.metricName("byte-total", ProducerCounts.GROUP,
          Map.of("client-id", "thread-1-producer", "topic", "t"));
      metrics.addMetric(other, new CumulativeSum());

      assertThat(ProducerCounts.dataRecordsByTopic(metrics.metrics())).containsExactly(Map.entry("t", 107L));
    }
  }

  private static void record(String client, String name, double value, Metrics metrics) {
    MetricName metricName = metrics.metricName(name, ProducerCounts.GROUP, Map.of("client-id", client, "topic", "t"));
    var sensor = metrics.sensor(client + name);
    sensor.add(metricName, new CumulativeSum());
    sensor.record(value);
    assertThat(((KafkaMetric) metrics.metrics().get(metricName)).metricValue()).isEqualTo(value);
  }
}
