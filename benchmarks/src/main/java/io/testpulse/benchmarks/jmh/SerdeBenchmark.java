package io.testpulse.benchmarks.jmh;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.avro.TestState;
import io.testpulse.examples.SampleData;
import io.testpulse.serdes.AvroSerde;
import io.testpulse.serdes.JsonSerde;
import io.testpulse.serdes.TestpulseSerdes;
import io.testpulse.topology.TestStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The serdes on the topology's hot path: every input record is an Avro {@code TestExecution}
 * (deserialized once), every state update reads and writes an Avro {@code TestState}, every
 * output is a JSON {@code TestStats}. Inputs are real generated executions.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SerdeBenchmark {

  private final AvroSerde<TestExecution> executions = TestpulseSerdes.testExecution();
  private final AvroSerde<TestState> states = TestpulseSerdes.testState();
  private final JsonSerde<TestStats> stats = TestpulseSerdes.json(TestStats.class);
  private TestExecution execution;
  private byte[] executionBytes;
  private TestState state;
  private byte[] stateBytes;
  private TestStats testStats;

  @Setup
  public void setUp() {
    List<TestExecution> sample = new ArrayList<>();
    new SampleData(new SampleData.Shape("bench", 50, 2, 0.05, 0.01, java.time.Duration.ofDays(1),
        Instant.parse("2026-11-01T00:00:00Z"), 1L)).generate(sample::add);
    execution = sample.get(sample.size() / 2);
    executionBytes = executions.serializer().serialize("t", execution);
    state = TestState.newBuilder().setTenant(execution.getTenant()).setSuite(execution.getSuite())
        .setTestId(execution.getTestId()).setScope(execution.getScope()).setName(execution.getName())
        .setFileName(execution.getFileName()).setPassed(190).setFailed(7).setSkipped(3).setOther(0)
        .setFirstSeen(execution.getEventTime()).setLastSeen(execution.getEventTime()).setLastResult(Result.PASSED)
        .build();
    stateBytes = states.serializer().serialize("t", state);
    testStats = TestStats.from(state);
  }

  @Benchmark
  public TestExecution executionDeserialize() {
    return executions.deserializer().deserialize("t", executionBytes);
  }

  @Benchmark
  public byte[] executionSerialize() {
    return executions.serializer().serialize("t", execution);
  }

  @Benchmark
  public TestState stateDeserialize() {
    return states.deserializer().deserialize("t", stateBytes);
  }

  @Benchmark
  public byte[] stateSerialize() {
    return states.serializer().serialize("t", state);
  }

  @Benchmark
  public byte[] statsJsonSerialize() {
    return stats.serializer().serialize("t", testStats);
  }
}
