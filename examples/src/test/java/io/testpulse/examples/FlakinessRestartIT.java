package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.Flip;
import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a real broker: stopping and restarting the app on the same state directory keeps every flakiness state. */
class FlakinessRestartIT {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @TempDir
  Path stateDir;

  @Test
  void shouldKeepEveryStateWhenRestartedOnTheSameStateDirectory() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Properties props = new Properties();
      props.put("bootstrap.servers", kafka.bootstrapServers());
      props.put("application.id", "restart-" + UUID.randomUUID());
      props.put("state.dir", stateDir.toString());
      props.put("commit.interval.ms", "100");
      props.put(TestpulseConfig.TOPIC_PREFIX_CONFIG, "restart");
      props.put(TestpulseConfig.TOPIC_PARTITIONS_CONFIG, "2");
      TestpulseConfig config = new TestpulseConfig(props);
      Topics topics = config.topics();
      TopicSetup.createMissing(kafka.bootstrapServers(), config);

      KafkaStreams first = start(config);
      try (KafkaProducer<String, TestExecution> producer = producer(kafka, topics.executions().valueSerde().serializer());
           KafkaProducer<String, QuarantineCommand> commands = producer(kafka,
               topics.quarantineCommands().valueSerde().serializer())) {
        send(producer, topics, execution("adds", Result.FAILED, 0, "r1", "c1"));
        send(producer, topics, execution("adds", Result.PASSED, 1, "r2", "c1"));
        send(producer, topics, execution("other", Result.PASSED, 2, "r3", "c3"));
        String other = TestKeys.testId("acme", "web", "Cart", "other");
        commands.send(new ProducerRecord<>(topics.quarantineCommands().name(), TestKeys.key("acme", other),
            new QuarantineCommand(TestKeys.key("acme", other), "acme", other, QuarantineCommand.QUARANTINE, "noisy",
                null, "acme:admin", T0.plusSeconds(3).toEpochMilli()))).get();
      }
      // the store may be briefly unqueryable and the states not there yet: retry both until the deadline
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
        Map<String, FlakinessState> now = states(first);
        assertThat(now.get(key("adds")).getState()).isEqualTo("FLAKY");
        assertThat(now.get(key("other")).getState()).isEqualTo("QUARANTINED");
      });
      Map<String, FlakinessState> before = states(first);
      first.close(Duration.ofSeconds(30));

      KafkaStreams second = start(config);
      try {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .untilAsserted(() -> assertThat(states(second)).isEqualTo(before));
        // the per-commit outcomes survived too: a failure on c3 now flips "other"
        try (KafkaProducer<String, TestExecution> producer = producer(kafka,
            topics.executions().valueSerde().serializer())) {
          send(producer, topics, execution("other", Result.FAILED, 4, "r4", "c3"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> flips(kafka, topics).stream()
            .anyMatch(f -> f.commitSha().equals("c3") && f.key().equals(key("other"))));
      } finally {
        second.close(Duration.ofSeconds(30));
      }
    }
  }

  private static KafkaStreams start(TestpulseConfig config) {
    KafkaStreams streams = new KafkaStreams(TestpulseTopology.create(config).build(), config.streamsProperties());
    streams.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
    return streams;
  }

  private static Map<String, FlakinessState> states(KafkaStreams streams) {
    ReadOnlyKeyValueStore<String, io.testpulse.avro.TestRecord> store = streams.store(
        StoreQueryParameters.fromNameAndType(Stores.TEST_RECORD.name(), QueryableStoreTypes.keyValueStore()));
    Map<String, FlakinessState> all = new HashMap<>();
    try (KeyValueIterator<String, io.testpulse.avro.TestRecord> it = store.all()) {
      it.forEachRemaining(kv -> all.put(kv.key, kv.value.getFlakiness()));
    }
    return all;
  }

  private static List<Flip> flips(EmbeddedKafka kafka, Topics topics) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "flips-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Flip> flips = new ArrayList<>();
    try (KafkaConsumer<String, Flip> consumer = new KafkaConsumer<>(props, Serdes.String().deserializer(),
        topics.flips().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.flips().name()));
      consumer.poll(Duration.ofSeconds(2)).forEach(r -> flips.add(r.value()));
    }
    return flips;
  }

  private static <V> KafkaProducer<String, V> producer(EmbeddedKafka kafka,
                                                       org.apache.kafka.common.serialization.Serializer<V> values) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return new KafkaProducer<>(props, Serdes.String().serializer(), values);
  }

  private static void send(KafkaProducer<String, TestExecution> producer, Topics topics, TestExecution e)
      throws Exception {
    producer.send(new ProducerRecord<>(topics.executions().name(), TestKeys.key(e.getTenant(), e.getTestId()), e)).get();
  }

  private static String key(String name) {
    return TestKeys.key("acme", TestKeys.testId("acme", "web", "Cart", name));
  }

  private static TestExecution execution(String name, Result result, int seconds, String run, String commit) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant("acme").setSuite("web").setTestId(TestKeys.testId("acme", "web", "Cart", name))
        .setScope("Cart").setName(name).setResult(result).setDurationMicros(1000)
        .setEventTime(T0.plusSeconds(seconds))
        .setRun(RunInfo.newBuilder().setKey(run).setBranch("main").setCommitSha(commit).build())
        .setTags(Map.of())
        .build();
  }
}
