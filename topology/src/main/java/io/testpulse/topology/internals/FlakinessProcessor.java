package io.testpulse.topology.internals;

import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.FailedRun;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.WindowEntry;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one execution to its test's flakiness state: the lateness check, the window, the
 * per-commit outcomes (detecting flip candidates), then the state. Forwards transitions, and
 * {@link RunMessage}s keyed by run for the outage guard; a candidate becomes a flip when the
 * guard's {@code FlipVerdict} comes back (see {@link FlipVerdictProcessor}).
 */
final class FlakinessProcessor implements Processor<String, TestExecution, String, Object> {

  private static final Logger LOG = LoggerFactory.getLogger(FlakinessProcessor.class);
  /** Distinct failing runs remembered per commit: enough evidence, bounded state. */
  static final int MAX_FAILED_RUNS_PER_COMMIT = 8;

  private final FlakinessPolicy policy;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, FlakinessState> states;
  private KeyValueStore<String, CommitOutcome> commits;
  private KeyValueStore<Integer, Long> watermarks;
  private FlakinessEmitter emitter;
  private Sensor droppedLate;

  FlakinessProcessor(FlakinessPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.states = context.getStateStore(Stores.FLAKINESS_STATE.name());
    this.commits = context.getStateStore(Stores.FLAKINESS_COMMITS.name());
    this.watermarks = context.getStateStore(Stores.FLAKINESS_WATERMARK.name());
    this.emitter = FlakinessEmitter.open(policy, context, Stores.FLAKINESS_STATE, null,
        Stores.FLAKINESS_COMMITS);
    int indexed = FlakinessEmitter.backfillIndex(states, context.getStateStore(Stores.STATE_INDEX.name()));
    if (indexed > 0) {
      LOG.info("Task {}: indexed the states of {} tests (state written before the state index existed)",
          context.taskId(), indexed);
    }
    this.droppedLate = context.metrics().addRateTotalSensor(FlakinessEmitter.METRIC_SCOPE,
        "flakiness-" + context.taskId(), "dropped-late", Sensor.RecordingLevel.INFO);
    context.schedule(Duration.ofHours(1), PunctuationType.STREAM_TIME, now -> expireCommits());
  }

  @Override
  public void process(Record<String, TestExecution> record) {
    TestExecution e = record.value();
    ExecutionValidator.validate(record.key(), e);
    long t = e.getEventTime().toEpochMilli();
    int partition = context.taskId().partition();
    Long watermark = watermarks.get(partition);
    FlakinessState s = FlakinessRules.mutable(states.get(record.key()));
    if (s == null) {
      s = FlakinessRules.newState(e.getTenant(), e.getTestId(), e.getSuite());
    }
    if (watermark != null && t < watermark - policy.grace().toMillis()) {
      droppedLate.record();
      LOG.debug("Execution older than the grace period dropped at {}-{}@{}", context.recordMetadata()
          .map(m -> m.topic()).orElse("?"), partition, context.recordMetadata().map(m -> m.offset()).orElse(-1L));
      s.setDroppedLate(s.getDroppedLate() + 1);
      states.put(record.key(), s);
      return;
    }
    if (watermark == null || t > watermark) {
      watermarks.put(partition, t);
    }
    s.setSuite(e.getSuite());
    s.setClock(Math.max(s.getClock(), t));
    s.setExecutions(s.getExecutions() + 1);
    Result result = e.getResult();
    boolean decided = result == Result.PASSED || result == Result.FAILED;
    List<KeyValue<String, RunMessage>> messages = new ArrayList<>();
    if (decided) {
      boolean failed = result == Result.FAILED;
      if (policy.inScope(e.getRun().getBranch())) {
        FlakinessRules.insert(s.getWindow(), new WindowEntry(t, e.getAttempt(), e.getExecutionId(), failed),
            policy.window());
      }
      String run = RunMessage.runKey(e.getTenant(), e.getRun().getKey());
      if (e.getAttempt() == 0) {
        messages.add(KeyValue.pair(run, RunMessage.count(failed, t)));
      }
      String commit = e.getRun().getCommitSha();
      if (commit != null && !commit.isEmpty()) {
        applyToCommit(record.key(), s, commit, e, failed, t, messages);
      }
    }
    emitter.settle(record.key(), s, FlakinessRules.Trigger.EXECUTION,
        Map.of("run_key", e.getRun().getKey(), "result", result.name()), context, record);
    for (KeyValue<String, RunMessage> m : messages) {
      context.forward(new Record<>(m.key, m.value, record.timestamp(), record.headers()));
    }
  }

  private void applyToCommit(String testKey, FlakinessState s, String commit, TestExecution e, boolean failed, long t,
                             List<KeyValue<String, RunMessage>> messages) {
    String key = testKey + "/" + commit;
    CommitOutcome c = commits.get(key);
    if (c != null) {
      c.setFails(new ArrayList<>(c.getFails()));
    }
    if (c != null && t - c.getLastSeen() > policy.commitExpiry().toMillis()) {
      c = null; // expired: the commit starts afresh
    }
    if (c == null) {
      c = new CommitOutcome(t, t, null, 0, new ArrayList<>());
      FlakinessRules.addCommit(s, t, policy);
    }
    c.setLastSeen(Math.max(c.getLastSeen(), t));
    String runKey = e.getRun().getKey();
    if (!failed && c.getPassRun() == null) {
      c.setPassRun(runKey);
      c.setPassAttempt(e.getAttempt());
      for (FailedRun f : c.getFails()) {
        awaitVerdict(s, f, t);
        messages.add(KeyValue.pair(RunMessage.runKey(s.getTenant(), f.getRunKey()),
            RunMessage.candidate(testKey, commit, t)));
      }
    } else if (failed && c.getFails().stream().noneMatch(f -> f.getRunKey().equals(runKey))
        && c.getFails().size() < MAX_FAILED_RUNS_PER_COMMIT) {
      FailedRun f = new FailedRun(runKey, e.getAttempt(), null, false, null, true);
      c.getFails().add(f);
      if (c.getPassRun() != null) {
        awaitVerdict(s, f, t);
        messages.add(KeyValue.pair(RunMessage.runKey(s.getTenant(), runKey), RunMessage.candidate(testKey, commit, t)));
      }
    }
    commits.put(key, c);
  }

  /**
   * Marks a failing run as a flip candidate sent to the outage guard at {@code t}: until its first
   * verdict comes back, the test does not recover (see {@link FlakinessEmitter}), and a confirmed
   * flip counts from this execution, however late the verdict arrives.
   */
  private static void awaitVerdict(FlakinessState s, FailedRun f, long t) {
    f.setCandidateTime(t);
    f.setCandidateIndex(s.getExecutions());
    f.setAnswered(false);
  }

  @Override
  public void close() {
    if (droppedLate != null) {
      context.metrics().removeSensor(droppedLate);
    }
  }

  /**
   * Physically removes commits no accepted execution can still see as unexpired: last seen more
   * than grace + expiry before the partition's newest execution. Logical expiry (in process) does
   * not depend on when this runs.
   */
  private void expireCommits() {
    Long watermark = watermarks.get(context.taskId().partition());
    if (watermark == null) {
      return;
    }
    long horizon = watermark - policy.grace().toMillis() - policy.commitExpiry().toMillis();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, CommitOutcome> all = commits.all()) {
      all.forEachRemaining(kv -> {
        if (kv.value.getLastSeen() < horizon) {
          expired.add(kv.key);
        }
      });
    }
    expired.forEach(commits::delete);
  }
}
