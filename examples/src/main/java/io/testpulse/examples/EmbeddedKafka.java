package io.testpulse.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) in this JVM, from Kafka's own
 * test kit. Single-broker exactly-once needs replication factor 1 and min ISR 1 for the
 * transaction and offsets topics; the rest is the broker's defaults.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private final KafkaClusterTestKit cluster;
  private final Path baseDirectory;

  private EmbeddedKafka(KafkaClusterTestKit cluster, Path baseDirectory) {
    this.cluster = cluster;
    this.baseDirectory = baseDirectory;
  }

  /** Formats storage in a temporary folder, starts the node and waits until the broker is ready. */
  public static EmbeddedKafka start() throws Exception {
    return start(Map.of());
  }

  public static EmbeddedKafka start(Map<String, String> brokerOverrides) throws Exception {
    // Our own folder, deleted by close() after the broker stopped. The test kit's default folder is
    // deleted by a JVM shutdown hook, which races the app's own shutdown hook (a demo stopped with
    // Ctrl-C logged the broker failing to write its checkpoints into a folder already gone).
    Path baseDirectory = Files.createTempDirectory("testpulse-kafka-");
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setBaseDirectory(baseDirectory)
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        // the newest production metadata version, not the test kit's default of the newest under development
        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
        .build());
    Map<String, String> defaults = Map.of(
        "offsets.topic.replication.factor", "1",
        "offsets.topic.num.partitions", "4",
        "transaction.state.log.replication.factor", "1",
        "transaction.state.log.min.isr", "1",
        "transaction.state.log.num.partitions", "4",
        "group.initial.rebalance.delay.ms", "0",
        "auto.create.topics.enable", "false");
    defaults.forEach(builder::setConfigProp);
    brokerOverrides.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
    } catch (Exception e) {
      cluster.close();
      Utils.delete(baseDirectory.toFile());
      throw e;
    }
    return new EmbeddedKafka(cluster, baseDirectory);
  }

  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    try {
      cluster.close();
    } finally {
      Utils.delete(baseDirectory.toFile());
    }
  }
}
