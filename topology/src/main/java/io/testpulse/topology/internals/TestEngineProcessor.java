package io.testpulse.topology.internals;

import io.testpulse.avro.CommitOutcome;
import io.testpulse.avro.EvictedRuns;
import io.testpulse.avro.FailedRun;
import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestRecord;
import io.testpulse.avro.WindowEntry;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a test's state for its executions: validates the execution once, de-duplicates it and
 * numbers its attempt ({@link RecentRuns}), applies it to the counts ({@link TestStatsProcessor#apply}) and
 * to the flakiness state (lateness, window, per-commit outcomes, flip candidates, state), all in the test's
 * {@link TestRecord}: one read and, per commit, one changelog write per changed test.
 *
 * <p>Forwards, the moment they happen, transitions and {@link RunMessage}s (keyed by run, for the outage
 * guard), and each accepted execution (attempt numbered) for the durations and enriched steps; the stats
 * of every changed test once per commit ({@link WriteBehindStore.CommitListener}).
 */
final class TestEngineProcessor implements Processor<String, TestExecution, String, Object> {

  private static final Logger LOG = LoggerFactory.getLogger(TestEngineProcessor.class);
  /** Distinct failing runs remembered per commit: enough evidence, bounded state. */
  static final int MAX_FAILED_RUNS_PER_COMMIT = 8;
  /** Kafka Streams metric group {@code stream-testpulse-metrics}, operation {@code dropped-duplicates}. */
  static final String DEDUP_METRIC_SCOPE = "testpulse";
  static final String DEDUP_METRIC_OPERATION = "dropped-duplicates";

  private final FlakinessPolicy policy;
  private final long horizonMs;
  private final long statsEmitMs;
  private PendingEmits<String> pendingStats;
  /** Per run: first attempts [decided, failed, newest time] not yet sent to the outage guard. */
  private final Map<String, long[]> runCounts = new LinkedHashMap<>();
  private ProcessorContext<String, Object> context;
  private WriteBehindStore<String, TestRecord> records;
  private KeyValueStore<String, CommitOutcome> commits;
  private KeyValueStore<Integer, Long> watermarks;
  private RecentRuns runs;
  private FlakinessEmitter emitter;
  private Sensor droppedLate;
  private Sensor droppedDuplicates;

  TestEngineProcessor(FlakinessPolicy policy, Duration dedupHorizon, Duration statsEmitInterval) {
    this.policy = policy;
    this.horizonMs = dedupHorizon.toMillis();
    this.statsEmitMs = statsEmitInterval.toMillis();
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.records = WriteBehindStore.unwrap(context.getStateStore(Stores.TEST_RECORD.name()));
    this.commits = context.getStateStore(Stores.FLAKINESS_COMMITS.name());
    this.watermarks = context.getStateStore(Stores.FLAKINESS_WATERMARK.name());
    WindowStore<String, EvictedRuns> evicted = context.getStateStore(Stores.DEDUP_EVICTED_RUNS);
    this.runs = new RecentRuns(evicted, horizonMs);
    this.emitter = FlakinessEmitter.open(policy, context, records, Stores.FLAKINESS_COMMITS);
    this.pendingStats = new PendingEmits<>(context.getStateStore(Stores.STATS_PENDING.name()),
        Stores.TEST_RECORD.keySerde(), statsEmitMs, context.currentSystemTimeMs());
    CommitForwarder<String, Object> forwarder = new CommitForwarder<>(context);
    runCounts.clear();
    records.setBeforeCommit(() -> {
      for (String run : new ArrayList<>(runCounts.keySet())) {
        sendCounts(run, forwarder::forward);
      }
      for (String key : records.takeEmitMarks()) {
        pendingStats.mark(key, "");
      }
      pendingStats.commit(context.currentSystemTimeMs(), (key, unused) -> {
        TestRecord r = records.forUpdate(key);
        if (r != null && r.getStats() != null) {
          forwarder.forward(new Record<>(key, TestStats.from(r.getStats(), r.getFlakiness()),
              Math.max(0, context.currentStreamTimeMs())));
        }
      });
    });
    if (statsEmitMs > 0) {
      // a commit follows a punctuation: pending stats go out within the interval even when no input arrives
      context.schedule(Duration.ofMillis(statsEmitMs), PunctuationType.WALL_CLOCK_TIME, now -> { });
    }
    this.droppedLate = context.metrics().addRateTotalSensor(FlakinessEmitter.METRIC_SCOPE,
        "flakiness-" + context.taskId(), "dropped-late", Sensor.RecordingLevel.INFO);
    // one sensor per task (the entity), so tasks of one thread never share or remove each other's metric
    this.droppedDuplicates = context.metrics().addRateTotalSensor(DEDUP_METRIC_SCOPE, "dedup-" + context.taskId(),
        DEDUP_METRIC_OPERATION, Sensor.RecordingLevel.INFO);
    context.schedule(Duration.ofHours(1), PunctuationType.STREAM_TIME, now -> expireCommits());
  }

  @Override
  public void process(Record<String, TestExecution> record) {
    TestExecution given = record.value();
    ExecutionValidator.validate(record.key(), given);
    String key = record.key();
    long t = given.getEventTime().toEpochMilli();
    TestRecord r = records.forUpdate(key);
    if (r == null) {
      r = TestRecords.empty();
    }
    int attempt = runs.accept(key, r, given.getRun().getKey(), given.getExecutionId(), record.timestamp());
    if (attempt < 0) {
      droppedDuplicates.record();
      return;
    }
    TestExecution e = given.getAttempt() == attempt ? given
        : TestExecution.newBuilder(given).setAttempt(attempt).build();
    r.setStats(TestStatsProcessor.apply(r.getStats(), e));
    FlakinessState s = r.getFlakiness();
    if (s == null) {
      s = FlakinessRules.newState(e.getTenant(), e.getTestId(), e.getSuite());
      r.setFlakiness(s);
    }
    applyFlakiness(key, r, s, e, t, record);
    context.forward(record.withValue(e));
  }

  private void applyFlakiness(String key, TestRecord r, FlakinessState s, TestExecution e, long t,
                              Record<String, TestExecution> record) {
    int partition = context.taskId().partition();
    Long watermark = watermarks.get(partition);
    if (watermark != null && t < watermark - policy.grace().toMillis()) {
      droppedLate.record();
      LOG.debug("Execution older than the grace period not judged for flakiness at {}-{}@{}", context.recordMetadata()
          .map(m -> m.topic()).orElse("?"), partition, context.recordMetadata().map(m -> m.offset()).orElse(-1L));
      s.setDroppedLate(s.getDroppedLate() + 1);
      records.changed(key, r, true);
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
      if (e.getAttempt() == 0) {
        // counted per run and sent at the commit (or before any flip candidate): one message per run per
        // commit instead of one per execution
        long[] counts = runCounts.computeIfAbsent(RunMessage.runKey(e.getTenant(), e.getRun().getKey()),
            run -> new long[] {0, 0, Long.MIN_VALUE});
        counts[0]++;
        counts[1] += failed ? 1 : 0;
        counts[2] = Math.max(counts[2], t);
      }
      String commit = e.getRun().getCommitSha();
      if (commit != null && !commit.isEmpty()) {
        applyToCommit(key, s, commit, e, failed, t, messages);
      }
    }
    emitter.settle(key, r, FlakinessRules.Trigger.EXECUTION,
        Map.of("run_key", e.getRun().getKey(), "result", result.name()), context, record);
    if (!messages.isEmpty()) {
      // every count before the candidates, as one message per execution had it (the guard's verdicts, and
      // so the flips, keep the order of the reference model)
      for (String run : new ArrayList<>(runCounts.keySet())) {
        sendCounts(run, context::forward);
      }
    }
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

  /** Sends the run's first attempts counted so far, if any, to the outage guard. */
  private void sendCounts(String run, java.util.function.Consumer<Record<String, Object>> send) {
    long[] counts = runCounts.remove(run);
    if (counts != null) {
      send.accept(new Record<>(run, RunMessage.counts(counts[0], counts[1], counts[2]), counts[2]));
    }
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
      context.metrics().removeSensor(droppedDuplicates);
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
