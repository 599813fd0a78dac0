package io.testpulse.topology.internals;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestRecord;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.errors.InvalidExecutionException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies quarantine commands: QUARANTINE sets the test QUARANTINED until it is released or its
 * expiry passes (in the test's event time: its newest execution or command); RELEASE lifts it. A
 * command for a test never seen creates its flakiness state, so a test can be quarantined first.
 */
final class QuarantineProcessor implements Processor<String, QuarantineCommand, String, Object> {

  private final FlakinessPolicy policy;
  private ProcessorContext<String, Object> context;
  private WriteBehindStore<String, TestRecord> records;
  private FlakinessEmitter emitter;

  QuarantineProcessor(FlakinessPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.records = WriteBehindStore.unwrap(context.getStateStore(Stores.TEST_RECORD.name()));
    this.emitter = FlakinessEmitter.open(policy, context, records, null);
  }

  @Override
  public void process(Record<String, QuarantineCommand> record) {
    QuarantineCommand c = record.value();
    validate(record.key(), c);
    TestRecord r = records.forUpdate(record.key());
    if (r == null) {
      r = TestRecords.empty();
    }
    FlakinessState s = r.getFlakiness();
    if (s == null) {
      s = FlakinessRules.newState(c.tenant(), c.testId(), null);
      r.setFlakiness(s);
    }
    s.setClock(Math.max(s.getClock(), c.requestedAt()));
    boolean quarantine = QuarantineCommand.QUARANTINE.equals(c.action());
    s.setQuarantined(quarantine);
    s.setQuarantineExpiresAt(quarantine ? c.expiresAt() : null);
    s.setQuarantineReason(quarantine ? c.reason() : null);
    s.setQuarantinedBy(quarantine ? c.requestedBy() : null);
    s.setQuarantineMode(quarantine ? c.effectiveMode() : null);
    Map<String, String> evidence = new LinkedHashMap<>();
    evidence.put("action", c.action());
    if (quarantine) {
      evidence.put("mode", c.effectiveMode());
    }
    if (c.requestedBy() != null) {
      evidence.put("requested_by", c.requestedBy());
    }
    if (c.reason() != null) {
      evidence.put("reason", c.reason());
    }
    if (c.expiresAt() != null) {
      evidence.put("expires_at", Long.toString(c.expiresAt()));
    }
    emitter.settle(record.key(), r, quarantine ? FlakinessRules.Trigger.QUARANTINE : FlakinessRules.Trigger.RELEASE,
        evidence, context, record);
  }

  private static void validate(String key, QuarantineCommand c) {
    if (c == null) {
      throw new InvalidExecutionException("null quarantine command");
    }
    if (!TestKeys.isValidTenant(c.tenant()) || !TestKeys.isValidTestId(c.testId())
        || !TestKeys.key(c.tenant(), c.testId()).equals(key)) {
      throw new InvalidExecutionException("quarantine command key is not tenant/test_id of its value");
    }
    if (!QuarantineCommand.QUARANTINE.equals(c.action()) && !QuarantineCommand.RELEASE.equals(c.action())) {
      throw new InvalidExecutionException("quarantine command action must be QUARANTINE or RELEASE");
    }
    if (c.mode() != null && !QuarantineCommand.MUTE.equals(c.mode()) && !QuarantineCommand.SKIP.equals(c.mode())) {
      throw new InvalidExecutionException("quarantine command mode must be mute or skip");
    }
  }
}
