package io.testpulse.topology;

import static io.testpulse.topology.Executions.execution;
import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionLimitsTest {

  private static final Instant T0 = Instant.parse("2026-11-01T10:00:00Z");

  @Test
  void shouldCountUtf8BytesOfEveryTextFieldWhenMeasuring() {
    TestExecution e = execution("\u00e9\u20ac\ud83d\ude00", Result.PASSED, T0);
    e.setTags(Map.of("arch", "x86"));
    long expected = 0;
    for (String s : new String[] {e.getExecutionId(), e.getTenant(), e.getSuite(), e.getTestId(), e.getScope(),
        e.getName(), e.getFileName(), e.getRun().getKey(), e.getRun().getBranch(), e.getRun().getCommitSha()}) {
      expected += s.getBytes(StandardCharsets.UTF_8).length;
    }
    expected += ExecutionLimits.TAG_OVERHEAD_BYTES + "arch".length() + "x86".length();

    assertThat(ExecutionLimits.textBytes(e)).isEqualTo(expected);
    assertThat(ExecutionLimits.violation(e)).isNull();
  }

  @Test
  void shouldNameTheFailureReasonWhenOnlyItIsTooLong() {
    TestExecution e = execution("adds", Result.FAILED, T0);
    e.setFailureReason("r".repeat(ExecutionLimits.MAX_FAILURE_REASON_BYTES + 1));

    assertThat(ExecutionLimits.violation(e)).startsWith("failure_reason of 65537 UTF-8 bytes");
  }
}
