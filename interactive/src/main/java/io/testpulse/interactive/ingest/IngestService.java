package io.testpulse.interactive.ingest;

import io.testpulse.avro.TestExecution;
import io.testpulse.ingest.UploadTooSlowException;
import io.testpulse.ingest.Envelope;
import io.testpulse.ingest.MalformedUploadException;
import io.testpulse.ingest.UploadMapping;
import io.testpulse.ingest.UploadSpool;
import io.testpulse.ingest.UploadTooLargeException;
import io.testpulse.interactive.TenantShares;
import io.testpulse.interactive.ingest.UploadReceipt.RecordError;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TopicHandle;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns uploads into {@link TestExecution} records on the input topic, with no HTTP types: reads
 * the spooled payload twice (first the envelope, the count and the syntax, so an upload over the
 * limits or malformed writes nothing; then each result, mapped and sent as it is read), and answers
 * {@code ACCEPTED} only once Kafka acknowledged every record sent (idempotent producer,
 * {@code acks=all}), within {@code testpulse.ingest.ack.timeout.ms}; otherwise {@code UNAVAILABLE}.
 * A record that was sent but not acknowledged in time may still land later: the client's retry is
 * then dropped by the topology's de-duplication, because the retry carries the same execution ids.
 */
public final class IngestService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
  /** What a client should wait before retrying an upload Kafka could not take. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  /**
   * The limits and defaults of ingest, read once from the config.
   *
   * @param maxConcurrentPerTenant one tenant's share of {@code maxConcurrent}
   */
  public record Settings(String defaultSuite, int maxResults, long maxBodyBytes, Duration ackTimeout,
                         int maxReasonBytes, int maxConcurrent, int maxConcurrentPerTenant, long minDataRate,
                         int maxUploadTags, int maxUploadTagBytes) {

    public static Settings from(TestpulseConfig config) {
      int maxConcurrent = config.getInt(TestpulseConfig.INGEST_MAX_CONCURRENT_CONFIG);
      int perTenant = config.getInt(TestpulseConfig.INGEST_MAX_CONCURRENT_PER_TENANT_CONFIG);
      return new Settings(config.getString(TestpulseConfig.INGEST_DEFAULT_SUITE_CONFIG),
          config.getInt(TestpulseConfig.INGEST_MAX_RESULTS_CONFIG),
          config.getLong(TestpulseConfig.INGEST_MAX_BODY_BYTES_CONFIG),
          Duration.ofMillis(config.getLong(TestpulseConfig.INGEST_ACK_TIMEOUT_MS_CONFIG)),
          config.getInt(TestpulseConfig.FAILURE_REASON_MAX_BYTES_CONFIG),
          maxConcurrent,
          perTenant > 0 ? Math.min(perTenant, maxConcurrent) : TenantShares.defaultShare(maxConcurrent, 2),
          config.getLong(TestpulseConfig.INGEST_MIN_DATA_RATE_CONFIG),
          config.getInt(TestpulseConfig.INGEST_MAX_UPLOAD_TAGS_CONFIG),
          config.getInt(TestpulseConfig.INGEST_MAX_UPLOAD_TAG_BYTES_CONFIG));
    }
  }

  /**
   * One upload, as the HTTP layer received it.
   *
   * @param tenant from the credential
   * @param tokenSuite the suite the credential is bound to, or null
   * @param fields format, run_env, tags and suite given outside the payload (multipart fields or
   *     query string); they win over the JSON envelope's
   * @param payload the decoded body (JSON or JUnit XML)
   */
  public record Upload(String tenant, String tokenSuite, Envelope fields, UploadSpool payload, Instant receivedAt) {
  }

  private final Producer<String, TestExecution> producer;
  private final TopicHandle<String, TestExecution> topic;
  private final Settings settings;

  public IngestService(Producer<String, TestExecution> producer, TopicHandle<String, TestExecution> topic,
      Settings settings) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** A service with its own idempotent {@code acks=all} producer built from the config's client settings. */
  public static IngestService create(TestpulseConfig config) {
    KafkaProducer<String, TestExecution> producer = new KafkaProducer<>(producerProperties(config),
        config.topics().executions().keySerde().serializer(), config.topics().executions().valueSerde().serializer());
    return new IngestService(producer, config.topics().executions(), Settings.from(config));
  }

  /**
   * The producer settings: every producer key of the config (bootstrap.servers, security, ...) plus
   * {@code acks=all}, idempotence, and {@code max.block.ms} bounded by the ack timeout so that a
   * missing topic or an unreachable cluster answers 503 instead of hanging.
   */
  public static Map<String, Object> producerProperties(TestpulseConfig config) {
    Map<String, Object> props = new HashMap<>();
    config.originals().forEach((key, value) -> {
      if (ProducerConfig.configNames().contains(key)) {
        props.put(key, value);
      }
    });
    long ackTimeout = config.getLong(TestpulseConfig.INGEST_ACK_TIMEOUT_MS_CONFIG);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ackTimeout);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "testpulse-ingest");
    return props;
  }

  public Settings settings() {
    return settings;
  }

  /** Reads, checks, maps and produces one upload; never throws for anything the client sent. */
  public IngestOutcome ingest(Upload upload) throws IOException {
    UploadMapping.Prepared prepared;
    try {
      prepared = UploadMapping.prepare(upload.tenant(), upload.tokenSuite(), upload.fields(), upload.payload(),
          upload.receivedAt(), new UploadMapping.Limits(settings.defaultSuite(), settings.maxResults(),
              settings.maxReasonBytes(), settings.maxUploadTags(), settings.maxUploadTagBytes()));
    } catch (MalformedUploadException e) {
      return IngestOutcome.badRequest(e.getMessage());
    } catch (UploadTooLargeException e) {
      return IngestOutcome.tooLarge(e.getMessage());
    }
    return produce(prepared);
  }

  private IngestOutcome produce(UploadMapping.Prepared prepared) throws IOException {
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<RecordError> errors = new ArrayList<>();
    try {
      prepared.read(item -> {
        if (!item.ok()) {
          errors.add(new RecordError(item.index(), item.error()));
          return;
        }
        TestExecution e = item.execution();
        Future<RecordMetadata> future = producer.send(new ProducerRecord<>(topic.name(), null,
            e.getEventTime().toEpochMilli(), TestKeys.key(e.getTenant(), e.getTestId()), e));
        sent.add(future);
        failFast(future);
      });
    } catch (KafkaException e) {
      LOG.warn("Upload {}: Kafka refused records ({}); answering 503", prepared.id(), e.toString());
      return IngestOutcome.unavailable("Kafka cannot take records right now", RETRY_AFTER);
    }
    return awaitAcks(prepared.id(), sent, errors);
  }

  /**
   * A send that failed at once (the producer waited {@code max.block.ms} for metadata of a missing
   * topic or an unreachable cluster) stops the upload: the next sends would each wait as long.
   */
  private static void failFast(Future<RecordMetadata> future) {
    if (!future.isDone()) {
      return;
    }
    try {
      future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while sending", e);
    }
  }

  private IngestOutcome awaitAcks(String id, List<Future<RecordMetadata>> sent, List<RecordError> errors) {
    long deadline = System.nanoTime() + settings.ackTimeout().toNanos();
    for (Future<RecordMetadata> future : sent) {
      try {
        future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn("Upload {}: Kafka did not acknowledge {} records within {} ms; answering 503", id, sent.size(),
            settings.ackTimeout().toMillis());
        return IngestOutcome.unavailable("Kafka did not acknowledge the records within "
            + settings.ackTimeout().toMillis() + " ms", RETRY_AFTER);
      } catch (ExecutionException e) {
        LOG.warn("Upload {}: Kafka failed records ({}); answering 503", id, e.getCause().toString());
        return IngestOutcome.unavailable("Kafka could not write the records", RETRY_AFTER);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return IngestOutcome.unavailable("interrupted while waiting for Kafka", RETRY_AFTER);
      }
    }
    errors.sort(java.util.Comparator.comparingInt(RecordError::index));
    return IngestOutcome.accepted(new UploadReceipt(id, sent.size(), errors.size(), errors));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
