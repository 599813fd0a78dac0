package io.testpulse.interactive;

import io.testpulse.avro.TestRecord;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /api/v1/tests}: the tests of a tenant from the test-record store (tests with at least one
 * execution), filtered by suite, state, scope and name, sorted by score (default), reliability, last_seen,
 * failed or name.
 *
 * <p>{@code sort=score} orders by flakiness score (highest first), then reliability (lowest first),
 * then failures (most first), then test id.
 */
public final class TestListSpec implements ListSpec<TestRecord, TestSummary> {

  public static final String NAME = "tests";
  public static final List<String> SORTS = List.of("score", "reliability", "last_seen", "failed", "name");
  public static final Set<String> FILTERS = Set.of("suite", "state", "scope", "name");
  public static final Set<String> STATES = Set.of("healthy", "flaky", "broken", "quarantined");

  private final String sourceTopic;

  public TestListSpec(Topics topics) {
    this.sourceTopic = topics.executions().name();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StoreHandle<String, TestRecord> store() {
    return Stores.TEST_RECORD;
  }

  @Override
  public String sourceTopic() {
    return sourceTopic;
  }

  /** A {@code state} filter reads the state index: the tests in that state, not every test of the tenant. */
  @Override
  public IndexScan indexScan(ListQuery query) {
    String state = query.filter("state");
    if (state == null) {
      return null;
    }
    String upper = state.toUpperCase(Locale.ROOT);
    return new IndexScan(Stores.STATE_INDEX, Stores.stateIndexFrom(query.tenant(), upper),
        Stores.stateIndexTo(query.tenant(), upper), Stores::testKeyOfStateIndexKey);
  }

  @Override
  public Class<TestSummary> rowType() {
    return TestSummary.class;
  }

  @Override
  public List<String> sorts() {
    return SORTS;
  }

  @Override
  public Set<String> filters() {
    return FILTERS;
  }

  @Override
  public TestSummary row(TestRecord value, Object joined, ListQuery query) {
    if (value.getStats() == null) {
      return null; // quarantined before its first execution: not a test with results yet
    }
    TestSummary row = TestSummary.from(value.getStats(), value.getFlakiness());
    if (!matches(query.filter("suite"), row.suite()) || !matches(query.filter("scope"), row.scope())
        || !matches(query.filter("name"), row.name())) {
      return null;
    }
    String state = query.filter("state");
    if (state != null && (row.state() == null || !state.equals(row.state().toLowerCase(Locale.ROOT)))) {
      return null;
    }
    return row;
  }

  private static boolean matches(String wanted, String actual) {
    return wanted == null || Objects.equals(wanted, actual);
  }

  @Override
  public List<Object> sortKey(TestSummary r, String sort) {
    return switch (sort) {
      case "score" -> Arrays.asList(r.score(), r.reliability(), r.failed(), r.testId());
      case "reliability" -> Arrays.asList(r.reliability(), r.failed(), r.testId());
      case "last_seen" -> Arrays.asList(r.lastSeen(), r.testId());
      case "failed" -> Arrays.asList(r.failed(), r.testId());
      case "name" -> Arrays.asList(r.suite(), r.scope() == null ? "" : r.scope(), r.name(), r.testId());
      default -> throw new IllegalArgumentException("unknown sort " + sort);
    };
  }

  @Override
  public boolean[] descending(String sort) {
    return switch (sort) {
      case "score" -> new boolean[] {true, false, true, false};
      case "reliability" -> new boolean[] {false, true, false};
      case "last_seen", "failed" -> new boolean[] {true, false};
      case "name" -> new boolean[] {false, false, false, false};
      default -> throw new IllegalArgumentException("unknown sort " + sort);
    };
  }
}
