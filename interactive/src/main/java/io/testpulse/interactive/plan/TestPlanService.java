package io.testpulse.interactive.plan;

import io.testpulse.interactive.Cursors;
import io.testpulse.interactive.DurationSource;
import io.testpulse.interactive.ListPage;
import io.testpulse.interactive.ListQuery;
import io.testpulse.interactive.QuarantineListSpec;
import io.testpulse.interactive.QuarantinedTest;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.SuiteTests;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.topology.QuarantineCommand;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test plans for Buildkite's test client, built on the query service's public operations: a suite's
 * tests with their durations ({@link TestpulseQueries#suiteTests}) and its active quarantines
 * ({@link TestpulseQueries#quarantined}). Plans are kept in a {@link PlanStore}.
 */
public final class TestPlanService {

  private static final int PAGE = 500;
  private static final int METADATA_KEPT = 100;

  private final TestpulseQueries queries;
  private final DurationSource durations;
  private final Clock clock;
  private final Duration window;
  private final PlanStore store;
  private final Map<String, Deque<Object>> metadata = new ConcurrentHashMap<>();

  /**
   * @param durations the duration engine's queries; null plans every entry with the default durations
   * @param window how far back durations are read
   */
  public TestPlanService(TestpulseQueries queries, DurationSource durations, Clock clock, Duration window,
      PlanStore store) {
    this.queries = Objects.requireNonNull(queries, "queries");
    this.durations = durations;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.window = Objects.requireNonNull(window, "window");
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The stored plan of {@code identifier}. */
  public Optional<TestPlan> find(String tenant, String suite, String identifier) {
    return store.get(tenant, suite, identifier);
  }

  /**
   * The plan of {@code request.identifier()}: the stored one, or a new one built now. UNAVAILABLE when
   * the suite's tests or quarantines cannot be read; {@link IllegalArgumentException} for a request that
   * cannot be planned.
   */
  public QueryOutcome<PlanStore.Created> create(String tenant, String suite, PlanRequest request) {
    try {
      return QueryOutcome.ok(store.create(tenant, suite, request.identifier(), () -> build(tenant, suite, request)));
    } catch (Unavailable e) {
      return QueryOutcome.unavailable(e.getMessage(), TestpulseQueries.RETRY_AFTER);
    }
  }

  /** Which of {@code files} the client should split by example (see {@link PlanBuilder#filesToSplit}). */
  public QueryOutcome<List<String>> filterTests(String tenant, String suite, List<String> files, int parallelism,
      int maxParallelism, double targetTimeSeconds) {
    try {
      Timings timings = Timings.of(suiteTests(tenant, suite).tests());
      Set<String> withSkipped = new HashSet<>();
      for (QuarantinedTest q : quarantines(tenant, suite)) {
        if (QuarantineCommand.SKIP.equals(q.mode()) && q.fileName() != null) {
          withSkipped.add(Timings.normalisePath(q.fileName()));
        }
      }
      return QueryOutcome.ok(PlanBuilder.filesToSplit(files, timings, withSkipped, parallelism, maxParallelism,
          targetTimeSeconds));
    } catch (Unavailable e) {
      return QueryOutcome.unavailable(e.getMessage(), TestpulseQueries.RETRY_AFTER);
    }
  }

  /** The estimated duration (ms) of each of {@code paths} that has measured durations. */
  public QueryOutcome<Map<String, Long>> fileTimings(String tenant, String suite, List<String> paths) {
    try {
      Timings timings = Timings.of(suiteTests(tenant, suite).tests());
      Map<String, Long> answer = new LinkedHashMap<>();
      for (String path : paths) {
        Timings.Estimate e = timings.file(path);
        if (e != null) {
          answer.put(path, Math.round(e.ms()));
        }
      }
      return QueryOutcome.ok(answer);
    } catch (Unavailable e) {
      return QueryOutcome.unavailable(e.getMessage(), TestpulseQueries.RETRY_AFTER);
    }
  }

  /** The suite's active quarantines in {@code mode} ({@code mute} or {@code skip}). */
  public QueryOutcome<List<QuarantinedTest>> quarantined(String tenant, String suite, String mode) {
    try {
      return QueryOutcome.ok(quarantines(tenant, suite).stream().filter(q -> mode.equals(q.mode())).toList());
    } catch (Unavailable e) {
      return QueryOutcome.unavailable(e.getMessage(), TestpulseQueries.RETRY_AFTER);
    }
  }

  /** Keeps the client's run metadata of a suite (the latest {@value #METADATA_KEPT}). */
  public void recordMetadata(String tenant, String suite, Object body) {
    Deque<Object> kept = metadata.computeIfAbsent(tenant + '\u0000' + suite, k -> new ArrayDeque<>());
    synchronized (kept) {
      kept.addLast(body);
      while (kept.size() > METADATA_KEPT) {
        kept.removeFirst();
      }
    }
  }

  /** The run metadata kept for a suite, oldest first. */
  public List<Object> metadata(String tenant, String suite) {
    Deque<Object> kept = metadata.get(tenant + '\u0000' + suite);
    if (kept == null) {
      return List.of();
    }
    synchronized (kept) {
      return List.copyOf(kept);
    }
  }

  private TestPlan build(String tenant, String suite, PlanRequest request) {
    SuiteTests tests = suiteTests(tenant, suite);
    List<QuarantinedTest> quarantined = quarantines(tenant, suite);
    List<PlanTest> muted = new ArrayList<>();
    List<PlanTest> skipped = new ArrayList<>();
    Set<String> skippedKeys = new HashSet<>();
    for (QuarantinedTest q : quarantined) {
      PlanTest t = PlanTest.state(q.fileName(), q.testId(), q.scope(), q.name());
      if (QuarantineCommand.SKIP.equals(q.mode())) {
        skipped.add(t);
        skippedKeys.add(Timings.testKey(q.scope(), q.name()));
      } else {
        muted.add(t);
      }
    }
    return PlanBuilder.build(request, new PlanBuilder.Inputs(Timings.of(tests.tests()), muted, skipped, skippedKeys,
        window.toString(), tests.partial(), clock.millis()));
  }

  private SuiteTests suiteTests(String tenant, String suite) {
    Instant to = clock.instant();
    QueryOutcome<SuiteTests> tests = queries.suiteTests(tenant, suite, durations, to.minus(window), to);
    if (tests.status() != QueryOutcome.Status.OK) {
      throw new Unavailable(tests.detail());
    }
    return tests.value();
  }

  /** The suite's active quarantines, every page, oldest first. */
  private List<QuarantinedTest> quarantines(String tenant, String suite) {
    List<QuarantinedTest> all = new ArrayList<>();
    List<Object> after = null;
    String sort = "quarantined_at";
    do {
      QueryOutcome<ListPage<QuarantinedTest>> page = queries.quarantined(new ListQuery(tenant, Map.of(), sort, PAGE,
          after, false));
      if (page.status() != QueryOutcome.Status.OK) {
        throw new Unavailable(page.detail());
      }
      if (page.value().partial()) {
        throw new Unavailable("some instances did not answer the quarantine list");
      }
      page.value().items().stream().filter(q -> suite.equals(q.suite())).forEach(all::add);
      after = page.value().nextCursor() == null ? null
          : Cursors.decode(page.value().nextCursor(), QuarantineListSpec.NAME, sort, Map.of());
    } while (after != null);
    return all;
  }

  /** The query service could not answer: the caller should retry. */
  private static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message, null, false, false);
    }
  }
}
