package io.testpulse.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** End offsets and consumer-group lag, through the admin client. */
final class Offsets implements AutoCloseable {

  private final Admin admin;

  Offsets(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.admin = Admin.create(props);
  }

  Admin admin() {
    return admin;
  }

  /** End offset of every partition of {@code topics}. */
  Map<TopicPartition, Long> ends(Collection<String> topics) throws Exception {
    if (topics.isEmpty()) {
      return Map.of();
    }
    var descriptions = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    descriptions.forEach((name, d) -> d.partitions()
        .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  /**
   * End offsets of every topic, the broker's own included ({@code __consumer_offsets},
   * {@code __transaction_state}), summed per topic.
   */
  Map<String, Long> endsByTopic() throws Exception {
    var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
    Map<String, Long> sums = new java.util.TreeMap<>();
    ends(names).forEach((tp, end) -> sums.merge(tp.topic(), end, Long::sum));
    return sums;
  }

  long total(String topic) throws Exception {
    return ends(List.of(topic)).values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Records of the input topic and of the application's own repartition topics that group
   * {@code applicationId} has not committed yet: 0 means every output of every record is committed.
   */
  long lag(String applicationId, String inputTopic) throws Exception {
    return progress(applicationId, inputTopic).lag();
  }

  /**
   * How far group {@code applicationId} is: the input offsets it has committed (summed over
   * partitions) and its lag on the input and its own repartition topics.
   */
  Progress progress(String applicationId, String inputTopic) throws Exception {
    List<String> topics = new java.util.ArrayList<>(List.of(inputTopic));
    admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
        .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition"))
        .forEach(topics::add);
    Map<TopicPartition, Long> ends = ends(topics);
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    long lag = 0;
    long committedInput = 0;
    for (var end : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(end.getKey());
      long offset = c == null ? 0 : c.offset();
      lag += Math.max(0, end.getValue() - offset);
      if (end.getKey().topic().equals(inputTopic)) {
        committedInput += offset;
      }
    }
    return new Progress(committedInput, lag);
  }

  /** Input offsets committed (summed over partitions) and the lag left, input and repartition topics. */
  record Progress(long committedInput, long lag) {
  }

  /**
   * Waits until every partition of every topic has a leader in the broker's metadata: producing
   * to a partition whose leadership is still being applied fails with NOT_LEADER_OR_FOLLOWER.
   */
  void awaitLeaders(java.time.Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      var names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      boolean ready = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
          .flatMap(d -> d.partitions().stream())
          .allMatch(p -> p.leader() != null && !p.leader().isEmpty() && !p.isr().isEmpty());
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topics have partitions without a leader after " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
