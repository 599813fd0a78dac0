package io.testpulse.topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/**
 * The one configuration class of testpulse, in Kafka's {@link ConfigDef} style: every key with
 * its type, default, validator and documentation in one place. Keys are read once, when the
 * topology or the app is built; processors receive plain values.
 *
 * <p>Keys that do not start with {@code testpulse.} are Kafka Streams (and client) settings and
 * pass through unchanged: see {@link #streamsProperties()}.
 */
public final class TestpulseConfig extends AbstractConfig {

  public static final String PREFIX = "testpulse.";

  public static final String TOPIC_PREFIX_CONFIG = "testpulse.topic.prefix";
  private static final String TOPIC_PREFIX_DOC = "Prefix of every topic testpulse reads and writes, "
      + "e.g. <prefix>.executions.v1 (input) and <prefix>.test-stats.v1 (output).";

  public static final String TOPIC_PARTITIONS_CONFIG = "testpulse.topic.partitions";
  private static final String TOPIC_PARTITIONS_DOC = "Partitions of the topics the app creates when they "
      + "are missing. The input topic's partition count bounds the number of parallel tasks.";

  public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "testpulse.topic.replication.factor";
  private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the topics the app "
      + "creates; -1 uses the broker's default.replication.factor.";

  public static final String ROCKSDB_MEMORY_BYTES_CONFIG = "testpulse.rocksdb.memory.bytes";
  private static final String ROCKSDB_MEMORY_BYTES_DOC = "Off-heap memory for all RocksDB stores of the JVM together: "
      + "one block cache of this size, half of it usable by memtables (BoundedRocksDBConfig, set as "
      + "rocksdb.config.setter). The first KafkaStreams of the JVM sets it.";
  public static final long DEFAULT_ROCKSDB_MEMORY_BYTES = 256L * 1024 * 1024;
  public static final String TOPIC_MIN_INSYNC_REPLICAS_CONFIG = "testpulse.topic.min.insync.replicas";
  private static final String TOPIC_MIN_INSYNC_REPLICAS_DOC = "min.insync.replicas of the topics the app creates "
      + "(and of Kafka Streams' internal topics, unless topic.min.insync.replicas is set): how many replicas must "
      + "have a record before an acks=all write, and so a 202, succeeds. -1: 2 when the replication factor "
      + "(testpulse.topic.replication.factor, or the broker's default.replication.factor) is at least 3, else the "
      + "broker's default. The app warns at start about existing topics with a smaller replication factor or "
      + "min.insync.replicas.";

  public static final String FAILURE_REASON_MAX_BYTES_CONFIG = "testpulse.failure.reason.max.bytes";
  private static final String FAILURE_REASON_MAX_BYTES_DOC = "Failure reasons are truncated to this many "
      + "UTF-8 bytes at ingest (at most 64 KiB: an execution's size is bounded so its outputs fit in Kafka).";

  public static final String HTTP_HOST_CONFIG = "testpulse.http.host";
  private static final String HTTP_HOST_DOC = "Interface the HTTP server binds to.";

  public static final String HTTP_PORT_CONFIG = "testpulse.http.port";
  private static final String HTTP_PORT_DOC = "Port of the HTTP server (query API, health, ingest); 0 picks a free port.";

  public static final String AUTH_TOKENS_CONFIG = "testpulse.auth.tokens";
  private static final String AUTH_TOKENS_DOC = "API tokens, stored hashed: a list of entries "
      + "'<tenant>:<role>:<sha256-hex-of-token>', role one of read, ingest, admin. The token itself is "
      + "never configured; 'bin/testpulse demo' generates tokens and prints them once.";

  public static final String DURATIONS_BUCKET_MS_CONFIG = "testpulse.durations.bucket.ms";
  private static final String DURATIONS_BUCKET_MS_DOC = "Size of a duration bucket in milliseconds (default one "
      + "day, UTC). Any [from, to) query is answered by merging whole buckets, so this is the time resolution of "
      + "duration queries. Changing it on existing state starts new buckets; old ones keep their size until they expire.";

  public static final String DURATIONS_RETENTION_MS_CONFIG = "testpulse.durations.retention.ms";
  private static final String DURATIONS_RETENTION_MS_DOC = "How long a duration bucket is kept after its end "
      + "(default 35 days); queries reach back this far.";

  public static final String DURATIONS_GRACE_MS_CONFIG = "testpulse.durations.grace.ms";
  private static final String DURATIONS_GRACE_MS_DOC = "How long after its end (in stream time) a duration bucket "
      + "still accepts late executions (default 7 days); later ones are dropped. Stream time is per partition: "
      + "a backfill of older history needs a grace that covers it.";

  public static final String DURATIONS_DIMENSIONS_CONFIG = "testpulse.durations.dimensions";
  private static final String DURATIONS_DIMENSIONS_DOC = "Tag dimension sets to roll suite durations up by: sets "
      + "separated by ';', tag names within a set by ',', e.g. 'instance_type,arch;host.arch'. Each set is "
      + "repartitioned by (tenant, suite, set) through the duration-rollup-partials repartition topic (one partial sketch per task, rollup and "
      + "bucket per commit), so that one "
      + "instance holds (and answers ?groupBy= for) all of a suite's groups.";

  public static final String DURATIONS_EMIT_INTERVAL_MS_CONFIG = "testpulse.durations.emit.interval.ms";
  private static final String DURATIONS_EMIT_INTERVAL_MS_DOC = "How often (wall clock) updated buckets are "
      + "written to <prefix>.duration-buckets.v1 (once per interval per changed bucket, at the first commit after "
      + "the interval; 0: at every commit) and tests are checked for duration regressions.";

  public static final String STATS_EMIT_INTERVAL_MS_CONFIG = "testpulse.stats.emit.interval.ms";
  private static final String STATS_EMIT_INTERVAL_MS_DOC = "How often (wall clock) each changed test's stats are "
      + "written to <prefix>.test-stats.v1: once per interval per changed test, at the first commit after the "
      + "interval, instead of once per execution (0: at every commit). Transitions and flips are written the "
      + "moment they happen, whatever this is.";

  public static final String DURATIONS_SLOW_FACTOR_CONFIG = "testpulse.durations.slow.factor";
  private static final String DURATIONS_SLOW_FACTOR_DOC = "A test becomes SLOW when its recent median duration "
      + "exceeds its baseline median by more than this factor, and recovers when it no longer does.";

  public static final String DURATIONS_SLOW_RECENT_BUCKETS_CONFIG = "testpulse.durations.slow.recent.buckets";
  private static final String DURATIONS_SLOW_RECENT_BUCKETS_DOC = "Buckets, ending with the newest bucket of "
      + "the test, whose merged median is the recent median.";

  public static final String DURATIONS_SLOW_BASELINE_BUCKETS_CONFIG = "testpulse.durations.slow.baseline.buckets";
  private static final String DURATIONS_SLOW_BASELINE_BUCKETS_DOC = "Buckets just before the recent ones whose "
      + "merged median is the baseline.";

  public static final String DURATIONS_SLOW_MIN_SAMPLES_CONFIG = "testpulse.durations.slow.min.samples";
  private static final String DURATIONS_SLOW_MIN_SAMPLES_DOC = "Executions both the recent and the baseline "
      + "buckets need before a test is judged SLOW or recovered.";

  public static final String DURATIONS_SKETCH_CACHE_CONFIG = "testpulse.durations.sketch.cache.enabled";
  private static final String DURATIONS_SKETCH_CACHE_DOC = "Keep hot duration sketches as objects per task "
      + "and write them to the store when Kafka Streams commits (true), or decode and re-encode the sketch on "
      + "every execution (false: about 3x slower; for comparison only).";
  public static final String INTERNAL_SECRET_CONFIG = "testpulse.internal.secret";
  private static final String INTERNAL_SECRET_DOC = "Shared secret of the instances of one application: an "
      + "instance forwards a query for a key it does not own (and each part of a list query) to the owning "
      + "instance named by Kafka Streams metadata, with this secret in the X-Testpulse-Internal header; the "
      + "receiver compares it in constant time. Unset: no forwarding, and a query for another instance's key "
      + "answers 503.";

  public static final String QUERY_PEER_TIMEOUT_MS_CONFIG = "testpulse.query.peer.timeout.ms";
  private static final String QUERY_PEER_TIMEOUT_MS_DOC = "How long an instance waits for another instance's "
      + "answer to a forwarded query. A list whose part did not arrive in time answers \"partial\": true.";

  public static final String QUERY_MAX_PAGE_SIZE_CONFIG = "testpulse.query.max.page.size";
  private static final String QUERY_MAX_PAGE_SIZE_DOC = "Largest 'limit' a list query accepts (larger is a 400).";

  public static final String HTTP_CORS_ORIGINS_CONFIG = "testpulse.http.cors.origins";
  private static final String HTTP_CORS_ORIGINS_DOC = "Origins allowed to call the API from a browser (CORS), "
      + "e.g. https://ci.example.com; '*' allows any. Empty (the default): no CORS headers are sent.";

  public static final String SSE_MAX_CONNECTIONS_CONFIG = "testpulse.sse.max.connections";
  private static final String SSE_MAX_CONNECTIONS_DOC = "Most concurrent /api/v1/transitions/stream connections "
      + "per instance; more answer 503.";

  public static final String SSE_MAX_CONNECTIONS_PER_TENANT_CONFIG = "testpulse.sse.max.connections.per.tenant";
  private static final String SSE_MAX_CONNECTIONS_PER_TENANT_DOC = "Most concurrent live streams of one tenant on "
      + "one instance (its share of testpulse.sse.max.connections); more answer 429 with Retry-After, so one "
      + "tenant or one token cannot take every stream. 0: a quarter of testpulse.sse.max.connections (at least 1).";

  public static final String DEDUP_HORIZON_MS_CONFIG = "testpulse.dedup.horizon.ms";
  public static final Duration DEFAULT_DEDUP_HORIZON = Duration.ofDays(7);
  private static final String DEDUP_HORIZON_MS_DOC = "De-duplication horizon: an execution_id seen again within "
      + "this much event time is dropped (and counted); the same horizon bounds the per-test, per-run-key "
      + "attempt counters. Both are window stores with this retention, so state stays bounded.";

  public static final String INGEST_MAX_BODY_BYTES_CONFIG = "testpulse.ingest.max.body.bytes";
  private static final String INGEST_MAX_BODY_BYTES_DOC = "Largest upload body accepted, in bytes, checked both "
      + "on the wire and after gzip decoding; larger uploads are answered 413.";

  public static final String INGEST_MAX_RESULTS_CONFIG = "testpulse.ingest.max.results";
  private static final String INGEST_MAX_RESULTS_DOC = "Most results (test executions) accepted in one upload; "
      + "more are answered 413 before anything is written.";

  public static final String INGEST_ACK_TIMEOUT_MS_CONFIG = "testpulse.ingest.ack.timeout.ms";
  private static final String INGEST_ACK_TIMEOUT_MS_DOC = "How long an upload waits for Kafka to acknowledge "
      + "every record before answering 503 with Retry-After (never 202 for records not acknowledged).";

  public static final String INGEST_MAX_CONCURRENT_CONFIG = "testpulse.ingest.max.concurrent";
  private static final String INGEST_MAX_CONCURRENT_DOC = "Most uploads one instance receives at once; more are "
      + "answered 429 with Retry-After. An upload holds a request thread while its body arrives, so this keeps "
      + "threads for queries however many slow uploads arrive (keep it well under the HTTP server's threads, 250).";

  public static final String STREAMS_THREAD_FAILURES_MAX_CONFIG = "testpulse.streams.thread.failures.max";
  private static final String STREAMS_THREAD_FAILURES_MAX_DOC = "Stream threads that may die within "
      + "testpulse.streams.thread.failures.window.ms before the app reports itself not live (/health/live answers "
      + "503 with the cause, metric testpulse.live is 0) so that an orchestrator restarts it. Each dead thread is "
      + "replaced after a back-off of 1 s, doubling with each death within the window.";

  public static final String STREAMS_THREAD_FAILURES_WINDOW_MS_CONFIG = "testpulse.streams.thread.failures.window.ms";
  private static final String STREAMS_THREAD_FAILURES_WINDOW_MS_DOC = "How far back stream-thread deaths count "
      + "for testpulse.streams.thread.failures.max and the replacement back-off.";

  public static final String STREAMS_THREAD_BACKOFF_MAX_MS_CONFIG = "testpulse.streams.thread.backoff.max.ms";
  private static final String STREAMS_THREAD_BACKOFF_MAX_MS_DOC = "Longest wait before a dead stream thread is "
      + "replaced.";

  public static final String INGEST_MAX_CONCURRENT_PER_TENANT_CONFIG = "testpulse.ingest.max.concurrent.per.tenant";
  private static final String INGEST_MAX_CONCURRENT_PER_TENANT_DOC = "Most uploads of one tenant one instance "
      + "receives at once (its share of testpulse.ingest.max.concurrent); more are answered 429 with Retry-After, "
      + "so one tenant's slow or many uploads cannot take every slot. 0: half of testpulse.ingest.max.concurrent "
      + "(at least 1).";

  public static final String INGEST_MAX_UPLOAD_TAGS_CONFIG = "testpulse.ingest.max.upload.tags";
  private static final String INGEST_MAX_UPLOAD_TAGS_DOC = "Most upload-level tags (the envelope's 'tags', merged "
      + "with multipart 'tags[...]' fields) in one upload; more are answered 400 before any result is read. Upload "
      + "tags are copied into every result, so this bounds the cost of an upload.";

  public static final String INGEST_MAX_UPLOAD_TAG_BYTES_CONFIG = "testpulse.ingest.max.upload.tag.bytes";
  private static final String INGEST_MAX_UPLOAD_TAG_BYTES_DOC = "Most UTF-8 bytes of all upload-level tags "
      + "together (keys and values, plus 8 per tag); more are answered 400 before any result is read.";

  public static final String INGEST_MIN_DATA_RATE_CONFIG = "testpulse.ingest.min.data.rate";
  private static final String INGEST_MIN_DATA_RATE_DOC = "Bytes per second an upload's body must average once it "
      + "has taken 10 seconds; a slower upload is answered 408 and its thread freed (a client trickling its body "
      + "byte by byte cannot hold it). Every body is checked: JSON and XML (gzip or not), multipart (spooled "
      + "before it is parsed) and the body drained before a 413. 0 disables the check.";

  public static final String INGEST_DEFAULT_SUITE_CONFIG = "testpulse.ingest.default.suite";
  private static final String INGEST_DEFAULT_SUITE_DOC = "Suite of uploads whose token names no suite and whose "
      + "upload carries no 'suite' field.";

  public static final String FLAKINESS_WINDOW_CONFIG = "testpulse.flakiness.window";
  private static final String FLAKINESS_WINDOW_DOC = "W: the transition score and the failure rate look at a test's "
      + "last W passed or failed results in the branch scope; transition score = flips between them / W.";

  public static final String FLAKINESS_MIN_SAMPLES_CONFIG = "testpulse.flakiness.min.samples";
  private static final String FLAKINESS_MIN_SAMPLES_DOC = "The failure rate (and so BROKEN) is defined only once the "
      + "window holds at least this many results.";

  public static final String FLAKINESS_BROKEN_ENTER_RATE_CONFIG = "testpulse.flakiness.broken.enter.rate";
  private static final String FLAKINESS_BROKEN_ENTER_RATE_DOC = "A test becomes BROKEN when its windowed failure rate "
      + "reaches this.";

  public static final String FLAKINESS_BROKEN_EXIT_RATE_CONFIG = "testpulse.flakiness.broken.exit.rate";
  private static final String FLAKINESS_BROKEN_EXIT_RATE_DOC = "A BROKEN test stops being broken when its windowed "
      + "failure rate falls below this (hysteresis; at most the enter rate).";

  public static final String FLAKINESS_RECOVER_AFTER_MS_CONFIG = "testpulse.flakiness.recover.after.ms";
  private static final String FLAKINESS_RECOVER_AFTER_MS_DOC = "A FLAKY test recovers when its newest same-commit flip "
      + "is this old in event time (or after testpulse.flakiness.recover.executions executions).";

  public static final String FLAKINESS_RECOVER_EXECUTIONS_CONFIG = "testpulse.flakiness.recover.executions";
  private static final String FLAKINESS_RECOVER_EXECUTIONS_DOC = "A FLAKY test recovers after this many executions "
      + "without a new flip (or after testpulse.flakiness.recover.after.ms).";

  public static final String FLAKINESS_SCORE_HALF_LIFE_MS_CONFIG = "testpulse.flakiness.score.half.life.ms";
  private static final String FLAKINESS_SCORE_HALF_LIFE_MS_DOC = "Half-life of a commit's weight in the flakiness score "
      + "(time-decayed share of commits on which the test flipped).";

  public static final String FLAKINESS_COMMIT_EXPIRY_MS_CONFIG = "testpulse.flakiness.commit.expiry.ms";
  private static final String FLAKINESS_COMMIT_EXPIRY_MS_DOC = "Per-test, per-commit outcomes are forgotten this long "
      + "(event time) after the commit was last seen, so state stays bounded.";

  public static final String FLAKINESS_GRACE_MS_CONFIG = "testpulse.flakiness.grace.ms";
  private static final String FLAKINESS_GRACE_MS_DOC = "Late arrivals: an execution older than the newest execution "
      + "of its partition by more than this is counted (dropped_late) and ignored by the flakiness engine.";

  public static final String FLAKINESS_BRANCH_SCOPE_CONFIG = "testpulse.flakiness.branch.scope";
  private static final String FLAKINESS_BRANCH_SCOPE_DOC = "Which branches the window (transition score, failure "
      + "rate) counts: ALL, or DEFAULT_BRANCH (only testpulse.flakiness.default.branch).";

  public static final String FLAKINESS_DEFAULT_BRANCH_CONFIG = "testpulse.flakiness.default.branch";
  private static final String FLAKINESS_DEFAULT_BRANCH_DOC = "The default branch, for branch scope DEFAULT_BRANCH.";

  public static final String FLAKINESS_OUTAGE_FAILED_SHARE_CONFIG = "testpulse.flakiness.outage.failed.share";
  private static final String FLAKINESS_OUTAGE_FAILED_SHARE_DOC = "Outage guard: a run whose first attempts failed in "
      + "more than this share is an outage, and its failures create no same-commit flips.";

  public static final String FLAKINESS_OUTAGE_MIN_TESTS_CONFIG = "testpulse.flakiness.outage.min.tests";
  private static final String FLAKINESS_OUTAGE_MIN_TESTS_DOC = "Outage guard: a run is judged only once it has at least "
      + "this many passed or failed first attempts.";

  private static final ConfigDef CONFIG = new ConfigDef()
      .define(TOPIC_PREFIX_CONFIG, Type.STRING, "testpulse", new ConfigDef.NonEmptyStringWithoutControlChars(),
          Importance.HIGH, TOPIC_PREFIX_DOC)
      .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM, TOPIC_PARTITIONS_DOC)
      .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) -1, Importance.MEDIUM,
          TOPIC_REPLICATION_FACTOR_DOC)
      .define(ROCKSDB_MEMORY_BYTES_CONFIG, Type.LONG, DEFAULT_ROCKSDB_MEMORY_BYTES, Range.atLeast(16L * 1024 * 1024),
          Importance.MEDIUM, ROCKSDB_MEMORY_BYTES_DOC)
      .define(TOPIC_MIN_INSYNC_REPLICAS_CONFIG, Type.INT, -1, Range.atLeast(-1), Importance.MEDIUM,
          TOPIC_MIN_INSYNC_REPLICAS_DOC)
      .define(FAILURE_REASON_MAX_BYTES_CONFIG, Type.INT, 1024, Range.between(0, ExecutionLimits.MAX_FAILURE_REASON_BYTES),
          Importance.LOW,
          FAILURE_REASON_MAX_BYTES_DOC)
      .define(HTTP_HOST_CONFIG, Type.STRING, "0.0.0.0", Importance.MEDIUM, HTTP_HOST_DOC)
      .define(HTTP_PORT_CONFIG, Type.INT, 7070, Range.between(0, 65535), Importance.HIGH, HTTP_PORT_DOC)
      .define(AUTH_TOKENS_CONFIG, Type.LIST, List.of(), Importance.HIGH, AUTH_TOKENS_DOC)
      .define(DURATIONS_BUCKET_MS_CONFIG, Type.LONG, Duration.ofDays(1).toMillis(), Range.atLeast(60_000),
          Importance.MEDIUM, DURATIONS_BUCKET_MS_DOC)
      .define(DURATIONS_RETENTION_MS_CONFIG, Type.LONG, Duration.ofDays(35).toMillis(), Range.atLeast(60_000),
          Importance.MEDIUM, DURATIONS_RETENTION_MS_DOC)
      .define(DURATIONS_GRACE_MS_CONFIG, Type.LONG, Duration.ofDays(7).toMillis(), Range.atLeast(0),
          Importance.LOW, DURATIONS_GRACE_MS_DOC)
      .define(DURATIONS_DIMENSIONS_CONFIG, Type.STRING, "", dimensionSetsValidator(), Importance.MEDIUM,
          DURATIONS_DIMENSIONS_DOC)
      .define(DURATIONS_EMIT_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
          DURATIONS_EMIT_INTERVAL_MS_DOC)
      .define(STATS_EMIT_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, Range.atLeast(0), Importance.LOW,
          STATS_EMIT_INTERVAL_MS_DOC)
      .define(DURATIONS_SLOW_FACTOR_CONFIG, Type.DOUBLE, 1.5, Range.atLeast(1.0), Importance.MEDIUM,
          DURATIONS_SLOW_FACTOR_DOC)
      .define(DURATIONS_SLOW_RECENT_BUCKETS_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.LOW,
          DURATIONS_SLOW_RECENT_BUCKETS_DOC)
      .define(DURATIONS_SLOW_BASELINE_BUCKETS_CONFIG, Type.INT, 7, Range.atLeast(1), Importance.LOW,
          DURATIONS_SLOW_BASELINE_BUCKETS_DOC)
      .define(DURATIONS_SLOW_MIN_SAMPLES_CONFIG, Type.INT, 10, Range.atLeast(1), Importance.LOW,
          DURATIONS_SLOW_MIN_SAMPLES_DOC)
      .define(DURATIONS_SKETCH_CACHE_CONFIG, Type.BOOLEAN, true, Importance.LOW, DURATIONS_SKETCH_CACHE_DOC)
      .define(DEDUP_HORIZON_MS_CONFIG, Type.LONG, DEFAULT_DEDUP_HORIZON.toMillis(), Range.atLeast(60_000L),
          Importance.MEDIUM, DEDUP_HORIZON_MS_DOC)
      .define(INGEST_MAX_BODY_BYTES_CONFIG, Type.LONG, 32L * 1024 * 1024, Range.atLeast(1024L), Importance.MEDIUM,
          INGEST_MAX_BODY_BYTES_DOC)
      .define(INGEST_MAX_RESULTS_CONFIG, Type.INT, 5000, Range.atLeast(1), Importance.MEDIUM, INGEST_MAX_RESULTS_DOC)
      .define(INGEST_ACK_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(100L), Importance.LOW,
          INGEST_ACK_TIMEOUT_MS_DOC)
      .define(INGEST_MAX_CONCURRENT_CONFIG, Type.INT, 32, Range.between(1, 10_000), Importance.LOW,
          INGEST_MAX_CONCURRENT_DOC)
      .define(STREAMS_THREAD_FAILURES_MAX_CONFIG, Type.INT, 5, Range.atLeast(1), Importance.LOW,
          STREAMS_THREAD_FAILURES_MAX_DOC)
      .define(STREAMS_THREAD_FAILURES_WINDOW_MS_CONFIG, Type.LONG, 600_000L, Range.atLeast(1_000L), Importance.LOW,
          STREAMS_THREAD_FAILURES_WINDOW_MS_DOC)
      .define(STREAMS_THREAD_BACKOFF_MAX_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(0L), Importance.LOW,
          STREAMS_THREAD_BACKOFF_MAX_MS_DOC)
      .define(INGEST_MAX_CONCURRENT_PER_TENANT_CONFIG, Type.INT, 0, Range.between(0, 10_000), Importance.LOW,
          INGEST_MAX_CONCURRENT_PER_TENANT_DOC)
      .define(INGEST_MAX_UPLOAD_TAGS_CONFIG, Type.INT, 100, Range.between(0, 10_000), Importance.LOW,
          INGEST_MAX_UPLOAD_TAGS_DOC)
      .define(INGEST_MAX_UPLOAD_TAG_BYTES_CONFIG, Type.INT, 16 * 1024, Range.between(0, 32 * 1024), Importance.LOW,
          INGEST_MAX_UPLOAD_TAG_BYTES_DOC)
      .define(INGEST_MIN_DATA_RATE_CONFIG, Type.LONG, 1024L, Range.atLeast(0L), Importance.LOW, INGEST_MIN_DATA_RATE_DOC)
      .define(INGEST_DEFAULT_SUITE_CONFIG, Type.STRING, "default", new ConfigDef.NonEmptyStringWithoutControlChars(),
          Importance.LOW, INGEST_DEFAULT_SUITE_DOC)
      .define(FLAKINESS_WINDOW_CONFIG, Type.INT, FlakinessPolicy.defaults().window(), Range.atLeast(2),
          Importance.MEDIUM, FLAKINESS_WINDOW_DOC)
      .define(FLAKINESS_MIN_SAMPLES_CONFIG, Type.INT, FlakinessPolicy.defaults().minSamples(), Range.atLeast(1),
          Importance.MEDIUM, FLAKINESS_MIN_SAMPLES_DOC)
      .define(FLAKINESS_BROKEN_ENTER_RATE_CONFIG, Type.DOUBLE, FlakinessPolicy.defaults().brokenEnterRate(),
          Range.between(0.0, 1.0), Importance.MEDIUM, FLAKINESS_BROKEN_ENTER_RATE_DOC)
      .define(FLAKINESS_BROKEN_EXIT_RATE_CONFIG, Type.DOUBLE, FlakinessPolicy.defaults().brokenExitRate(),
          Range.between(0.0, 1.0), Importance.LOW, FLAKINESS_BROKEN_EXIT_RATE_DOC)
      .define(FLAKINESS_RECOVER_AFTER_MS_CONFIG, Type.LONG, FlakinessPolicy.defaults().recoverAfter().toMillis(),
          Range.atLeast(1), Importance.MEDIUM, FLAKINESS_RECOVER_AFTER_MS_DOC)
      .define(FLAKINESS_RECOVER_EXECUTIONS_CONFIG, Type.INT, FlakinessPolicy.defaults().recoverExecutions(),
          Range.atLeast(1), Importance.MEDIUM, FLAKINESS_RECOVER_EXECUTIONS_DOC)
      .define(FLAKINESS_SCORE_HALF_LIFE_MS_CONFIG, Type.LONG, FlakinessPolicy.defaults().scoreHalfLife().toMillis(),
          Range.atLeast(1), Importance.MEDIUM, FLAKINESS_SCORE_HALF_LIFE_MS_DOC)
      .define(FLAKINESS_COMMIT_EXPIRY_MS_CONFIG, Type.LONG, FlakinessPolicy.defaults().commitExpiry().toMillis(),
          Range.atLeast(1), Importance.LOW, FLAKINESS_COMMIT_EXPIRY_MS_DOC)
      .define(FLAKINESS_GRACE_MS_CONFIG, Type.LONG, FlakinessPolicy.defaults().grace().toMillis(),
          Range.atLeast(0), Importance.MEDIUM, FLAKINESS_GRACE_MS_DOC)
      .define(FLAKINESS_BRANCH_SCOPE_CONFIG, Type.STRING, FlakinessPolicy.defaults().branchScope().name(),
          ConfigDef.ValidString.in(BranchScope.ALL.name(), BranchScope.DEFAULT_BRANCH.name()), Importance.MEDIUM,
          FLAKINESS_BRANCH_SCOPE_DOC)
      .define(FLAKINESS_DEFAULT_BRANCH_CONFIG, Type.STRING, FlakinessPolicy.defaults().defaultBranch(),
          new ConfigDef.NonEmptyStringWithoutControlChars(), Importance.MEDIUM, FLAKINESS_DEFAULT_BRANCH_DOC)
      .define(FLAKINESS_OUTAGE_FAILED_SHARE_CONFIG, Type.DOUBLE, FlakinessPolicy.defaults().outageFailedShare(),
          Range.between(0.0, 1.0), Importance.MEDIUM, FLAKINESS_OUTAGE_FAILED_SHARE_DOC)
      .define(FLAKINESS_OUTAGE_MIN_TESTS_CONFIG, Type.INT, FlakinessPolicy.defaults().outageMinTests(),
          Range.atLeast(1), Importance.LOW, FLAKINESS_OUTAGE_MIN_TESTS_DOC)
      .define(INTERNAL_SECRET_CONFIG, Type.PASSWORD, null, Importance.HIGH, INTERNAL_SECRET_DOC)
      .define(QUERY_PEER_TIMEOUT_MS_CONFIG, Type.INT, 2000, Range.between(10, 60_000), Importance.MEDIUM,
          QUERY_PEER_TIMEOUT_MS_DOC)
      .define(QUERY_MAX_PAGE_SIZE_CONFIG, Type.INT, 500, Range.between(1, 10_000), Importance.LOW,
          QUERY_MAX_PAGE_SIZE_DOC)
      .define(HTTP_CORS_ORIGINS_CONFIG, Type.LIST, List.of(), Importance.LOW, HTTP_CORS_ORIGINS_DOC)
      .define(SSE_MAX_CONNECTIONS_CONFIG, Type.INT, 32, Range.between(0, 10_000), Importance.LOW,
          SSE_MAX_CONNECTIONS_DOC)
      .define(SSE_MAX_CONNECTIONS_PER_TENANT_CONFIG, Type.INT, 0, Range.between(0, 10_000), Importance.LOW,
          SSE_MAX_CONNECTIONS_PER_TENANT_DOC);

  private static ConfigDef.Validator dimensionSetsValidator() {
    return (name, value) -> {
      try {
        new DurationOptions(Duration.ofDays(1), Duration.ofDays(1), Duration.ZERO,
            DurationOptions.parseDimensionSets((String) value), Duration.ofSeconds(1), 1, 1, 1, 1, true);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage() + "; expected e.g. 'instance_type,arch;host.arch'");
      }
    };
  }

  /**
   * Parses and validates {@code props}: {@code testpulse.*} keys against their definitions, every
   * other key kept for {@link #streamsProperties()}.
   *
   * @throws org.apache.kafka.common.config.ConfigException naming the key whose value is invalid
   */
  public TestpulseConfig(Map<?, ?> props) {
    super(CONFIG, props, false);
  }

  /** The definition of every key: for generated documentation. */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG);
  }

  /** The de-duplication horizon ({@value #DEDUP_HORIZON_MS_CONFIG}). */
  public Duration dedupHorizon() {
    return Duration.ofMillis(getLong(DEDUP_HORIZON_MS_CONFIG));
  }

  /** How often changed tests' stats are written ({@value #STATS_EMIT_INTERVAL_MS_CONFIG}). */
  public Duration statsEmitInterval() {
    return Duration.ofMillis(getLong(STATS_EMIT_INTERVAL_MS_CONFIG));
  }

  /** The topics under this config's {@code testpulse.topic.prefix}. */
  public Topics topics() {
    return Topics.withPrefix(getString(TOPIC_PREFIX_CONFIG));
  }

  /** The durations settings ({@code testpulse.durations.*}). */
  public DurationOptions durationOptions() {
    return new DurationOptions(Duration.ofMillis(getLong(DURATIONS_BUCKET_MS_CONFIG)),
        Duration.ofMillis(getLong(DURATIONS_RETENTION_MS_CONFIG)), Duration.ofMillis(getLong(DURATIONS_GRACE_MS_CONFIG)),
        DurationOptions.parseDimensionSets(getString(DURATIONS_DIMENSIONS_CONFIG)),
        Duration.ofMillis(getLong(DURATIONS_EMIT_INTERVAL_MS_CONFIG)), getDouble(DURATIONS_SLOW_FACTOR_CONFIG),
        getInt(DURATIONS_SLOW_RECENT_BUCKETS_CONFIG), getInt(DURATIONS_SLOW_BASELINE_BUCKETS_CONFIG),
        getInt(DURATIONS_SLOW_MIN_SAMPLES_CONFIG), getBoolean(DURATIONS_SKETCH_CACHE_CONFIG));
  }

  /** The flakiness policy of the {@code testpulse.flakiness.*} keys (validated when the topology is built). */
  public FlakinessPolicy flakinessPolicy() {
    return new FlakinessPolicy(
        getInt(FLAKINESS_WINDOW_CONFIG), getInt(FLAKINESS_MIN_SAMPLES_CONFIG),
        getDouble(FLAKINESS_BROKEN_ENTER_RATE_CONFIG), getDouble(FLAKINESS_BROKEN_EXIT_RATE_CONFIG),
        Duration.ofMillis(getLong(FLAKINESS_RECOVER_AFTER_MS_CONFIG)), getInt(FLAKINESS_RECOVER_EXECUTIONS_CONFIG),
        Duration.ofMillis(getLong(FLAKINESS_SCORE_HALF_LIFE_MS_CONFIG)),
        Duration.ofMillis(getLong(FLAKINESS_COMMIT_EXPIRY_MS_CONFIG)), Duration.ofMillis(getLong(FLAKINESS_GRACE_MS_CONFIG)),
        BranchScope.valueOf(getString(FLAKINESS_BRANCH_SCOPE_CONFIG)), getString(FLAKINESS_DEFAULT_BRANCH_CONFIG),
        getDouble(FLAKINESS_OUTAGE_FAILED_SHARE_CONFIG), getInt(FLAKINESS_OUTAGE_MIN_TESTS_CONFIG));
  }

  /**
   * The Kafka Streams properties for running testpulse: testpulse's recommended defaults
   * (exactly-once v2, explicit internal names, bad records to the dead-letter topic with their
   * coordinates) overlaid with every non-{@code testpulse.} key given to this config.
   */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.putAll(recommendedStreamsDefaults(topics()));
    // read by BoundedRocksDBConfig through the configs Kafka Streams hands to the setter
    props.put(ROCKSDB_MEMORY_BYTES_CONFIG, getLong(ROCKSDB_MEMORY_BYTES_CONFIG));
    originals().forEach((key, value) -> {
      if (!key.startsWith(PREFIX)) {
        props.put(key, value);
      }
    });
    return props;
  }

  /** testpulse's defaults for Kafka Streams; every one can be overridden. */
  public static Map<String, Object> recommendedStreamsDefaults(Topics topics) {
    return Map.ofEntries(
        Map.entry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2),
        Map.entry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true),
        // Kafka's own dead-letter support (KIP-1034): the handlers log coordinates, never payloads,
        // and write the raw record with __streams.errors.* headers (topic, partition, offset, exception).
        Map.entry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters().name()),
        Map.entry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class),
        Map.entry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
            LogAndContinueProcessingExceptionHandler.class),
        Map.entry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true),
        // a dead letter is the bad record plus its error headers: room for a 1 MiB record (Topics)
        Map.entry(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
            Topics.DEAD_LETTER_MAX_MESSAGE_BYTES),
        // one bounded RocksDB budget for every store (testpulse.rocksdb.memory.bytes)
        Map.entry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDBConfig.class),
        // a transaction per second instead of Kafka Streams' 100 ms under exactly-once: fewer commit markers
        // and offset commits per event; outputs still reach read_committed readers within about a second
        // (benchmarks/RESULTS.md, run 9)
        Map.entry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1_000),
        // larger batches for the changelog and output writes (16 KiB by default); costs no CPU
        Map.entry(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024));
  }


  /** Renders every key as an HTML table, like Kafka's own config docs. */
  public static String toHtmlTable() {
    return CONFIG.toHtmlTable();
  }
}
