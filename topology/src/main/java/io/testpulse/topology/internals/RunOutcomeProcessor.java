package io.testpulse.topology.internals;

import io.testpulse.avro.RunCandidate;
import io.testpulse.avro.RunOutcome;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.FlipVerdict;
import io.testpulse.topology.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The outage guard's per-run aggregate, keyed by {@code tenant/run_key}: counts first attempts,
 * judges the run (an outage when more than the configured share failed, with enough tests), and
 * answers every flip candidate of the run with a {@link FlipVerdict} keyed by the test (confirmed
 * unless the run is an outage). When the judgement of a run changes, every candidate of the run is
 * answered again (confirm or retract).
 */
final class RunOutcomeProcessor implements Processor<String, RunMessage, String, FlipVerdict> {

  private final FlakinessPolicy policy;
  private ProcessorContext<String, FlipVerdict> context;
  private KeyValueStore<String, RunOutcome> runs;
  private KeyValueStore<String, RunCandidate> candidates;

  RunOutcomeProcessor(FlakinessPolicy policy) {
    this.policy = policy;
  }

  @Override
  public void init(ProcessorContext<String, FlipVerdict> context) {
    this.context = context;
    this.runs = context.getStateStore(Stores.RUN_OUTCOMES.name());
    this.candidates = context.getStateStore(Stores.RUN_CANDIDATES.name());
    context.schedule(Duration.ofHours(1), PunctuationType.STREAM_TIME, this::expireRuns);
  }

  @Override
  public void process(Record<String, RunMessage> record) {
    RunMessage m = record.value();
    RunOutcome run = runs.get(record.key());
    if (run == null) {
      run = new RunOutcome(0L, 0L, false, m.time(), 0L, new ArrayList<>()); // candidates live in their own store
    }
    run.setLastSeen(Math.max(run.getLastSeen(), m.time()));
    String runKey = record.key().substring(record.key().indexOf('/') + 1);
    if (m.isCount()) {
      run.setDecided(run.getDecided() + m.decidedCount());
      run.setFailed(run.getFailed() + m.failedCount());
      boolean outage = run.getDecided() >= policy.outageMinTests()
          && (double) run.getFailed() / run.getDecided() > policy.outageFailedShare();
      if (outage != run.getOutage()) {
        run.setOutage(outage);
        try (KeyValueIterator<String, RunCandidate> all = candidates.prefixScan(record.key() + "/",
            Serdes.String().serializer())) {
          all.forEachRemaining(kv -> answer(record, kv.value.getTestKey(), kv.value.getCommitSha(), runKey, !outage,
              kv.value.getTime()));
        }
      }
    } else {
      // the sequence is the run's candidate count so far: zero-padded keys scan in arrival order
      candidates.put(String.format("%s/%019d", record.key(), run.getCandidateCount()),
          new RunCandidate(m.testKey(), m.commitSha(), m.time()));
      run.setCandidateCount(run.getCandidateCount() + 1);
      // every candidate is answered, an outage run's too: the test waits for the first answer before it recovers
      answer(record, m.testKey(), m.commitSha(), runKey, !run.getOutage(), m.time());
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
    for (String run : expired) {
      runs.delete(run);
      List<String> keys = new ArrayList<>();
      try (KeyValueIterator<String, RunCandidate> all = candidates.prefixScan(run + "/", Serdes.String().serializer())) {
        all.forEachRemaining(kv -> keys.add(kv.key));
      }
      keys.forEach(candidates::delete);
    }
  }
}
