package io.testpulse.benchmarks.flink;

/**
 * The fields of a {@code TestExecution} the job uses, as a Flink POJO (public fields, no-arg
 * constructor) so Flink serializes it with its own POJO serializer rather than Kryo.
 */
public class Exec {
  public String key;
  public String executionId;
  public String suite;
  public String runKey;
  public String commitSha;
  /** 0 passed, 1 failed, 2 skipped, 3 other. */
  public int result;
  public long durationMicros;
  public long eventTime;
  /**
   * The enriched row (every field of the execution, flat, as the topology's enriched topic has it)
   * as JSON without its closing brace: the job appends the attempt it numbers.
   */
  public String row;

  public Exec() {
  }
}
