package io.testpulse.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** How far a Kafka Streams application has read its input: committed offsets against end offsets. */
public final class Progress {

  private Progress() {
  }

  /** Total records of {@code topic} not yet committed by consumer group {@code applicationId}. */
  public static long lag(Admin admin, String applicationId, String topic) throws Exception {
    var description = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
        .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
    var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    long lag = 0;
    for (var end : ends.entrySet()) {
      OffsetAndMetadata c = committed.get(end.getKey());
      long done = c == null ? 0 : c.offset();
      lag += Math.max(0, end.getValue().offset() - done);
    }
    return lag;
  }

  /**
   * Waits until the application has committed every record of {@code topic}, polling every 200 ms;
   * returns false if the deadline passes first.
   */
  public static boolean awaitCaughtUp(String bootstrapServers, String applicationId, String topic, Duration timeout)
      throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    Instant deadline = Instant.now().plus(timeout);
    try (Admin admin = Admin.create(props)) {
      while (Instant.now().isBefore(deadline)) {
        if (lag(admin, applicationId, topic) == 0) {
          return true;
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    return false;
  }
}
