package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.TestpulseSerdes;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.Flip;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.Topics;
import io.testpulse.topology.Transition;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The per-test engine (SPEC sections 4 and the counts of 6): one processor per input owns the test's
 * {@link io.testpulse.avro.TestRecord} (de-duplication and attempts, counts, flakiness window, flips,
 * score, state, quarantine); the outage guard aggregates per run behind a repartition.
 *
 * <pre>
 * executions ─► test-engine-processor ─┬─► transitions (as they happen), test-stats (once per commit per changed test)
 * flip-verdicts ─► flip-verdict-processor ─┤─► flips
 * quarantine-commands ─► quarantine-processor ─┘
 *                                    ├─► accepted executions (attempt numbered): returned, for durations and enriched
 *                                    └─► RunMessage ─► repartition by run (flakiness-run-messages)
 *                                          ─► run-outcome-processor ─► flip-verdicts (back by test)
 * </pre>
 */
public final class EngineStep {

  /** Processor name of the executions' engine; pinned by TopologyNamesTest. */
  public static final String PROCESSOR = "test-engine-processor";
  /** The last node of the accepted executions' stream (for taps in tests). */
  public static final String ACCEPTED = "engine-accepted-cast";

  private EngineStep() {
  }

  /** Adds the engine; returns the accepted executions (duplicates dropped, attempts numbered). */
  public static KStream<String, TestExecution> addTo(StreamsBuilder builder, KStream<String, TestExecution> executions,
                                                     Topics topics, FlakinessPolicy policy, Duration dedupHorizon,
                                                     Duration statsEmitInterval) {
    builder.addStateStore(new WriteBehindStoreBuilder<>(Stores.TEST_RECORD, TestRecords::mutable));
    builder.addStateStore(evictedRuns(dedupHorizon));
    builder.addStateStore(Stores.STATS_PENDING.storeBuilder());
    builder.addStateStore(Stores.FLAKINESS_COMMITS.storeBuilder());
    builder.addStateStore(Stores.STATE_INDEX.storeBuilder());
    // Cached: one key per partition (the watermark) and one per run (the run's counts) are written by
    // every execution; the cache sends each key's latest value to the changelog once per commit.
    builder.addStateStore(Stores.FLAKINESS_WATERMARK.storeBuilder().withCachingEnabled());
    builder.addStateStore(Stores.RUN_OUTCOMES.storeBuilder().withCachingEnabled());
    builder.addStateStore(Stores.RUN_CANDIDATES.storeBuilder());

    KStream<String, Object> fromExecutions = executions.process(
        () -> new TestEngineProcessor(policy, dedupHorizon, statsEmitInterval), Named.as(PROCESSOR),
        Stores.TEST_RECORD.name(), Stores.DEDUP_EVICTED_RUNS, Stores.STATS_PENDING.name(), Stores.FLAKINESS_COMMITS.name(),
        Stores.FLAKINESS_WATERMARK.name(), Stores.STATE_INDEX.name());
    KStream<String, Object> fromVerdicts = builder
        .stream(topics.flipVerdicts().name(), topics.flipVerdicts().consumed())
        .process(() -> new FlipVerdictProcessor(policy), Named.as("flip-verdict-processor"),
            Stores.TEST_RECORD.name(), Stores.FLAKINESS_COMMITS.name(), Stores.STATE_INDEX.name());
    KStream<String, Object> fromCommands = builder
        .stream(topics.quarantineCommands().name(), topics.quarantineCommands().consumed())
        .process(() -> new QuarantineProcessor(policy), Named.as("quarantine-processor"),
            Stores.TEST_RECORD.name(), Stores.STATE_INDEX.name());
    KStream<String, Object> out = fromExecutions
        .merge(fromVerdicts, Named.as("flakiness-merge-verdicts"))
        .merge(fromCommands, Named.as("flakiness-merge-commands"));

    only(out, Transition.class, "flakiness-transitions").to(topics.transitions().name(), topics.transitions().produced());
    only(out, Flip.class, "flakiness-flips").to(topics.flips().name(), topics.flips().produced());
    only(out, TestStats.class, "flakiness-stats").to(topics.testStats().name(),
        Produced.with(topics.testStats().keySerde(), topics.testStats().valueSerde()).withName("test-stats-sink"));
    only(out, RunMessage.class, "flakiness-run-messages")
        .repartition(Repartitioned.with(Serdes.String(), TestpulseSerdes.json(RunMessage.class))
            .withName("flakiness-run-messages"))
        .process(() -> new RunOutcomeProcessor(policy), Named.as("run-outcome-processor"), Stores.RUN_OUTCOMES.name(),
            Stores.RUN_CANDIDATES.name())
        .to(topics.flipVerdicts().name(), topics.flipVerdicts().produced());
    return only(out, TestExecution.class, "engine-accepted"); // ACCEPTED is its last node
  }

  /** Batches of runs a record no longer keeps; several batches may share a key and a time. */
  private static StoreBuilder<WindowStore<String, io.testpulse.avro.EvictedRuns>> evictedRuns(Duration horizon) {
    return org.apache.kafka.streams.state.Stores.windowStoreBuilder(
        org.apache.kafka.streams.state.Stores.persistentWindowStore(Stores.DEDUP_EVICTED_RUNS, horizon,
            Duration.ofMillis(1), true),
        Serdes.String(), TestpulseSerdes.evictedRuns());
  }

  private static <T> KStream<String, T> only(KStream<String, Object> out, Class<T> type, String name) {
    return out.filter((key, value) -> type.isInstance(value), Named.as(name + "-filter"))
        .mapValues(type::cast, Named.as(name + "-cast"));
  }
}
