package io.testpulse.reliability;

import io.testpulse.topology.TestpulseConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The cluster a {@link Scenario} runs against. The chaos harness implements it with a broker and
 * testpulse instances as child JVMs (so faults are real signals to real processes); an integration
 * test may implement it in-process for the scenarios that need no process faults.
 */
public interface ChaosContext {

  /** Quick mode (CI): fewer events and shorter phases, the same checks. */
  boolean quick();

  String bootstrapServers();

  /** The configuration every instance runs with: topic names, tenant tokens, limits. */
  TestpulseConfig config();

  /** The tenant the tokens below belong to. */
  String tenant();

  /** A token of that tenant with the given role: {@code read}, {@code ingest} or {@code admin}. */
  String token(String role);

  /** Base URLs of the running instances' HTTP APIs, e.g. {@code http://localhost:41234}. */
  List<URI> instances();

  /** Whether instance {@code i} (an index into {@link #instances()}) is still alive. */
  boolean alive(int instance);

  /** Resident memory of instance {@code i} in bytes (heap used where the instance is in-process). */
  long memoryBytes(int instance);

  /** A directory the scenario may write scratch files and logs to. */
  Path workDir();
}
