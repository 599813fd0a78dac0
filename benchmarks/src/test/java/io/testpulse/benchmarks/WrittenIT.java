package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.examples.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's count of records written (Written, ProducerCounts, Offsets) against a real broker
 * and a real Kafka Streams pass-through: every data record found in the producers' counters, the
 * markers of exactly_once_v2 apart, none under at_least_once.
 */
class WrittenIT {

  private static final int RECORDS = 2_000;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    kafka.close();
  }

  @Test
  void shouldCountMarkersApartFromDataWhenExactlyOnce(@TempDir Path state) throws Exception {
    Result r = passThrough("eos", StreamsConfig.EXACTLY_ONCE_V2, state);

    assertThat(r.output().data()).isEqualTo(RECORDS);
    assertThat(r.output().markers()).as("commit markers, one per partition per transaction").isPositive();
    assertThat(r.output().appended()).isEqualTo(r.output().data() + r.output().markers());
    // transactional offset commits and transaction states land in the broker's own topics
    assertThat(r.internal().appendedByTopic()).containsKeys("__consumer_offsets", "__transaction_state");
  }

  @Test
  void shouldCountNoMarkersWhenAtLeastOnce(@TempDir Path state) throws Exception {
    Result r = passThrough("alos", StreamsConfig.AT_LEAST_ONCE, state);

    assertThat(r.output().data()).isEqualTo(RECORDS);
    assertThat(r.output().markers()).isZero();
  }

  private record Result(Written output, Written internal) {
  }

  private static Result passThrough(String name, String guarantee, Path state) throws Exception {
    String in = name + "-in";
    String out = name + "-out";
    try (Offsets offsets = new Offsets(kafka.bootstrapServers())) {
      offsets.admin().createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 3, (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
      offsets.awaitLeaders(Duration.ofSeconds(30));
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
          new StringSerializer())) {
        for (int i = 0; i < RECORDS; i++) {
          producer.send(new ProducerRecord<>(in, "k" + i, "v" + i));
        }
      }
      Map<String, Long> before = offsets.endsByTopic();

      Properties props = new Properties();
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "written-it-" + name);
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
      props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
      try (KafkaStreams streams = new KafkaStreams(ProcessingNode.passThrough(in, out), props)) {
        streams.start();
        Awaitility.await("the pass-through committed its input").atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> offsets.progress("written-it-" + name, in).committedInput() >= RECORDS);
        Written.Snapshot snapshot = Written.Snapshot.take(() -> ProducerCounts.dataRecordsByTopic(streams.metrics()),
            offsets);
        assertThat(snapshot.stable()).isTrue();
        return new Result(Written.of(before, snapshot.endsByTopic(), out::equals, snapshot.sentByTopic()),
            Written.of(before, snapshot.endsByTopic(), t -> t.startsWith("__"), snapshot.sentByTopic()));
      }
    }
  }
}
