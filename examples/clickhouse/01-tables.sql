-- testpulse -> ClickHouse: the target tables (ClickHouse 24.x and later; tested on 26.7 in ClickHouseIT).
-- Both ingestion paths write here: the Kafka-engine tables and materialized views of 02-kafka-engine.sql,
-- or the ClickHouse Kafka Connect sink (connect/clickhouse-sink.json). Column names are the JSON field names
-- of the output topics, so either path inserts rows unchanged. Times arrive as epoch milliseconds, which
-- ClickHouse reads into DateTime64(3) as they are.

CREATE DATABASE IF NOT EXISTS testpulse;

-- <prefix>.test-stats.v1 (compacted): the current state of every test. Every change is a new row with a
-- higher version; ReplacingMergeTree keeps the highest one, and a row with deleted = 1 removes the test.
-- Query with FINAL (or argMax by version) to see exactly one row per test.
CREATE TABLE IF NOT EXISTS testpulse.test_stats
(
    key          String,
    tenant       LowCardinality(String),
    suite        LowCardinality(String),
    test_id      String,
    scope        String,
    name         String,
    file_name    String,
    passed       UInt64,
    failed       UInt64,
    skipped      UInt64,
    other        UInt64,
    executions   UInt64,
    reliability  Nullable(Float64),
    first_seen   DateTime64(3, 'UTC'),
    last_seen    DateTime64(3, 'UTC'),
    last_result  LowCardinality(String),
    version      UInt64,
    deleted      UInt8,
    -- flakiness (see the README's Definitions): null until the engine has judged the test
    state                  LowCardinality(Nullable(String)),
    state_since            Nullable(DateTime64(3, 'UTC')),
    state_reason           LowCardinality(Nullable(String)),
    flakiness_score        Nullable(Float64),
    transition_score       Nullable(Float64),
    failure_rate           Nullable(Float64),
    window_size            Nullable(UInt32),
    flips                  Nullable(UInt64),
    flips_retracted        Nullable(UInt64),
    commits_seen           Nullable(UInt64),
    dropped_late           Nullable(UInt64),
    quarantine_expires_at  Nullable(DateTime64(3, 'UTC')),
    quarantine_reason      Nullable(String),
    quarantine_mode        Nullable(String)
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (tenant, test_id);

-- <prefix>.test-transitions.v1: every state change of a test, as it happens (append only).
CREATE TABLE IF NOT EXISTS testpulse.test_transitions
(
    key       String,
    tenant    LowCardinality(String),
    test_id   String,
    suite     LowCardinality(String),
    `from`    LowCardinality(Nullable(String)),
    `to`      LowCardinality(String),
    reason    LowCardinality(String),
    evidence  Map(LowCardinality(String), String),
    time      DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (tenant, test_id, time);

-- <prefix>.executions.v1.enriched: one row per distinct execution testpulse processed (after its de-duplication
-- of re-sent uploads; it is fed the same stream as the per-test state), tags as a map. Partitioned by day:
-- dropping old days is cheap (ALTER TABLE ... DROP PARTITION, or a TTL such as
-- TTL toDate(event_time) + INTERVAL 180 DAY).
-- ReplacingMergeTree rather than plain MergeTree, keyed by the execution: both ways into ClickHouse deliver at
-- least once (the Kafka engine commits offsets after inserting, so a crash in between inserts a batch again;
-- the sink connector retries a batch unless exactlyOnce is set), and a redelivered row is identical to the
-- first. Read with FINAL (as queries.sql does) to count each execution once while copies are not merged yet;
-- FINAL works partition by partition here, and a copy always lands in the day partition of its original.
CREATE TABLE IF NOT EXISTS testpulse.executions
(
    key             String,
    execution_id    String,
    tenant          LowCardinality(String),
    suite           LowCardinality(String),
    test_id         String,
    scope           String,
    name            String,
    file_name       String,
    location        String,
    result          LowCardinality(String),
    duration_micros UInt64,
    event_time      DateTime64(3, 'UTC'),
    ci              LowCardinality(String),
    run_key         String,
    run_number      String,
    job_id          String,
    branch          String,
    commit_sha      String,
    attempt         UInt16,
    tags            Map(LowCardinality(String), String),
    failure_reason  String
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(event_time)
ORDER BY (tenant, suite, test_id, event_time, execution_id);

-- <prefix>.duration-buckets.v1 (compacted): per time bucket and scope (kind 'test': one test; 'suite'; 'dimensions':
-- a suite by a tag set such as instance_type,arch) the exact count, min, max, mean and p50..p99 within 1%. A bucket's
-- row is replaced while it fills (its version is its count). Percentiles of different buckets cannot be merged
-- here: ask testpulse's API for a range, or compute them on the executions table.
CREATE TABLE IF NOT EXISTS testpulse.duration_buckets
(
    key          String,
    tenant       LowCardinality(String),
    kind         LowCardinality(String),
    test_id      String,
    suite        LowCardinality(String),
    dimensions   LowCardinality(String),
    `group`      Map(LowCardinality(String), Nullable(String)),
    bucket_start DateTime64(3, 'UTC'),
    bucket_end   DateTime64(3, 'UTC'),
    count        UInt64,
    min_ms       Float64,
    max_ms       Float64,
    mean_ms      Float64,
    p50_ms       Float64,
    p90_ms       Float64,
    p95_ms       Float64,
    p99_ms       Float64,
    version      UInt64,
    deleted      UInt8
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (tenant, kind, bucket_start, key);
