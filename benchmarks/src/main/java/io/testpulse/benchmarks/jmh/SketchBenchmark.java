package io.testpulse.benchmarks.jmh;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import java.io.IOException;
import java.util.SplittableRandom;
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
 * Duration sketches (DDSketch, 1% relative accuracy, the library the project pins): one update as
 * a state store does it (decode, accept, encode), and a merge of two per-test sketches as a query
 * over a time range does. Measures the library on the project's value shapes (lognormal durations
 * in milliseconds); the project's own sketch step is measured end to end by the harness.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SketchBenchmark {

  private byte[] encoded;
  private DDSketch a;
  private DDSketch b;
  private final SplittableRandom random = new SplittableRandom(3);

  @Setup
  public void setUp() {
    a = DDSketches.unboundedDense(0.01);
    b = DDSketches.unboundedDense(0.01);
    for (int i = 0; i < 500; i++) {
      a.accept(duration());
      b.accept(duration());
    }
    encoded = bytes(a);
  }

  private double duration() {
    double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    return 350 * Math.exp(0.3 * gaussian);
  }

  private static byte[] bytes(DDSketch sketch) {
    GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
    try {
      sketch.encode(out, false);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.trimmedCopy();
  }

  @Benchmark
  public void accept() {
    a.accept(duration());
  }

  @Benchmark
  public byte[] decodeAcceptEncode() throws IOException {
    DDSketch s = DDSketch.decode(ByteArrayInput.wrap(encoded), UnboundedSizeDenseStore::new);
    s.accept(duration());
    return bytes(s);
  }

  @Benchmark
  public DDSketch merge() {
    DDSketch copy = a.copy();
    copy.mergeWith(b);
    return copy;
  }

  @Benchmark
  public double quantile() {
    return a.getValueAtQuantile(0.99);
  }
}
