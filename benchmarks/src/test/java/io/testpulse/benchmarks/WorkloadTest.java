package io.testpulse.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkloadTest {

  @ParameterizedTest
  @ValueSource(ints = {5, 8, 11, 48})
  void shouldEndAtTheGivenInstantWhenShiftedToIt(int commits) {
    Instant now = Instant.parse("2026-12-02T17:00:00.123Z");
    Workload workload = new Workload(200, commits, 0.2, 4, 0.05, Instant.EPOCH).endingAt(now);

    AtomicReference<Instant> newest = new AtomicReference<>(Instant.MIN);
    AtomicReference<Instant> oldest = new AtomicReference<>(Instant.MAX);
    long n = workload.generate(1L, "", e -> {
      newest.accumulateAndGet(e.getEventTime(), (a, b) -> a.isAfter(b) ? a : b);
      oldest.accumulateAndGet(e.getEventTime(), (a, b) -> a.isBefore(b) ? a : b);
    });

    assertThat(n).isPositive();
    assertThat(newest.get()).isEqualTo(now);
    assertThat(oldest.get()).isAfterOrEqualTo(now.minus(Workload.SPAN));
  }
}
