package io.testpulse.topology.internals;

import io.testpulse.avro.FlakinessState;
import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestStats;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-test counts, reliability and last seen: reads the test's state, applies one execution,
 * writes it back and forwards the new {@link TestStats}.
 */
public final class TestStatsProcessor implements Processor<String, TestExecution, String, TestStats> {

  private final StoreHandle<String, TestState> storeHandle;
  private KeyValueStore<String, TestState> store;
  private KeyValueStore<String, FlakinessState> flakiness;
  private ProcessorContext<String, TestStats> context;

  public TestStatsProcessor(StoreHandle<String, TestState> storeHandle) {
    this.storeHandle = storeHandle;
  }

  @Override
  public void init(ProcessorContext<String, TestStats> context) {
    this.context = context;
    this.store = context.getStateStore(storeHandle.name());
    this.flakiness = context.getStateStore(Stores.FLAKINESS_STATE.name());
  }

  @Override
  public void process(Record<String, TestExecution> record) {
    ExecutionValidator.validate(record.key(), record.value());
    TestState state = apply(store.get(record.key()), record.value());
    store.put(record.key(), state);
    context.forward(record.withValue(TestStats.from(state, flakiness.get(record.key()))));
  }

  /** The state after one more execution. Pure: also used by the reference model in tests. */
  public static TestState apply(TestState previous, TestExecution e) {
    Instant at = e.getEventTime();
    TestState.Builder next = previous == null
        ? TestState.newBuilder()
            .setTenant(e.getTenant()).setSuite(e.getSuite()).setTestId(e.getTestId())
            .setFirstSeen(at).setLastSeen(at).setVersion(0)
        : TestState.newBuilder(previous);
    // Names and files may change (a renamed file); the latest execution wins.
    next.setScope(e.getScope()).setName(e.getName()).setFileName(e.getFileName());
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
    return next.build();
  }
}
