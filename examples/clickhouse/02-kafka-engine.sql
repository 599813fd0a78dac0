-- testpulse -> ClickHouse through the Kafka table engine: one Kafka-engine table per output topic (it reads
-- the JSON values, JSONEachRow) and one materialized view that moves every consumed batch into the target
-- table of 01-tables.sql. Run 01-tables.sql first. Substitute the two placeholders, for example:
--   KAFKA_BROKERS=kafka-1:9092,kafka-2:9092 TOPIC_PREFIX=testpulse \
--     envsubst '${KAFKA_BROKERS} ${TOPIC_PREFIX}' < 02-kafka-engine.sql | clickhouse-client --multiquery
--
-- Settings: kafka_flush_interval_ms = 200 makes rows visible within about a second (the default waits
-- 7.5 s per batch); raise it if many small parts become a problem on a busy cluster.
-- kafka_handle_error_mode = 'stream' keeps consuming past a record that is not valid JSON: the views
-- below skip it (_error is not empty); SELECT _raw_message, _error FROM the Kafka table in a view of your
-- own to keep it. Consumption is at least once: after a ClickHouse crash a batch may be inserted twice; the
-- target tables absorb it (ReplacingMergeTree, read with FINAL), except test_transitions, which may show a copy.

CREATE TABLE IF NOT EXISTS testpulse.test_stats_queue
(
    key String, tenant String, suite String, test_id String, scope String, name String, file_name String,
    passed UInt64, failed UInt64, skipped UInt64, other UInt64, executions UInt64,
    reliability Nullable(Float64), first_seen DateTime64(3, 'UTC'), last_seen DateTime64(3, 'UTC'),
    last_result String, version UInt64, deleted UInt8,
    state Nullable(String), state_since Nullable(DateTime64(3, 'UTC')), state_reason Nullable(String),
    flakiness_score Nullable(Float64), transition_score Nullable(Float64), failure_rate Nullable(Float64),
    window_size Nullable(UInt32), flips Nullable(UInt64), flips_retracted Nullable(UInt64),
    commits_seen Nullable(UInt64), dropped_late Nullable(UInt64),
    quarantine_expires_at Nullable(DateTime64(3, 'UTC')), quarantine_reason Nullable(String),
    quarantine_mode Nullable(String)
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '${KAFKA_BROKERS}',
         kafka_topic_list = '${TOPIC_PREFIX}.test-stats.v1',
         kafka_group_name = 'clickhouse-testpulse-test-stats',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         kafka_flush_interval_ms = 200,
         kafka_poll_timeout_ms = 100,
         kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS testpulse.test_stats_mv TO testpulse.test_stats AS
SELECT key, tenant, suite, test_id, scope, name, file_name, passed, failed, skipped, other, executions,
       reliability, first_seen, last_seen, last_result, version, deleted,
       state, state_since, state_reason, flakiness_score, transition_score, failure_rate, window_size,
       flips, flips_retracted, commits_seen, dropped_late, quarantine_expires_at, quarantine_reason,
       quarantine_mode
FROM testpulse.test_stats_queue
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS testpulse.test_transitions_queue
(
    key String, tenant String, test_id String, suite String, `from` Nullable(String), `to` String,
    reason String, evidence Map(String, String), time DateTime64(3, 'UTC')
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '${KAFKA_BROKERS}',
         kafka_topic_list = '${TOPIC_PREFIX}.test-transitions.v1',
         kafka_group_name = 'clickhouse-testpulse-test-transitions',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         kafka_flush_interval_ms = 200,
         kafka_poll_timeout_ms = 100,
         kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS testpulse.test_transitions_mv TO testpulse.test_transitions AS
SELECT key, tenant, test_id, suite, `from`, `to`, reason, evidence, time
FROM testpulse.test_transitions_queue
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS testpulse.executions_queue
(
    key String, execution_id String, tenant String, suite String, test_id String, scope String, name String,
    file_name String, location String, result String, duration_micros UInt64, event_time DateTime64(3, 'UTC'),
    ci String, run_key String, run_number String, job_id String, branch String, commit_sha String,
    attempt UInt16, tags Map(String, String), failure_reason String
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '${KAFKA_BROKERS}',
         kafka_topic_list = '${TOPIC_PREFIX}.executions.v1.enriched',
         kafka_group_name = 'clickhouse-testpulse-executions',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         kafka_flush_interval_ms = 200,
         kafka_poll_timeout_ms = 100,
         kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS testpulse.executions_mv TO testpulse.executions AS
SELECT key, execution_id, tenant, suite, test_id, scope, name, file_name, location, result, duration_micros,
       event_time, ci, run_key, run_number, job_id, branch, commit_sha, attempt, tags, failure_reason
FROM testpulse.executions_queue
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS testpulse.duration_buckets_queue
(
    key String, tenant String, kind String, test_id String, suite String, dimensions String,
    `group` Map(String, Nullable(String)), bucket_start DateTime64(3, 'UTC'), bucket_end DateTime64(3, 'UTC'),
    count UInt64, min_ms Float64, max_ms Float64, mean_ms Float64, p50_ms Float64, p90_ms Float64,
    p95_ms Float64, p99_ms Float64, version UInt64, deleted UInt8
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '${KAFKA_BROKERS}',
         kafka_topic_list = '${TOPIC_PREFIX}.duration-buckets.v1',
         kafka_group_name = 'clickhouse-testpulse-duration-buckets',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         kafka_flush_interval_ms = 200,
         kafka_poll_timeout_ms = 100,
         kafka_handle_error_mode = 'stream';

CREATE MATERIALIZED VIEW IF NOT EXISTS testpulse.duration_buckets_mv TO testpulse.duration_buckets AS
SELECT key, tenant, kind, test_id, suite, dimensions, `group`, bucket_start, bucket_end, count, min_ms, max_ms,
       mean_ms, p50_ms, p90_ms, p95_ms, p99_ms, version, deleted
FROM testpulse.duration_buckets_queue
WHERE length(_error) = 0;
