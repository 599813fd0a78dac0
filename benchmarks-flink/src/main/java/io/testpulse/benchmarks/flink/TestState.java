package io.testpulse.benchmarks.flink;

/** Per-test counts kept in Flink keyed state (a POJO, serialized by Flink's POJO serializer). */
public class TestState {
  public long passed;
  public long failed;
  public long skipped;
  public long other;
  public long flips;
  public long firstSeen;
  public long lastSeen;
  public long version;

  public TestState() {
  }
}
