package io.testpulse.examples;

import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TopicHandle;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

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
        for (KafkaFuture<Void> created : admin.createTopics(missing).values().values()) {
          try {
            created.get(30, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            // listTopics answers from one broker's metadata, which can lag a topic just created (by another
            // instance, or by hand): it exists, and checkCoPartitioned below judges it like any other
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw e;
            }
          }
        }
      }
      checkCoPartitioned(admin, config);
    }
  }

  /**
   * The executions, flip-verdicts and quarantine-commands topics feed the same tasks (the flakiness
   * engine reads all three by {@code tenant/test_id}), so they must have the same number of
   * partitions. Kafka Streams checks this only for joins: with different counts, some keys' verdicts
   * or commands would reach a task that does not hold their test, silently. Fails fast instead.
   */
  static void checkCoPartitioned(Admin admin, TestpulseConfig config)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> names = List.of(config.topics().executions().name(), config.topics().flipVerdicts().name(),
        config.topics().quarantineCommands().name());
    Map<String, Integer> counts = new TreeMap<>();
    admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS)
        .forEach((name, description) -> counts.put(name, description.partitions().size()));
    if (new HashSet<>(counts.values()).size() > 1) {
      throw new IllegalStateException("testpulse's topics " + counts + " must have the same number of partitions: "
          + "they are co-partitioned by tenant/test_id (add partitions to the smaller ones, or recreate them)");
    }
  }

  private static NewTopic newTopic(TopicHandle<?, ?> topic, int partitions, short replication) {
    return topic.newTopic(partitions, replication);
  }
}
