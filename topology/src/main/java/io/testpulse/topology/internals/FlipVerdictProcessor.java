package io.testpulse.topology.internals;

import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.FailedRun;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.TestRecord;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.Flip;
import io.testpulse.topology.FlipVerdict;
import io.testpulse.topology.HealthState;
import io.testpulse.topology.Stores;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies the outage guard's verdict on a flip candidate to the test: a commit is flipped while at
 * least one of its failing runs is confirmed. A new flip is forwarded as a {@link Flip} and may
 * make the test FLAKY; a retraction withdraws it.
 */
final class FlipVerdictProcessor implements Processor<String, FlipVerdict, String, Object> {

  private final FlakinessPolicy policy;
  private ProcessorContext<String, Object> context;
  private WriteBehindStore<String, TestRecord> records;
  private KeyValueStore<String, CommitOutcome> commits;
  private FlakinessEmitter emitter;
  private Sensor flips;
  private Sensor retractions;

  FlipVerdictProcessor(FlakinessPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.records = WriteBehindStore.unwrap(context.getStateStore(Stores.TEST_RECORD.name()));
    this.commits = context.getStateStore(Stores.FLAKINESS_COMMITS.name());
    this.emitter = FlakinessEmitter.open(policy, context, records, Stores.FLAKINESS_COMMITS);
    this.flips = context.metrics().addRateTotalSensor(FlakinessEmitter.METRIC_SCOPE, "flip-verdicts-" + context.taskId(),
        "flips", Sensor.RecordingLevel.INFO);
    this.retractions = context.metrics().addRateTotalSensor(FlakinessEmitter.METRIC_SCOPE,
        "flip-verdicts-" + context.taskId(), "flips-retracted", Sensor.RecordingLevel.INFO);
  }

  @Override
  public void close() {
    if (flips != null) {
      context.metrics().removeSensor(flips);
      context.metrics().removeSensor(retractions);
    }
  }

  @Override
  public void process(Record<String, FlipVerdict> record) {
    FlipVerdict v = record.value();
    String commitKey = record.key() + "/" + v.commitSha();
    CommitOutcome c = commits.get(commitKey);
    TestRecord r = records.forUpdate(record.key());
    FlakinessState s = r == null ? null : r.getFlakiness();
    if (c == null || s == null) {
      return; // the commit expired meanwhile: nothing left to flip or retract
    }
    FailedRun fail = c.getFails().stream().filter(f -> f.getRunKey().equals(v.runKey())).findFirst().orElse(null);
    if (fail == null || fail.getCandidateTime() == null) {
      return;
    }
    boolean first = !fail.getAnswered();
    fail.setAnswered(true);
    if (fail.getConfirmed() == v.confirmed()) {
      if (first) {
        // declined at once (an outage run): nothing to flip, but a recovery held for it may go ahead
        commits.put(commitKey, c);
        if (HealthState.FLAKY.name().equals(s.getState())) {
          emitter.settle(record.key(), r, FlakinessRules.Trigger.FLIP_DECLINED,
              Map.of("commit_sha", v.commitSha(), "fail_run_key", fail.getRunKey()), context, record);
        }
      }
      return; // already applied
    }
    boolean wasFlipped = c.getFails().stream().anyMatch(FailedRun::getConfirmed);
    fail.setConfirmed(v.confirmed());
    boolean flipped = c.getFails().stream().anyMatch(FailedRun::getConfirmed);
    commits.put(commitKey, c);
    if (wasFlipped == flipped) {
      return; // another failing run already made (or still makes) this commit flipped
    }
    FailedRun evidence = fail;
    (flipped ? flips : retractions).record();
    if (flipped) {
      // a first confirmation counts from the candidate's execution, however late it arrived
      long index = first && fail.getCandidateIndex() != null ? fail.getCandidateIndex() : s.getExecutions();
      FlakinessRules.addFlip(s, v.commitSha(), c.getFirstSeen(), evidence.getCandidateTime(), index, policy);
    } else {
      FlakinessRules.retractFlip(s, v.commitSha(), c.getFirstSeen(), policy);
    }
    context.forward(new Record<>(record.key(), new Flip(record.key(), s.getTenant(), s.getTestId(), s.getSuite(),
        v.commitSha(), evidence.getRunKey(), evidence.getAttempt(), c.getPassRun(), c.getPassAttempt(),
        evidence.getCandidateTime(), !flipped), record.timestamp(), record.headers()));
    emitter.settle(record.key(), r, flipped ? FlakinessRules.Trigger.FLIP_CONFIRMED : FlakinessRules.Trigger.FLIP_RETRACTED,
        Map.of("commit_sha", v.commitSha(), "fail_run_key", evidence.getRunKey(),
            "fail_attempt", Integer.toString(evidence.getAttempt()), "pass_run_key", c.getPassRun(),
            "pass_attempt", Integer.toString(c.getPassAttempt())), context, record);
  }
}
