package io.testpulse.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {

  private Instant now = Instant.parse("2026-12-01T10:00:00Z");
  private final List<Duration> waits = new ArrayList<>();
  private final StreamThreadFailures failures = new StreamThreadFailures(3, Duration.ofMinutes(10),
      Duration.ofSeconds(5), new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      }, waits::add);

  @Test
  void shouldReplaceEveryDeadThreadAfterABackOffThatDoublesWhenThreadsKeepDying() {
    for (int i = 0; i < 5; i++) {
      assertThat(failures.handle(new IllegalStateException("boom")))
          .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
      now = now.plusSeconds(1);
    }

    assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  @Test
  void shouldReportNotLiveWhenTooManyThreadsDiedWithinTheWindowAndLiveAgainWhenTheyAgeOut() {
    failures.handle(new IllegalStateException("boom"));
    failures.handle(new IllegalStateException("boom"));
    assertThat(failures.notLiveCause()).isEmpty();

    failures.handle(new IllegalStateException("boom"));
    assertThat(failures.notLiveCause()).hasValueSatisfying(cause -> assertThat(cause)
        .contains("3 stream threads died").doesNotContain("IllegalStateException"));

    now = now.plus(Duration.ofMinutes(11));
    assertThat(failures.notLiveCause()).isEmpty();
    assertThat(failures.total()).isEqualTo(3);
  }
}
