package io.testpulse.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.Predicate;

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

  /**
   * Per topic matching {@code include}: end offsets (summed over partitions) {@code after - before};
   * data records from {@code sentByTopic}.
   */
  static Written of(Map<String, Long> before, Map<String, Long> after, Predicate<String> include,
                    Map<String, Long> sentByTopic) {
    Map<String, Long> appended = new TreeMap<>();
    after.forEach((topic, end) -> {
      if (include.test(topic)) {
        appended.put(topic, end - before.getOrDefault(topic, 0L));
      }
    });
    appended.values().removeIf(n -> n == 0);
    Map<String, Long> data = new TreeMap<>();
    appended.keySet().forEach(topic -> data.put(topic, sentByTopic.getOrDefault(topic, 0L)));
    return new Written(appended, data);
  }

  /**
   * The producers' counts and the end offsets read together, at a moment when no send happened
   * while the offsets were read (the counts before and after agree; up to 50 tries, 20 ms apart,
   * e.g. around a punctuation). {@code stable} is false if no such moment came.
   *
   * @param sentByTopic data records sent per topic ({@link ProducerCounts})
   * @param endsByTopic end offsets per topic, the broker's own topics included
   */
  record Snapshot(Map<String, Long> sentByTopic, Map<String, Long> endsByTopic, boolean stable) {

    static Snapshot take(Supplier<Map<String, Long>> sent, Offsets offsets) throws Exception {
      Map<String, Long> ends = Map.of();
      Map<String, Long> after = Map.of();
      for (int i = 0; i < 50; i++) {
        Map<String, Long> before = sent.get();
        ends = offsets.endsByTopic();
        after = sent.get();
        if (before.equals(after)) {
          return new Snapshot(after, ends, true);
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      return new Snapshot(after, ends, false);
    }
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
