package io.testpulse.interactive;

import java.time.Instant;
import java.util.List;

/**
 * Duration percentiles for the query API, answered from this instance's own store partitions (the
 * duration engine's queries implement it). Where such a query must run is {@link KeyRouter}'s
 * decision: the HTTP layer asks {@link TestpulseQueries#route} with {@link #testStore()} or
 * {@link #suiteStore()} and the partition key, and forwards the request to the owner when it is
 * another instance. Invalid arguments throw {@link IllegalArgumentException}.
 */
public interface DurationSource {

  /** The store holding per-test durations, partitioned by {@code tenant/test_id}. */
  String testStore();

  /** The store holding per-suite durations. */
  String suiteStore();

  /** The partition key of a suite's durations in {@link #suiteStore()}. */
  String suitePartitionKey(String tenant, String suite);

  /** One test's durations in {@code [from, to)}: a JSON-mappable value. */
  QueryOutcome<?> test(String tenant, String testId, Instant from, Instant to);

  /** One suite's durations in {@code [from, to)}. */
  QueryOutcome<?> suite(String tenant, String suite, Instant from, Instant to);

  /** One suite's durations in {@code [from, to)} per group of the configured dimension set {@code groupBy}. */
  QueryOutcome<?> suiteBy(String tenant, String suite, List<String> groupBy, Instant from, Instant to);

  /**
   * The partition key, in {@link #suiteStore()}, of a suite's durations per group of the dimension set
   * {@code groupBy}; throws {@link IllegalArgumentException} when that dimension set is not configured.
   */
  String suiteByPartitionKey(String tenant, String suite, List<String> groupBy);
}
