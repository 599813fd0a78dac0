package io.testpulse.testkit;

import io.testpulse.topology.TestKeys;
import java.util.Objects;

/**
 * The identity of one test, as testpulse sees it: (tenant, suite, scope, name). Its
 * {@link #testId()} and {@link #key()} are computed exactly as the topology computes them
 * ({@link TestKeys}), so a test looks up state by the same identity it sent executions with.
 *
 * @param tenant the tenant slug (matches {@link TestKeys#TENANT})
 * @param suite the test suite slug
 * @param scope the test's scope, e.g. its class or {@code describe} block; may be null
 * @param name the test's name
 */
public record TestRef(String tenant, String suite, String scope, String name) {

  public TestRef {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(name, "name");
    if (!TestKeys.isValidTenant(tenant)) {
      throw new IllegalArgumentException("invalid tenant '" + tenant + "' (must match " + TestKeys.TENANT + ")");
    }
  }

  /** The stable test id: 32 hex characters, the same across runs. */
  public String testId() {
    return TestKeys.testId(tenant, suite, scope, name);
  }

  /** The record key of this test in every testpulse topic and store: {@code tenant/test_id}. */
  public String key() {
    return TestKeys.key(tenant, testId());
  }

  @Override
  public String toString() {
    return key() + " (" + suite + ": " + (scope == null ? "" : scope + " > ") + name + ")";
  }
}
