package io.testpulse.interactive;

import io.testpulse.topology.DurationScopes;
import io.testpulse.topology.Stores;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The duration engine's {@link DurationQueries} as the query API's {@link DurationSource}: where a
 * test's or suite's durations live (store and partition key, as {@code DurationQueries} locates them),
 * and the local answers. The HTTP layer routes with {@link KeyRouter} before asking.
 */
public final class DurationQueriesSource implements DurationSource {

  private final DurationQueries queries;

  public DurationQueriesSource(DurationQueries queries) {
    this.queries = Objects.requireNonNull(queries, "queries");
  }

  @Override
  public String testStore() {
    return Stores.DURATION_TEST_BUCKETS.name();
  }

  @Override
  public String suiteStore() {
    return Stores.DURATION_ROLLUP_BUCKETS.name();
  }

  @Override
  public String suitePartitionKey(String tenant, String suite) {
    return DurationScopes.suiteScope(tenant, suite) + '\0';
  }

  @Override
  public String suiteByPartitionKey(String tenant, String suite, List<String> groupBy) {
    return queries.suiteByPartitionKey(tenant, suite, groupBy);
  }

  @Override
  public QueryOutcome<?> test(String tenant, String testId, Instant from, Instant to) {
    return queries.test(tenant, testId, from, to);
  }

  @Override
  public QueryOutcome<?> suite(String tenant, String suite, Instant from, Instant to) {
    return queries.suite(tenant, suite, from, to);
  }

  @Override
  public QueryOutcome<?> suiteBy(String tenant, String suite, List<String> groupBy, Instant from, Instant to) {
    return queries.suiteBy(tenant, suite, groupBy, from, to);
  }
}
