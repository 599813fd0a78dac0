package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.TestpulseSerdes;
import io.testpulse.topology.FlakinessPolicy;
import io.testpulse.topology.Flip;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestStats;
import io.testpulse.topology.Topics;
import io.testpulse.topology.Transition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The flakiness engine (SPEC section 4): same-commit flips, window, failure rate, states with
 * hysteresis, score, quarantine, and the outage guard. Must be added before {@link StatsStep}, whose
 * processor reads the flakiness state this step has just updated for the same execution.
 *
 * <pre>
 * executions ─► flakiness-processor ─┬─► transitions, flips, test-stats (changes not caused by an execution)
 * flip-verdicts ─► flip-verdict-processor ─┤
 * quarantine-commands ─► quarantine-processor ─┘
 *                                    └─► RunMessage ─► repartition by run (flakiness-run-messages)
 *                                          ─► run-outcome-processor ─► flip-verdicts (back by test)
 * </pre>
 */
public final class FlakinessStep {

  private FlakinessStep() {
  }

  public static void addTo(StreamsBuilder builder, KStream<String, TestExecution> executions, Topics topics,
                           FlakinessPolicy policy) {
    builder.addStateStore(Stores.FLAKINESS_STATE.storeBuilder());
    builder.addStateStore(Stores.FLAKINESS_COMMITS.storeBuilder());
    builder.addStateStore(Stores.STATE_INDEX.storeBuilder());
    // Cached: one key per partition (the watermark) and one per run (the run's counts) are written by
    // every execution; the cache sends each key's latest value to the changelog once per commit
    // instead of once per execution (about one changelog record less per execution each).
    builder.addStateStore(Stores.FLAKINESS_WATERMARK.storeBuilder().withCachingEnabled());
    builder.addStateStore(Stores.RUN_OUTCOMES.storeBuilder().withCachingEnabled());
    builder.addStateStore(Stores.RUN_CANDIDATES.storeBuilder());

    KStream<String, Object> fromExecutions = executions.process(() -> new FlakinessProcessor(policy),
        Named.as("flakiness-processor"), Stores.FLAKINESS_STATE.name(), Stores.FLAKINESS_COMMITS.name(),
        Stores.FLAKINESS_WATERMARK.name(), Stores.STATE_INDEX.name());
    KStream<String, Object> fromVerdicts = builder
        .stream(topics.flipVerdicts().name(), topics.flipVerdicts().consumed())
        .process(() -> new FlipVerdictProcessor(policy), Named.as("flip-verdict-processor"),
            Stores.FLAKINESS_STATE.name(), Stores.FLAKINESS_COMMITS.name(), Stores.TEST_STATE.name(),
            Stores.STATE_INDEX.name());
    KStream<String, Object> fromCommands = builder
        .stream(topics.quarantineCommands().name(), topics.quarantineCommands().consumed())
        .process(() -> new QuarantineProcessor(policy), Named.as("quarantine-processor"),
            Stores.FLAKINESS_STATE.name(), Stores.TEST_STATE.name(), Stores.STATE_INDEX.name());
    KStream<String, Object> out = fromExecutions
        .merge(fromVerdicts, Named.as("flakiness-merge-verdicts"))
        .merge(fromCommands, Named.as("flakiness-merge-commands"));

    only(out, Transition.class, "flakiness-transitions").to(topics.transitions().name(), topics.transitions().produced());
    only(out, Flip.class, "flakiness-flips").to(topics.flips().name(), topics.flips().produced());
    only(out, TestStats.class, "flakiness-stats").to(topics.testStats().name(),
        Produced.with(topics.testStats().keySerde(), topics.testStats().valueSerde()).withName("flakiness-test-stats-sink"));
    only(out, RunMessage.class, "flakiness-run-messages")
        .repartition(Repartitioned.with(Serdes.String(), TestpulseSerdes.json(RunMessage.class))
            .withName("flakiness-run-messages"))
        .process(() -> new RunOutcomeProcessor(policy), Named.as("run-outcome-processor"), Stores.RUN_OUTCOMES.name(),
            Stores.RUN_CANDIDATES.name())
        .to(topics.flipVerdicts().name(), topics.flipVerdicts().produced());
  }

  private static <T> KStream<String, T> only(KStream<String, Object> out, Class<T> type, String name) {
    return out.filter((key, value) -> type.isInstance(value), Named.as(name + "-filter"))
        .mapValues(type::cast, Named.as(name + "-cast"));
  }
}
