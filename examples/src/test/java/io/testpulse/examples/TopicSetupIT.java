package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.topology.TestpulseConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic creation on a real broker: min.insync.replicas as configured, and weaker existing topics found. */
class TopicSetupIT {

  private static EmbeddedKafka kafka;
  private static Admin admin;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  @AfterAll
  static void stop() throws Exception {
    admin.close();
    kafka.close();
  }

  @Test
  void shouldCreateTopicsWithMinInsyncReplicasAndFindExistingTopicsWeakerThanConfigured() throws Exception {
    TestpulseConfig config = new TestpulseConfig(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        TestpulseConfig.TOPIC_PREFIX_CONFIG, "dur", TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "1",
        TestpulseConfig.TOPIC_MIN_INSYNC_REPLICAS_CONFIG, "2"));
    String executions = config.topics().executions().name();
    // created before, by someone else, with the broker's defaults (min.insync.replicas=1)
    admin.createTopics(List.of(new NewTopic(executions, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);

    TopicSetup.Durability durability = TopicSetup.createMissing(kafka.bootstrapServers(), config);
    List<String> weaker = TopicSetup.warnWhenWeaker(admin, List.of(executions,
        config.topics().transitions().name()), durability);

    assertThat(durability.minInsyncReplicas()).isEqualTo(2);
    assertThat(minInsyncReplicas(admin, config.topics().transitions().name())).hasValue("2");
    assertThat(minInsyncReplicas(admin, executions)).hasValue("1");
    assertThat(weaker).containsExactly(executions);
  }

  @Test
  void shouldResolveMinInsyncReplicasToTwoWhenTheReplicationFactorIsAtLeastThree() throws Exception {
    TestpulseConfig three = new TestpulseConfig(Map.of(TestpulseConfig.TOPIC_REPLICATION_FACTOR_CONFIG, "3"));
    TestpulseConfig brokerDefault = new TestpulseConfig(Map.of());

    assertThat(TopicSetup.durability(admin, three).minInsyncReplicas()).isEqualTo(2);
    // the embedded broker's default.replication.factor is 1: the broker's min.insync.replicas applies
    assertThat(TopicSetup.durability(admin, brokerDefault).minInsyncReplicas()).isEqualTo(-1);
  }

  private static Optional<String> minInsyncReplicas(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
        .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    return Optional.ofNullable(entry).map(ConfigEntry::value);
  }
}
