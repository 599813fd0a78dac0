package io.testpulse.benchmarks.flink;

/** One duration on its way to the per-suite rollup (the topology's duration-rollups repartition). */
public class SuiteDuration {
  public String suite;
  public long eventTime;
  public long durationMicros;

  public SuiteDuration() {
  }
}
