package io.testpulse.interactive;

import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/v1/quarantined}: the tenant's active quarantines from the quarantine store, newest
 * first. A quarantine whose {@code expires_at} has passed is not listed (expiry applied when read).
 */
public final class QuarantineListSpec implements ListSpec<QuarantineCommand, QuarantinedTest> {

  public static final String NAME = "quarantined";

  private final String sourceTopic;
  private final Clock clock;

  public QuarantineListSpec(Topics topics, Clock clock) {
    this.sourceTopic = topics.quarantineCommands().name();
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StoreHandle<String, QuarantineCommand> store() {
    return Stores.QUARANTINE;
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
  public QuarantinedTest row(QuarantineCommand value, Object joined, ListQuery query) {
    return isActive(value, clock.millis()) ? QuarantinedTest.from(value) : null;
  }

  /** Whether a stored quarantine is in force at {@code now}. */
  public static boolean isActive(QuarantineCommand command, long now) {
    return command != null && QuarantineCommand.QUARANTINE.equals(command.action())
        && (command.expiresAt() == null || command.expiresAt() > now);
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
