package io.testpulse.topology.internals;

import io.testpulse.avro.RunCandidate;
import io.testpulse.avro.RunOutcome;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.FlipVerdict;
import io.testpulse.topology.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The outage guard's per-run aggregate, keyed by {@code tenant/run_key}: counts first attempts,
 * judges the run (an outage when more than the configured share failed, with enough tests), and
 * answers every flip candidate of the run with a {@link FlipVerdict} keyed by the test. When the
 * judgement of a run changes, every candidate of the run is answered again (confirm or retract).
 */
final class RunOutcomeProcessor implements Processor<String, RunMessage, String, FlipVerdict> {

  /** Candidates remembered per run (to retract them); beyond it a confirmed flip cannot be retracted. */
  static final int MAX_CANDIDATES_PER_RUN = 10_000;

  private final FlakinessPolicy policy;
  private ProcessorContext<String, FlipVerdict> context;
  private KeyValueStore<String, RunOutcome> runs;

  RunOutcomeProcessor(FlakinessPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(ProcessorContext<String, FlipVerdict> context) {
    this.context = context;
    this.runs = context.getStateStore(Stores.RUN_OUTCOMES.name());
    context.schedule(Duration.ofHours(1), PunctuationType.STREAM_TIME, this::expireRuns);
  }

  @Override
  public void process(Record<String, RunMessage> record) {
    RunMessage m = record.value();
    RunOutcome run = runs.get(record.key());
    if (run == null) {
      run = new RunOutcome(0L, 0L, false, m.time(), new ArrayList<>());
    } else {
      run.setCandidates(new ArrayList<>(run.getCandidates()));
    }
    run.setLastSeen(Math.max(run.getLastSeen(), m.time()));
    String runKey = record.key().substring(record.key().indexOf('/') + 1);
    if (RunMessage.COUNT.equals(m.kind())) {
      run.setDecided(run.getDecided() + 1);
      if (m.failed()) {
        run.setFailed(run.getFailed() + 1);
      }
      boolean outage = run.getDecided() >= policy.outageMinTests()
          && run.getFailed() > policy.outageFailedShare() * run.getDecided();
      if (outage != run.getOutage()) {
        run.setOutage(outage);
        for (RunCandidate c : run.getCandidates()) {
          answer(record, c.getTestKey(), c.getCommitSha(), runKey, !outage, c.getTime());
        }
      }
    } else {
      if (run.getCandidates().size() < MAX_CANDIDATES_PER_RUN) {
        run.getCandidates().add(new RunCandidate(m.testKey(), m.commitSha(), m.time()));
      }
      if (!run.getOutage()) {
        answer(record, m.testKey(), m.commitSha(), runKey, true, m.time());
      }
    }
    runs.put(record.key(), run);
  }

  private void answer(Record<String, RunMessage> cause, String testKey, String commit, String runKey, boolean confirmed,
                      long time) {
    context.forward(new Record<>(testKey, new FlipVerdict(testKey, commit, runKey, confirmed, time),
        cause.timestamp(), cause.headers()));
  }

  /** Runs last seen before grace + commit expiry ago can no longer affect a flip: forget them. */
  private void expireRuns(long streamTime) {
    long horizon = streamTime - policy.grace().toMillis() - policy.commitExpiry().toMillis();
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, RunOutcome> all = runs.all()) {
      all.forEachRemaining(kv -> {
        if (kv.value.getLastSeen() < horizon) {
          expired.add(kv.key);
        }
      });
    }
    expired.forEach(runs::delete);
  }
}
