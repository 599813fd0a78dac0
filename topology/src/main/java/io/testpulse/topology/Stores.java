package io.testpulse.topology;

import io.testpulse.avro.TestState;
import io.testpulse.serdes.TestpulseSerdes;
import org.apache.kafka.common.serialization.Serdes;

/** Every state store of the testpulse topology. Renaming one orphans its state: see TopologyNamesTest. */
public final class Stores {

  /** Per-test state keyed by {@code tenant/test_id}. */
  public static final StoreHandle<String, TestState> TEST_STATE =
      StoreHandle.keyValue("test-state", Serdes.String(), TestpulseSerdes.testState());

  private Stores() {
  }
}
