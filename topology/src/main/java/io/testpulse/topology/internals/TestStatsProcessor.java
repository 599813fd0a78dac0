package io.testpulse.topology.internals;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;
import java.time.Instant;

/** Per-test counts, reliability and last seen: the part of a test's record one execution changes. */
public final class TestStatsProcessor {

  private TestStatsProcessor() {
  }

  /**
   * Applies one more execution to {@code previous} in place (or to a new state when null) and returns it, with
   * the version one higher (the version counts changes; a stats row carries the version of its state).
   */
  public static TestState apply(TestState previous, TestExecution e) {
    Instant at = e.getEventTime();
    TestState next = previous;
    if (next == null) {
      next = TestState.newBuilder()
          .setTenant(e.getTenant()).setSuite(e.getSuite()).setTestId(e.getTestId()).setName(e.getName())
          .setFirstSeen(at).setLastSeen(at).setVersion(0).build();
    }
    // Names and files may change (a renamed file); the latest execution wins.
    next.setScope(e.getScope());
    next.setName(e.getName());
    next.setFileName(e.getFileName());
    Result result = e.getResult();
    switch (result) {
      case PASSED -> next.setPassed(next.getPassed() + 1);
      case FAILED -> next.setFailed(next.getFailed() + 1);
      case SKIPPED -> next.setSkipped(next.getSkipped() + 1);
      default -> next.setOther(next.getOther() + 1);
    }
    if (at.isBefore(next.getFirstSeen())) {
      next.setFirstSeen(at);
    }
    if (!at.isBefore(next.getLastSeen())) {
      // last_result follows event time: a late (older) execution does not overwrite it
      next.setLastSeen(at);
      next.setLastResult(result);
    }
    next.setVersion(next.getVersion() + 1);
    return next;
  }
}
