package io.testpulse.examples;

import io.testpulse.topology.TestpulseConfig;
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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

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
          .map(t -> config.topics().newTopic(t, partitions, replication))
          .toList();
      if (!missing.isEmpty()) {
        createAll(admin, missing);
      }
      checkCoPartitioned(admin, config);
    }
  }

  /**
   * Creates {@code topics}; one that exists by now is fine: another instance starting at the same time
   * (or an operator) created it after the listing, and failing this instance's start for it would make
   * a simultaneous restart of two instances fail one of them. Its partition count is checked next.
   */
  private static void createAll(Admin admin, List<NewTopic> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    for (var created : admin.createTopics(topics).values().values()) {
      try {
        created.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
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
    describe(admin, names).forEach((name, description) -> counts.put(name, description.partitions().size()));
    if (new HashSet<>(counts.values()).size() > 1) {
      throw new IllegalStateException("testpulse's topics " + counts + " must have the same number of partitions: "
          + "they are co-partitioned by tenant/test_id (add partitions to the smaller ones, or recreate them)");
    }
  }

  /**
   * The topics' descriptions. A topic created a moment ago may not be in the broker's metadata yet
   * (UnknownTopicOrPartitionException): asked again until it is, for at most 30 s.
   */
  private static Map<String, TopicDescription> describe(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100); // metadata propagation after creation: a matter of milliseconds
      }
    }
  }
}
