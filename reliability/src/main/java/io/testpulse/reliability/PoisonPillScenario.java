package io.testpulse.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.testpulse.reliability.PoisonPills.Item;
import io.testpulse.reliability.PoisonPills.Kind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Scenario d, {@code poison-pills}: valid executions interleaved with records the topology cannot
 * or must not count (random bytes, truncated Avro, an unknown schema fingerprint, oversized fields,
 * bad keys, tombstones, broken invariants), produced straight to the executions topic. Passes when
 * every pill is in the dead-letter topic with its source topic, partition and offset (KIP-1034
 * {@code __streams.errors.*} headers) and its bytes unchanged, and every valid execution is counted
 * exactly once by the query API. A record larger than the broker accepts is tried too: the broker
 * refuses it, so it never becomes input (reported, not a pill).
 */
public final class PoisonPillScenario implements Scenario {

  public static final String NAME = "poison-pills";

  private static final String TOPIC_HEADER = "__streams.errors.topic";
  private static final String PARTITION_HEADER = "__streams.errors.partition";
  private static final String OFFSET_HEADER = "__streams.errors.offset";

  private final long seed;

  public PoisonPillScenario() {
    this(20261122L);
  }

  public PoisonPillScenario(long seed) {
    this.seed = seed;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Where a record landed, and what it was. */
  private record Sent(Item item, int partition, long offset, String digest) {
  }

  @Override
  public ScenarioReport run(ChaosContext context) throws Exception {
    int tests = context.quick() ? 20 : 200;
    int validPerTest = context.quick() ? 10 : 50;
    int pillsPerKind = context.quick() ? 3 : 20;
    Duration deadline = context.quick() ? Duration.ofSeconds(90) : Duration.ofMinutes(5);
    String suite = "pills-" + Long.toHexString(new Random(seed ^ System.nanoTime()).nextLong());
    PoisonPills pills = new PoisonPills(seed, context.tenant(), suite, Instant.now());
    List<Item> items = plan(pills, tests, validPerTest, pillsPerKind);

    String input = context.config().topics().executions().name();
    List<String> failures = new ArrayList<>();
    Map<String, Object> figures = new LinkedHashMap<>();
    List<Sent> sent = new ArrayList<>();
    long rejectedByBroker = produce(context, input, items, sent, failures);

    Map<String, Long> expected = new TreeMap<>();
    Map<String, Sent> pillsAt = new HashMap<>();
    Map<Kind, Long> pillsByKind = new TreeMap<>();
    for (Sent s : sent) {
      if (s.item().pill()) {
        pillsAt.put(s.partition() + "@" + s.offset(), s);
        pillsByKind.merge(s.item().kind(), 1L, Long::sum);
      } else {
        expected.merge(s.item().testId(), 1L, Long::sum);
      }
    }

    long waitStart = System.nanoTime();
    Map<Kind, Long> deadLettered = readDeadLetters(context, input, pillsAt, deadline, failures);
    Counts counts = awaitCounts(context, expected, deadline);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart);

    long pillsSent = pillsAt.size();
    long pillsDeadLettered = deadLettered.values().stream().mapToLong(Long::longValue).sum();
    for (Kind kind : pillsByKind.keySet()) {
      long missing = pillsByKind.get(kind) - deadLettered.getOrDefault(kind, 0L);
      if (missing > 0) {
        failures.add(missing + " of " + pillsByKind.get(kind) + " " + kind + " pills not in the dead-letter topic "
            + "with their coordinates");
      }
    }
    long validSent = expected.values().stream().mapToLong(Long::longValue).sum();
    if (counts.lost > 0 || counts.duplicated > 0) {
      failures.add("valid executions: " + counts.lost + " lost, " + counts.duplicated + " counted twice, over "
          + counts.wrongTests + " tests (e.g. " + counts.example + ")");
    }
    for (int i = 0; i < context.instances().size(); i++) {
      if (!context.alive(i)) {
        failures.add("instance " + i + " is not alive after the pills");
      }
    }
    figures.put("pills_sent", pillsSent);
    figures.put("pills_sent_by_kind", pillsByKind);
    figures.put("pills_dead_lettered_with_coordinates", pillsDeadLettered);
    figures.put("pills_dead_lettered_by_kind", deadLettered);
    figures.put("rejected_by_broker", rejectedByBroker);
    figures.put("valid_sent", validSent);
    figures.put("valid_counted", counts.counted);
    figures.put("tests", expected.size());
    figures.put("wait_ms", waitedMs);
    return ScenarioReport.of(NAME, counts.lost, counts.duplicated, counts.wrongTests, figures, failures);
  }

  /** Valid executions in random order with every kind of pill spread among them. */
  private List<Item> plan(PoisonPills pills, int tests, int validPerTest, int pillsPerKind) {
    Random random = new Random(seed);
    List<Item> items = new ArrayList<>();
    for (int t = 0; t < tests; t++) {
      for (int i = 0; i < validPerTest; i++) {
        items.add(pills.valid(t));
      }
    }
    Collections.shuffle(items, random);
    for (Kind kind : PoisonPills.kinds()) {
      for (int i = 0; i < pillsPerKind; i++) {
        // never first or last: valid records go before and after every pill in the stream
        items.add(1 + random.nextInt(items.size() - 1), pills.pill(kind, random.nextInt(tests)));
      }
    }
    return items;
  }

  /** Produces every item (idempotent, acks=all) and records where each landed; returns the broker's refusals. */
  private static long produce(ChaosContext context, String input, List<Item> items, List<Sent> sent,
      List<String> failures) throws InterruptedException {
    Map<String, Object> props = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        // large enough for the "bigger than the broker allows" attempt to reach the broker
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    long rejected = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<Future<RecordMetadata>> futures = new ArrayList<>();
      for (Item item : items) {
        futures.add(producer.send(new ProducerRecord<>(input, item.key(), item.value())));
      }
      for (int i = 0; i < items.size(); i++) {
        try {
          RecordMetadata metadata = futures.get(i).get(60, TimeUnit.SECONDS);
          sent.add(new Sent(items.get(i), metadata.partition(), metadata.offset(), digest(items.get(i).value())));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          failures.add("producing a " + (items.get(i).pill() ? items.get(i).kind() + " pill" : "valid execution")
              + " failed: " + (e.getCause() == null ? e : e.getCause()));
        }
      }
      // a value larger than the broker's message.max.bytes: refused, never input
      byte[] tooLarge = new byte[3 * 1024 * 1024];
      try {
        producer.send(new ProducerRecord<>(input, "too-large".getBytes(StandardCharsets.UTF_8), tooLarge))
            .get(60, TimeUnit.SECONDS);
        failures.add("the broker accepted a 3 MiB record (message.max.bytes raised?): it should have been refused");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RecordTooLargeException) {
          rejected++;
        } else {
          failures.add("the 3 MiB record failed otherwise than too large: " + e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        failures.add("the 3 MiB record was neither written nor refused within 60 s");
      }
    }
    return rejected;
  }

  /** Reads the dead-letter topic (read_committed) until every pill is found or the deadline passes. */
  private static Map<Kind, Long> readDeadLetters(ChaosContext context, String input, Map<String, Sent> pillsAt,
      Duration deadline, List<String> failures) {
    String topic = context.config().topics().deadLetters().name();
    Map<Kind, Long> found = new TreeMap<>();
    Map<String, Sent> remaining = new HashMap<>(pillsAt);
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, context.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    long end = System.nanoTime() + deadline.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!remaining.isEmpty() && System.nanoTime() < end && allAlive(context)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          String source = header(record, TOPIC_HEADER);
          if (!input.equals(source)) {
            continue;
          }
          Sent pill = remaining.remove(header(record, PARTITION_HEADER) + "@" + header(record, OFFSET_HEADER));
          if (pill == null) {
            continue;
          }
          if (!pill.digest().equals(digest(record.value())) || !Arrays.equals(pill.item().key(), record.key())) {
            failures.add(pill.item().kind() + " pill at " + input + "-" + pill.partition() + "@" + pill.offset()
                + " dead-lettered with other bytes than were sent");
            continue;
          }
          found.merge(pill.item().kind(), 1L, Long::sum);
        }
      }
    }
    return found;
  }

  private record Counts(long counted, long lost, long duplicated, long wrongTests, String example) {
  }

  /** Polls every test's count until all match or the deadline passes. */
  private static Counts awaitCounts(ChaosContext context, Map<String, Long> expected, Duration deadline)
      throws Exception {
    ApiClient api = new ApiClient(context.instances().get(0), context.token("read"));
    long end = System.nanoTime() + deadline.toNanos();
    Map<String, Long> counted = new HashMap<>();
    while (true) {
      for (String testId : expected.keySet()) {
        if (!expected.get(testId).equals(counted.get(testId))) {
          JsonNode test = api.test(testId);
          counted.put(testId, test == null ? 0L : test.path("executions").asLong());
        }
      }
      if (counted.equals(expected) || System.nanoTime() > end || !allAlive(context)) {
        break;
      }
      Thread.sleep(250); // polling a live system (main code of the harness, not a test)
    }
    long total = 0;
    long lost = 0;
    long duplicated = 0;
    long wrong = 0;
    String example = "none";
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      long got = counted.getOrDefault(e.getKey(), 0L);
      total += got;
      if (got != e.getValue()) {
        wrong++;
        example = e.getKey() + ": expected " + e.getValue() + ", counted " + got;
      }
      lost += Math.max(0, e.getValue() - got);
      duplicated += Math.max(0, got - e.getValue());
    }
    return new Counts(total, lost, duplicated, wrong, example);
  }

  private static boolean allAlive(ChaosContext context) {
    for (int i = 0; i < context.instances().size(); i++) {
      if (!context.alive(i)) {
        return false;
      }
    }
    return true;
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String digest(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
