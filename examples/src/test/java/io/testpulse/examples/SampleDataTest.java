package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.avro.Result;
import io.testpulse.avro.TestExecution;
import io.testpulse.examples.SampleData.Nature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleDataTest {

  private final SampleData data = new SampleData(new SampleData.Shape("demo", 400, 60, 0.05, 0.02,
      Duration.ofDays(10), Instant.parse("2026-11-20T00:00:00Z"), 7L));

  private List<TestExecution> all() {
    List<TestExecution> list = new ArrayList<>();
    data.generate(list::add);
    return list;
  }

  @Test
  void shouldBeReproducibleForTheSameSeed() {
    assertThat(all()).isEqualTo(all());
  }

  @Test
  void shouldContainEveryNature() {
    assertThat(data.tests()).extracting(SampleData.SampleTest::nature)
        .contains(Nature.HEALTHY, Nature.FLAKY, Nature.BROKEN);
  }

  @Test
  void shouldMakeHealthyTestsAlwaysPassAndFlakyTestsBothPassAndFail() {
    Map<String, Nature> nature = new HashMap<>();
    data.tests().forEach(t -> nature.put(t.testId(), t.nature()));
    Map<Nature, Map<Result, Long>> counts = new HashMap<>();
    for (TestExecution e : all()) {
      if (e.getRun().getKey().endsWith(SampleData.OUTAGE_SUFFIX)) {
        continue;
      }
      counts.computeIfAbsent(nature.get(e.getTestId()), n -> new HashMap<>()).merge(e.getResult(), 1L, Long::sum);
    }
    assertThat(counts.get(Nature.HEALTHY)).containsOnlyKeys(Result.PASSED);
    assertThat(counts.get(Nature.FLAKY)).containsKeys(Result.PASSED, Result.FAILED);
    assertThat(counts.get(Nature.BROKEN).get(Result.FAILED)).isGreaterThan(counts.get(Nature.BROKEN).get(Result.PASSED));
  }

  @Test
  void shouldNumberRetriesAsLaterAttemptsOfTheSameRun() {
    List<TestExecution> retries = all().stream().filter(e -> e.getAttempt() == 1).toList();

    assertThat(retries).isNotEmpty();
    assertThat(all().stream().filter(e -> e.getAttempt() == 0).map(TestExecution::getExecutionId).distinct().count())
        .isEqualTo(400L * 60 + 400);
  }

  @Test
  void shouldContainOneOutageRunInWhichEveryFirstAttemptFails() {
    List<TestExecution> outage = all().stream().filter(e -> e.getRun().getKey().endsWith(SampleData.OUTAGE_SUFFIX))
        .toList();

    assertThat(outage.stream().filter(e -> e.getAttempt() == 0)).hasSize(400)
        .allSatisfy(e -> assertThat(e.getResult()).isEqualTo(Result.FAILED));
    assertThat(outage.stream().map(e -> e.getRun().getCommitSha()).distinct()).hasSize(1);
  }
}
