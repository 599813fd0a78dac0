package io.testpulse.reliability;

/**
 * One fault-injection scenario of {@code bin/testpulse chaos}: it drives load and faults against the
 * cluster the {@link ChaosContext} describes, compares what testpulse answers with what the
 * reference model expects, and reports its figures.
 */
public interface Scenario {

  /** A short, stable name, used in the JSON report ({@code kill-instance}, {@code poison-pills} ...). */
  String name();

  ScenarioReport run(ChaosContext context) throws Exception;
}
