package io.testpulse.topology.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.FlipVerdict;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.Transition;
import io.testpulse.topology.reference.FlakinessReference;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outage guard's verdict travels through two topics (run messages, then flip verdicts), so on
 * a real cluster it can reach the test after later executions of it, most of all after a broker
 * outage. TopologyTestDriver always delivers it at once; here the flakiness processors run on
 * {@link MockProcessorContext}s and the test decides when the run messages and the verdicts are
 * delivered. Whatever the delay, the transitions must be the reference model's.
 */
class DelayedVerdictsTest {

  private static final Instant T0 = Instant.parse("2026-10-01T00:00:00Z");
  private static final String TENANT = "acme";
  private static final String KEY = TestKeys.key(TENANT, TestKeys.testId(TENANT, "web", "Cart", "adds"));

  @TempDir
  Path stateDir;

  private Processors tp;
  private FlakinessReference reference;
  private int minute;

  @AfterEach
  void close() {
    if (tp != null) {
      tp.close();
    }
  }

  @Test
  void shouldStayFlakyWhenTheOlderFlipExpiresWhileTheNewFlipsVerdictIsOnItsWay() {
    start(FlakinessPolicy.defaults().withRecovery(Duration.ofDays(7), 5));
    flip("c1", "r1", "r2");
    tp.deliver();
    passes(2);
    flip("c2", "r3", "r4"); // its verdict waits
    passes(3); // the flip on c1 is 5 executions old: without the wait the test would recover here

    assertThat(tp.transitions(KEY)).as("no recovery while a verdict is on its way").extracting(Transition::to)
        .containsExactly("HEALTHY", "FLAKY");
    tp.deliver();
    passes(5);

    assertThat(changes(tp.transitions)).containsExactlyElementsOf(changes(reference))
        .containsExactly("null>HEALTHY:first_execution", "HEALTHY>FLAKY:same_commit_flip",
            "FLAKY>HEALTHY:no_recent_flip");
    assertThat(tp.state(KEY).getFlipsTotal()).isEqualTo(2);
  }

  @Test
  void shouldStopWaitingWhenTheLateFlipCouldNoLongerKeepTheTestFlaky() {
    start(FlakinessPolicy.defaults().withRecovery(Duration.ofDays(7), 5));
    flip("c1", "r1", "r2");
    tp.deliver();
    passes(2);
    flip("c2", "r3", "r4"); // its verdict waits 5 executions: confirmed, it would have expired already
    passes(5);

    assertThat(tp.transitions(KEY)).extracting(Transition::to).containsExactly("HEALTHY", "FLAKY", "HEALTHY");
    tp.deliver();

    assertThat(changes(tp.transitions)).containsExactlyElementsOf(changes(reference));
    assertThat(tp.state(KEY).getFlipsTotal()).isEqualTo(2);
    assertThat(tp.state(KEY).getState()).isEqualTo("HEALTHY");
  }

  @Test
  void shouldRecoverOnceTheHeldVerdictDeclinesAFlipInAnOutageRun() {
    start(FlakinessPolicy.defaults().withRecovery(Duration.ofDays(7), 5).withOutageGuard(0.5, 2));
    flip("c1", "r1", "r2");
    tp.deliver();
    passes(2);
    send("removes", Result.FAILED, "r3", "c2"); // with the failure below: r3 is an outage
    flip("c2", "r3", "r4"); // its candidate is declined when it arrives
    passes(3);

    assertThat(tp.transitions(KEY)).extracting(Transition::to).containsExactly("HEALTHY", "FLAKY");
    tp.deliver();

    assertThat(changes(tp.transitions)).containsExactlyElementsOf(changes(reference));
    assertThat(tp.transitions(KEY)).extracting(t -> t.from() + ">" + t.to() + ":" + t.reason())
        .containsExactly("null>HEALTHY:first_execution", "HEALTHY>FLAKY:same_commit_flip",
            "FLAKY>HEALTHY:no_recent_flip");
    assertThat(tp.state(KEY).getFlipsTotal()).isEqualTo(1);
  }

  @Test
  void shouldCountALateFlipFromItsCandidatesExecutionNotFromItsArrival() {
    start(FlakinessPolicy.defaults().withRecovery(Duration.ofDays(7), 5));
    flip("c1", "r1", "r2"); // the verdict waits 3 executions
    passes(3);
    tp.deliver();
    passes(2); // 5 executions after the candidate: recovered, as if the verdict had come at once

    assertThat(changes(tp.transitions)).containsExactlyElementsOf(changes(reference))
        .containsExactly("null>HEALTHY:first_execution", "HEALTHY>FLAKY:same_commit_flip",
            "FLAKY>HEALTHY:no_recent_flip");
  }

  private void start(FlakinessPolicy policy) {
    tp = new Processors(policy, stateDir);
    reference = new FlakinessReference(policy);
  }

  /** A failing run and a passing run on one commit: a flip candidate. */
  private void flip(String commit, String failRun, String passRun) {
    send(Result.FAILED, failRun, commit);
    send(Result.PASSED, passRun, commit);
  }

  private void passes(int n) {
    for (int i = 0; i < n; i++) {
      send(Result.PASSED, "p" + minute, "c-p" + minute);
    }
  }

  private void send(Result result, String run, String commit) {
    send("adds", result, run, commit);
  }

  private void send(String name, Result result, String run, String commit) {
    TestExecution e = TestExecution.newBuilder()
        .setExecutionId("e" + minute).setTenant(TENANT).setSuite("web")
        .setTestId(TestKeys.testId(TENANT, "web", "Cart", name))
        .setScope("Cart").setName(name).setResult(result).setDurationMicros(1_000)
        .setEventTime(T0.plus(Duration.ofMinutes(minute++)))
        .setRun(RunInfo.newBuilder().setKey(run).setBranch("main").setCommitSha(commit).build())
        .setAttempt(0).setTags(Map.of()).build();
    tp.execution(e);
    reference.execution(e);
  }

  private static List<String> changes(List<Transition> transitions) {
    return transitions.stream().map(t -> t.from() + ">" + t.to() + ":" + t.reason()).toList();
  }

  private static List<String> changes(FlakinessReference reference) {
    return reference.changes().stream().map(c -> c.from() + ">" + c.to() + ":" + c.reason()).toList();
  }

  /**
   * The flakiness processors of one test's partition and the outage guard's, with the run
   * messages and the verdicts between them held until {@link #deliver()}.
   */
  private static final class Processors implements AutoCloseable {

    final List<Transition> transitions = new ArrayList<>();
    private final MockProcessorContext<String, Object> tests;
    private final MockProcessorContext<String, FlipVerdict> runs;
    private final TestEngineProcessor flakiness;
    private final FlipVerdictProcessor verdicts;
    private final RunOutcomeProcessor outcomes;
    private final WriteBehindStore<String, io.testpulse.avro.TestRecord> records;
    private final Deque<Record<String, RunMessage>> runMessages = new ArrayDeque<>();

    Processors(FlakinessPolicy policy, Path stateDir) {
      tests = MockTask.context("delayed-verdicts", stateDir);
      tests.setCurrentSystemTimeMs(0);
      tests.setCurrentStreamTimeMs(0);
      runs = MockTask.context("delayed-verdicts", stateDir);
      records = MockTask.records(tests);
      MockTask.evictedRuns(tests, Duration.ofDays(7));
      MockTask.store(tests, Stores.STATS_PENDING);
      MockTask.store(tests, Stores.FLAKINESS_COMMITS);
      MockTask.store(tests, Stores.FLAKINESS_WATERMARK);
      MockTask.store(tests, Stores.STATE_INDEX);
      MockTask.store(runs, Stores.RUN_OUTCOMES);
      MockTask.store(runs, Stores.RUN_CANDIDATES);
      flakiness = new TestEngineProcessor(policy, Duration.ofDays(7), Duration.ZERO);
      flakiness.init(tests);
      verdicts = new FlipVerdictProcessor(policy);
      verdicts.init(tests);
      outcomes = new RunOutcomeProcessor(policy);
      outcomes.init(runs);
    }

    void execution(TestExecution e) {
      flakiness.process(new Record<>(TestKeys.key(e.getTenant(), e.getTestId()), e, e.getEventTime().toEpochMilli()));
      records.flushCache(); // the commit: the run's counts go to the outage guard
      collect();
    }

    /** Delivers the held run messages to the outage guard, then its verdicts to the test. */
    void deliver() {
      while (!runMessages.isEmpty()) {
        outcomes.process(runMessages.poll());
      }
      List<Record<String, FlipVerdict>> answers = new ArrayList<>();
      runs.forwarded().forEach(f -> answers.add(new Record<>(f.record().key(), f.record().value(), f.record().timestamp())));
      runs.resetForwards();
      for (Record<String, FlipVerdict> answer : answers) {
        verdicts.process(answer);
        collect();
      }
    }

    io.testpulse.avro.FlakinessState state(String key) {
      return records.forUpdate(key).getFlakiness();
    }

    List<Transition> transitions(String key) {
      return transitions.stream().filter(t -> t.key().equals(key)).toList();
    }

    @SuppressWarnings("unchecked")
    private void collect() {
      for (var forward : tests.forwarded()) {
        Object value = forward.record().value();
        if (value instanceof Transition t) {
          transitions.add(t);
        } else if (value instanceof RunMessage) {
          runMessages.add((Record<String, RunMessage>) (Record<?, ?>) forward.record());
        }
      }
      tests.resetForwards();
    }

    @Override
    public void close() {
      flakiness.close();
      verdicts.close();
      outcomes.close();
    }
  }
}
