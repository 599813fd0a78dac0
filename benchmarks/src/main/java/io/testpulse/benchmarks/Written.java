package io.testpulse.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * What one phase wrote, per topic: the records appended to the log (the growth of the log end
 * offsets, which counts every offset: data records and transaction markers alike), the data
 * records the phase's producers sent ({@link ProducerCounts}), and the difference, the markers.
 *
 * <p>Why this method and not a count of what a read_uncommitted consumer reads back: Kafka Streams
 * purges its repartition topics (deleteRecords up to the committed offset) while it runs, and the
 * log cleaner may compact changelogs, so what can be read back after a phase is less than what was
 * written; the end offsets and the producers' own counters are not affected by either. A count of
 * markers from the number of transactions is not possible from outside: a transaction writes one
 * marker to each partition it touched, which only the coordinator knows.
 *
 * @param appendedByTopic offsets appended per topic (data records plus markers)
 * @param dataByTopic data records sent per topic
 */
record Written(Map<String, Long> appendedByTopic, Map<String, Long> dataByTopic) {

  /** Per topic matching {@code include}: end offsets {@code after - before}; data from {@code sentByTopic}. */
  static Written of(Map<TopicPartition, Long> before, Map<TopicPartition, Long> after, Predicate<String> include,
                    Map<String, Long> sentByTopic) {
    Map<String, Long> appended = new TreeMap<>();
    after.forEach((tp, end) -> {
      if (include.test(tp.topic())) {
        appended.merge(tp.topic(), end - before.getOrDefault(tp, 0L), Long::sum);
      }
    });
    appended.values().removeIf(n -> n == 0);
    Map<String, Long> data = new TreeMap<>();
    appended.keySet().forEach(topic -> data.put(topic, sentByTopic.getOrDefault(topic, 0L)));
    return new Written(appended, data);
  }

  /** Markers per topic: offsets appended that are not data records the producers sent. */
  Map<String, Long> markersByTopic() {
    Map<String, Long> markers = new TreeMap<>();
    appendedByTopic.forEach((topic, n) -> markers.put(topic, n - dataByTopic.getOrDefault(topic, 0L)));
    return markers;
  }

  long appended() {
    return appendedByTopic.values().stream().mapToLong(Long::longValue).sum();
  }

  long data() {
    return dataByTopic.values().stream().mapToLong(Long::longValue).sum();
  }

  long markers() {
    return appended() - data();
  }
}
