-- Queries over the tables of 01-tables.sql. Each one is quoted in the README and run by ClickHouseIT
-- against the answers testpulse itself gives. Both tables are read with FINAL: test_stats keeps one row per
-- test (the highest version), executions one row per execution even when a batch was delivered twice.

-- name: flakiest_tests_by_suite
-- The ten least reliable tests of every suite, among tests that have both passed and failed.
SELECT tenant, suite, test_id, scope, name, passed, failed, reliability
FROM testpulse.test_stats FINAL
WHERE passed > 0 AND failed > 0
ORDER BY tenant, suite, reliability ASC, test_id
LIMIT 10 BY tenant, suite;

-- name: duration_percentiles_by_tags_30d
-- P50 and P95 duration by instance type and CPU architecture over the last 30 days, per suite. Like testpulse's
-- duration answers, only passed and failed executions count (a skipped test's duration says nothing), and of two
-- middle values the median is the lower one.
SELECT tenant, suite, tags['instance_type'] AS instance_type, tags['arch'] AS arch,
       count() AS executions,
       quantileExactLow(0.50)(duration_micros) / 1000 AS p50_ms,
       quantileExactLow(0.95)(duration_micros) / 1000 AS p95_ms
FROM testpulse.executions FINAL
WHERE event_time >= now() - INTERVAL 30 DAY AND result IN ('PASSED', 'FAILED')
GROUP BY tenant, suite, instance_type, arch
ORDER BY tenant, suite, instance_type, arch;

-- name: reliability_trend_per_day
-- Reliability (passed / (passed + failed)) of every suite per day over the last 30 days.
SELECT tenant, suite, toDate(event_time) AS day,
       countIf(result = 'PASSED') AS passed,
       countIf(result = 'FAILED') AS failed,
       passed / nullIf(passed + failed, 0) AS reliability
FROM testpulse.executions FINAL
WHERE event_time >= now() - INTERVAL 30 DAY
GROUP BY tenant, suite, day
ORDER BY tenant, suite, day;
