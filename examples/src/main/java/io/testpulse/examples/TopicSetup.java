package io.testpulse.examples;

import io.testpulse.topology.TestpulseConfig;
import java.util.Collection;
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
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates testpulse's topics that are missing, with their cleanup policies, replication factor and
 * {@code min.insync.replicas}; leaves existing ones alone, but warns when they are weaker than configured.
 */
public final class TopicSetup {

  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {
  }

  /**
   * The durability topics get: the replication factor ({@code -1}: the broker's default) and
   * {@code min.insync.replicas} ({@code -1}: the broker's default).
   */
  public record Durability(short replicationFactor, int minInsyncReplicas) {
  }

  /** Creates what is missing and returns the durability the topics were created with. */
  public static Durability createMissing(String bootstrapServers, TestpulseConfig config)
      throws InterruptedException, ExecutionException, TimeoutException {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      int partitions = config.getInt(TestpulseConfig.TOPIC_PARTITIONS_CONFIG);
      Durability durability = durability(admin, config);
      List<NewTopic> missing = config.topics().all().stream()
          .filter(t -> !existing.contains(t.name()))
          .map(t -> config.topics().newTopic(t, partitions, durability.replicationFactor(),
              durability.minInsyncReplicas()))
          .toList();
      if (!missing.isEmpty()) {
        createAll(admin, missing);
      }
      checkCoPartitioned(admin, config);
      warnWhenWeaker(admin, config.topics().all().stream().map(t -> t.name())
          .filter(existing::contains).toList(), durability);
      return durability;
    }
  }

  /**
   * What the config asks for, with {@code testpulse.topic.min.insync.replicas=-1} resolved: 2 when the
   * replication factor (configured, or the broker's {@code default.replication.factor}) is at least 3.
   */
  public static Durability durability(Admin admin, TestpulseConfig config)
      throws InterruptedException, ExecutionException, TimeoutException {
    short replication = config.getShort(TestpulseConfig.TOPIC_REPLICATION_FACTOR_CONFIG);
    int minIsr = config.getInt(TestpulseConfig.TOPIC_MIN_INSYNC_REPLICAS_CONFIG);
    if (minIsr > 0) {
      return new Durability(replication, minIsr);
    }
    int effective = replication > 0 ? replication : brokerDefaultReplicationFactor(admin);
    return new Durability(replication, effective >= 3 ? 2 : -1);
  }

  private static int brokerDefaultReplicationFactor(Admin admin)
      throws InterruptedException, ExecutionException, TimeoutException {
    Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
    if (nodes.isEmpty()) {
      return 1;
    }
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(nodes.iterator().next().id()));
    ConfigEntry entry = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker)
        .get("default.replication.factor");
    return entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
  }

  /**
   * Existing topics keep their settings (changing them is the operator's decision): a warning names each
   * one whose replication factor or {@code min.insync.replicas} is below what is configured, because a
   * 202 then promises less than the configuration says.
   */
  static List<String> warnWhenWeaker(Admin admin, List<String> names, Durability wanted)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> weaker = new java.util.ArrayList<>();
    if (names.isEmpty()) {
      return weaker;
    }
    Map<String, TopicDescription> descriptions = describe(admin, names);
    List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
    for (String name : names) {
      int replicas = descriptions.get(name).partitions().get(0).replicas().size();
      ConfigEntry minIsrEntry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
          .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      int minIsr = minIsrEntry == null || minIsrEntry.value() == null ? 1 : Integer.parseInt(minIsrEntry.value());
      if ((wanted.replicationFactor() > 0 && replicas < wanted.replicationFactor())
          || (wanted.minInsyncReplicas() > 0 && minIsr < wanted.minInsyncReplicas())) {
        weaker.add(name);
      }
      if (wanted.replicationFactor() > 0 && replicas < wanted.replicationFactor()) {
        LOG.warn("Topic {} has replication factor {}, less than testpulse.topic.replication.factor={}: it was created "
            + "before; raise it with kafka-reassign-partitions", name, replicas, wanted.replicationFactor());
      }
      if (wanted.minInsyncReplicas() > 0 && minIsr < wanted.minInsyncReplicas()) {
        LOG.warn("Topic {} has min.insync.replicas={}, less than the {} configured (testpulse.topic.min.insync.replicas):"
            + " a 202 is then acknowledged by {} replica(s); raise it with kafka-configs --alter", name, minIsr,
            wanted.minInsyncReplicas(), minIsr);
      }
    }
    return weaker;
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
