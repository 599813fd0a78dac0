package io.testpulse.examples;

import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TopicHandle;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates testpulse's topics that are missing, with their cleanup policies; leaves existing ones alone. */
public final class TopicSetup {

  private TopicSetup() {
  }

  public static void createMissing(String bootstrapServers, TestpulseConfig config)
      throws InterruptedException, ExecutionException, TimeoutException {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      int partitions = config.getInt(TestpulseConfig.TOPIC_PARTITIONS_CONFIG);
      short replication = config.getShort(TestpulseConfig.TOPIC_REPLICATION_FACTOR_CONFIG);
      List<NewTopic> missing = config.topics().all().stream()
          .filter(t -> !existing.contains(t.name()))
          .map(t -> newTopic(t, partitions, replication))
          .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static NewTopic newTopic(TopicHandle<?, ?> topic, int partitions, short replication) {
    return topic.newTopic(partitions, replication);
  }
}
