package io.testpulse.topology;

import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.TestpulseSerdes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic testpulse reads or writes, named from one prefix. Keys are {@code tenant/test_id}
 * strings so that all executions of one test meet in one partition without a repartition.
 */
public final class Topics {

  /**
   * {@code max.message.bytes} of the dead-letter topic as testpulse creates it, and the Kafka Streams
   * producer's {@code max.request.size} among testpulse's defaults: a dead letter is the bad record
   * plus {@code __streams.errors.*} headers (exception and stack trace), so a bad record as large as
   * the broker's default limit (1 MiB) would otherwise be too large to dead-letter, and that failure
   * stops Kafka Streams. An input topic allowing larger records needs both raised above its limit.
   */
  public static final int DEAD_LETTER_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

  private final String prefix;

  private Topics(String prefix) {
    this.prefix = prefix;
  }

  /**
   * The topics under {@code prefix} (the {@code testpulse.topic.prefix} setting).
   *
   * @throws IllegalArgumentException if the prefix is null or blank
   */
  public static Topics withPrefix(String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException("topic prefix must not be blank");
    }
    return new Topics(prefix);
  }

  /** The prefix every topic name starts with. */
  public String prefix() {
    return prefix;
  }

  /** Input: one Avro {@link TestExecution} per execution, keyed by {@code tenant/test_id}. */
  public TopicHandle<String, TestExecution> executions() {
    return new TopicHandle<>(prefix + ".executions.v1", Serdes.String(), TestpulseSerdes.testExecution(),
        TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /** Output, compacted: the current state of every test as JSON, with a monotonic {@code version}. */
  public TopicHandle<String, TestStats> testStats() {
    return new TopicHandle<>(prefix + ".test-stats.v1", Serdes.String(), TestpulseSerdes.json(TestStats.class),
        TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  /** Output: every state change of a test, as it happens (JSON {@link Transition}). */
  public TopicHandle<String, Transition> transitions() {
    return new TopicHandle<>(prefix + ".test-transitions.v1", Serdes.String(), TestpulseSerdes.json(Transition.class),
        TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /**
   * Output: one flat JSON row per processed execution, tags as a map ({@link EnrichedExecution}),
   * for ClickHouse's raw-executions table.
   */
  public TopicHandle<String, EnrichedExecution> executionsEnriched() {
    return new TopicHandle<>(prefix + ".executions.v1.enriched", Serdes.String(),
        TestpulseSerdes.json(EnrichedExecution.class), TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /** Output: every confirmed (and retracted) same-commit flip, as it happens (JSON {@link Flip}). */
  public TopicHandle<String, Flip> flips() {
    return new TopicHandle<>(prefix + ".test-flips.v1", Serdes.String(), TestpulseSerdes.json(Flip.class),
        TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /**
   * Internal loop of the outage guard: verdicts on flip candidates, from the per-run aggregate back
   * to the tests (JSON {@link FlipVerdict}, keyed {@code tenant/test_id}). Must have as many
   * partitions as {@link #executions()}.
   */
  public TopicHandle<String, FlipVerdict> flipVerdicts() {
    return new TopicHandle<>(prefix + ".flip-verdicts.v1", Serdes.String(), TestpulseSerdes.json(FlipVerdict.class),
        TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /** Input: quarantine and release commands from the HTTP API (JSON {@link QuarantineCommand}). */
  public TopicHandle<String, QuarantineCommand> quarantineCommands() {
    return new TopicHandle<>(prefix + ".quarantine-commands.v1", Serdes.String(),
        TestpulseSerdes.json(QuarantineCommand.class), TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /**
   * Output, compacted: one JSON {@link DurationBucket} per time bucket and scope (test, suite, suite and
   * dimension group), keyed {@code tenant/scope/bucket_start}, with a monotonic {@code version}; no tombstones.
   */
  public TopicHandle<String, DurationBucket> durationBuckets() {
    return new TopicHandle<>(prefix + ".duration-buckets.v1", Serdes.String(), TestpulseSerdes.json(DurationBucket.class),
        TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  /** Records that could not be read or processed, raw, with {@code __streams.errors.*} headers. */
  public TopicHandle<byte[], byte[]> deadLetters() {
    return new TopicHandle<>(prefix + ".dead-letters.v1", Serdes.ByteArray(), Serdes.ByteArray(),
        TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /**
   * The JSON output topics meant for ClickHouse: key fields inside the value, no tombstones. The DDL and
   * sink configuration in {@code examples/clickhouse/} cover each of them (a test checks it).
   */
  public List<TopicHandle<?, ?>> clickHouseOutputs() {
    return List.of(testStats(), transitions(), executionsEnriched(), durationBuckets());
  }

  /**
   * {@code topic} as the app creates it when it is missing: its cleanup policy and, for the
   * dead-letter topic, room for a record of the input's size plus its error headers
   * ({@link #DEAD_LETTER_MAX_MESSAGE_BYTES}).
   */
  public NewTopic newTopic(TopicHandle<?, ?> topic, int partitions, short replicationFactor) {
    return newTopic(topic, partitions, replicationFactor, -1);
  }

  /**
   * As {@link #newTopic(TopicHandle, int, short)}, with {@code min.insync.replicas} set when
   * {@code minInsyncReplicas} is positive (else the broker's default applies).
   */
  public NewTopic newTopic(TopicHandle<?, ?> topic, int partitions, short replicationFactor, int minInsyncReplicas) {
    NewTopic created = topic.newTopic(partitions, replicationFactor);
    Map<String, String> configs = new HashMap<>(created.configs() == null ? Map.of() : created.configs());
    if (topic.name().equals(deadLetters().name())) {
      configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(DEAD_LETTER_MAX_MESSAGE_BYTES));
    }
    if (minInsyncReplicas > 0) {
      configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
    }
    created.configs(configs);
    return created;
  }

  /** Every topic the app creates when it is missing. */
  public List<TopicHandle<?, ?>> all() {
    return List.of(executions(), testStats(), transitions(), executionsEnriched(), quarantineCommands(),
        deadLetters(), durationBuckets(), flips(), flipVerdicts());
  }
}
