package io.testpulse.interactive;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestRecord;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/quarantined}: the tenant's active quarantines from the test-record store (whose
 * flakiness state applies the quarantine commands), newest first. A quarantine whose {@code expires_at}
 * has passed is not listed, even before the engine notices the expiry.
 */
public final class QuarantineListSpec implements ListSpec<TestRecord, QuarantinedTest> {

  public static final String NAME = "quarantined";

  private final String sourceTopic;
  private final Clock clock;

  public QuarantineListSpec(Topics topics, Clock clock) {
    this.sourceTopic = topics.executions().name(); // test-record's sub-topology reads executions too
    this.clock = clock;
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

  @Override
  public Class<QuarantinedTest> rowType() {
    return QuarantinedTest.class;
  }

  @Override
  public List<String> sorts() {
    return List.of("quarantined_at");
  }

  @Override
  public Set<String> filters() {
    return Set.of();
  }

  @Override
  public QuarantinedTest row(TestRecord value, Object joined, ListQuery query) {
    return isActive(value.getFlakiness(), clock.millis())
        ? QuarantinedTest.from(value.getFlakiness(), value.getStats()) : null;
  }

  /** Whether a test's flakiness state holds a quarantine in force at {@code now}. */
  public static boolean isActive(FlakinessState state, long now) {
    return state != null && state.getQuarantined()
        && (state.getQuarantineExpiresAt() == null || state.getQuarantineExpiresAt() > now);
  }

  @Override
  public List<Object> sortKey(QuarantinedTest row, String sort) {
    return Arrays.asList(row.quarantinedAt(), row.testId());
  }

  @Override
  public boolean[] descending(String sort) {
    return new boolean[] {true, false};
  }
}
