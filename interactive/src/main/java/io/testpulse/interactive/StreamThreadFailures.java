package io.testpulse.interactive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' uncaught-exception handler for an instance that must stay up: a stream thread that
 * dies is replaced (its tasks resume from the last commit), but after a back-off that doubles with each
 * failure within {@code window} (1 s, 2 s, 4 s ... up to {@code maxBackoff}), so a crash loop does not
 * spin; and once {@code maxFailures} threads died within {@code window} the instance reports itself not
 * live ({@link #notLiveCause()}, {@code /health/live} answers 503) so that an orchestrator restarts it.
 * It is live again once the failures age out of the window.
 */
public final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

  /** Waits before a dead thread is replaced; a test passes one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final int maxFailures;
  private final Duration window;
  private final Duration maxBackoff;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Deque<Instant> failures = new ArrayDeque<>();
  private long total;
  private Counter replaced;

  /**
   * @param maxFailures thread deaths within {@code window} that make the instance not live
   * @param window how far back deaths count
   * @param maxBackoff the longest wait before a replacement
   */
  public StreamThreadFailures(int maxFailures, Duration window, Duration maxBackoff, Clock clock, Sleeper sleeper) {
    this.maxFailures = maxFailures;
    this.window = window;
    this.maxBackoff = maxBackoff;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** With the system clock, sleeping for real. */
  public StreamThreadFailures(int maxFailures, Duration window, Duration maxBackoff) {
    this(maxFailures, window, maxBackoff, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable error) {
    Duration backoff;
    int recent;
    synchronized (this) {
      Instant now = clock.instant();
      failures.addLast(now);
      total++;
      recent = prune(now);
      backoff = backoff(recent);
    }
    if (replaced != null) {
      replaced.increment();
    }
    LOG.error("A stream thread died ({} within {} s); replacing it in {} ms{}", recent, window.toSeconds(),
        backoff.toMillis(), recent >= maxFailures ? "; reporting not live" : "", error);
    try {
      sleeper.sleep(backoff);
    } catch (InterruptedException e) {
      // the client is closing: no replacement is needed any more
      Thread.currentThread().interrupt();
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** 1 s for the first death in the window, doubling with each more, at most {@code maxBackoff}. */
  Duration backoff(int recent) {
    long millis = 1000L << Math.min(20, Math.max(0, recent - 1));
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  /** Thread deaths within the window now. */
  public synchronized int recentFailures() {
    return prune(clock.instant());
  }

  /** Why this instance is not live (too many thread deaths within the window), or empty when it is. */
  public synchronized Optional<String> notLiveCause() {
    int recent = prune(clock.instant());
    if (recent < maxFailures) {
      return Optional.empty();
    }
    return Optional.of(recent + " stream threads died within the last " + window.toSeconds() + " s (at most "
        + (maxFailures - 1) + " tolerated, testpulse.streams.thread.failures.max); last at " + failures.peekLast()
        + "; see the server log");
  }

  /**
   * {@code testpulse.streams.thread.replacements} (a counter of every death) and
   * {@code testpulse.streams.thread.failures.recent} and {@code testpulse.live} (1 or 0) as gauges.
   */
  public void bindTo(MeterRegistry registry) {
    replaced = Counter.builder("testpulse.streams.thread.replacements")
        .description("Stream threads that died and were replaced").register(registry);
    Gauge.builder("testpulse.streams.thread.failures.recent", this, StreamThreadFailures::recentFailures)
        .description("Stream threads that died within testpulse.streams.thread.failures.window.ms").register(registry);
    Gauge.builder("testpulse.live", this, f -> f.notLiveCause().isPresent() ? 0 : 1)
        .description("1 while the instance is live, 0 once too many stream threads died within the window")
        .register(registry);
  }

  private int prune(Instant now) {
    Instant oldest = now.minus(window);
    while (!failures.isEmpty() && failures.peekFirst().isBefore(oldest)) {
      failures.removeFirst();
    }
    return failures.size();
  }

  /** Every death since the start (for the log and tests). */
  public synchronized long total() {
    return total;
  }
}
