package io.testpulse.topology.internals;

import io.testpulse.avro.EvictedRuns;
import io.testpulse.avro.RecentRun;
import io.testpulse.avro.TestRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;

/**
 * De-duplication and attempt numbering from the test's own record: the newest runs of the test (at most
 * {@link #MAX_RUNS}) with their executions' id hashes and counts. An execution id already seen in one of
 * them (within the horizon) is a duplicate; otherwise the execution's attempt is the count of its run.
 * When a test has more recent runs, the oldest half moves, as one batch, to a window store whose
 * retention is the horizon: an execution whose run is not in the record looks there (only when such a
 * batch is within the horizon), so the promise holds over the whole horizon at about one write per
 * {@code MAX_RUNS / 2} new runs.
 */
final class RecentRuns {

  /** Runs kept in the record; a test with more runs within the horizon moves the older half to the evicted-runs store. */
  static final int MAX_RUNS = 16;

  private final WindowStore<String, EvictedRuns> evicted;
  private final long horizonMs;

  RecentRuns(WindowStore<String, EvictedRuns> evicted, long horizonMs) {
    this.evicted = evicted;
    this.horizonMs = horizonMs;
  }

  /**
   * Applies one execution: returns its attempt number, or -1 if it is a duplicate (nothing changes then).
   */
  int accept(String key, TestRecord record, String runKey, String executionId, long at) {
    long runHash = TestRecords.hash64(runKey);
    long idHash = TestRecords.hash64(executionId);
    RecentRun run = null;
    for (RecentRun r : record.getRuns()) {
      if (Math.abs(at - r.getLastTime()) > horizonMs) {
        continue;
      }
      if (r.getIds().contains(idHash)) {
        return -1;
      }
      if (r.getRunHash() == runHash) {
        run = r;
      }
    }
    if (run == null) {
      run = fromEvicted(key, record, runHash, at);
      if (run != null && run.getIds().contains(idHash)) {
        return -1;
      }
      if (run == null) {
        run = new RecentRun(runHash, at, 0, new ArrayList<>());
      }
      record.getRuns().add(run);
    }
    int attempt = run.getAttempts();
    run.setAttempts(attempt + 1);
    run.getIds().add(idHash);
    run.setLastTime(Math.max(run.getLastTime(), at));
    if (record.getRuns().size() > MAX_RUNS) {
      evictOldest(key, record, at);
    }
    return attempt;
  }

  /** The run from the evicted batches within the horizon (newest count, all ids), or null. */
  private RecentRun fromEvicted(String key, TestRecord record, long runHash, long at) {
    if (record.getEvictedUntil() == 0 || record.getEvictedUntil() < at - horizonMs) {
      return null;
    }
    RecentRun found = null;
    try (KeyValueIterator<Long, EvictedRuns> it = evicted.fetch(key, Math.max(0, at - horizonMs), Long.MAX_VALUE)) {
      while (it.hasNext()) {
        KeyValue<Long, EvictedRuns> batch = it.next();
        for (RecentRun r : batch.value.getRuns()) {
          if (r.getRunHash() != runHash || Math.abs(at - r.getLastTime()) > horizonMs) {
            continue;
          }
          if (found == null) {
            found = new RecentRun(runHash, r.getLastTime(), r.getAttempts(), new ArrayList<>(r.getIds()));
          } else {
            found.setAttempts(Math.max(found.getAttempts(), r.getAttempts()));
            found.setLastTime(Math.max(found.getLastTime(), r.getLastTime()));
            for (Long id : r.getIds()) {
              if (!found.getIds().contains(id)) {
                found.getIds().add(id);
              }
            }
          }
        }
      }
    }
    return found;
  }

  private void evictOldest(String key, TestRecord record, long at) {
    List<RecentRun> runs = record.getRuns();
    runs.sort(Comparator.comparingLong(RecentRun::getLastTime));
    long newest = runs.get(runs.size() - 1).getLastTime();
    List<RecentRun> batch = new ArrayList<>();
    int move = runs.size() - MAX_RUNS / 2;
    for (int i = 0; i < move; i++) {
      RecentRun r = runs.get(i);
      if (r.getLastTime() >= newest - horizonMs) {
        batch.add(r); // older than the horizon of the newest run: forgotten, not kept
      }
    }
    runs.subList(0, move).clear();
    if (!batch.isEmpty()) {
      long batchTime = batch.stream().mapToLong(RecentRun::getLastTime).max().orElse(at);
      evicted.put(key, new EvictedRuns(batch), batchTime);
      record.setEvictedUntil(Math.max(record.getEvictedUntil(), batchTime));
    }
  }
}
