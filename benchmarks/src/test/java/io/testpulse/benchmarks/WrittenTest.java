package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.junit.jupiter.api.Test;

class WrittenTest {

  private static final TopicPartition OUT0 = new TopicPartition("bench.test-stats.v1", 0);
  private static final TopicPartition OUT1 = new TopicPartition("bench.test-stats.v1", 1);
  private static final TopicPartition CHANGELOG = new TopicPartition("bench-eos-test-state-changelog", 0);
  private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 3);

  @Test
  void shouldCountMarkersAsOffsetsTheProducersDidNotSendWhenTransactional() {
    Map<TopicPartition, Long> before = Map.of(OUT0, 100L, OUT1, 0L, CHANGELOG, 10L, OFFSETS, 7L);
    Map<TopicPartition, Long> after = Map.of(OUT0, 160L, OUT1, 45L, CHANGELOG, 10L, OFFSETS, 27L);
    // 100 data records on the output's two partitions, 5 offsets of markers; the changelog unchanged
    Map<String, Long> sent = Map.of("bench.test-stats.v1", 100L, "__consumer_offsets", 12L);

    Written w = Written.of(before, after, t -> !t.startsWith("__"), sent);

    assertThat(w.appendedByTopic()).containsExactly(Map.entry("bench.test-stats.v1", 105L));
    assertThat(w.data()).isEqualTo(100);
    assertThat(w.markers()).isEqualTo(5);
    assertThat(w.markersByTopic()).containsExactly(Map.entry("bench.test-stats.v1", 5L));
    assertThat(Written.of(before, after, t -> t.startsWith("__"), sent).markers()).isEqualTo(8);
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
