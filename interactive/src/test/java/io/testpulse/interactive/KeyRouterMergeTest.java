package io.testpulse.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.testpulse.topology.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Merging instances' parts of a list: global order, paging by cursor without repeats or gaps, partial flags. */
class KeyRouterMergeTest {

  private final TestListSpec spec = new TestListSpec(Topics.withPrefix("t"));

  @Test
  void shouldPageThroughEveryRowOnceInGlobalOrderWhenPartsComeFromSeveralInstances() {
    List<TestSummary> all = IntStream.range(0, 23).mapToObj(i -> row(i, (i * 7) % 10 / 10.0)).toList();
    List<List<TestSummary>> instances = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    all.forEach(r -> instances.get(Math.abs(r.testId().hashCode()) % 3).add(r));
    boolean[] descending = spec.descending("reliability");

    List<TestSummary> paged = new ArrayList<>();
    List<Object> after = null;
    for (int page = 0; page < 20; page++) {
      ListQuery query = new ListQuery("acme", Map.of(), "reliability", 4, after, false);
      List<PartPage<TestSummary>> parts = new ArrayList<>();
      for (List<TestSummary> rows : instances) {
        parts.add(part(rows, query, descending));
      }
      ListPage<TestSummary> result = KeyRouter.merge(spec, query, parts, Set.of());
      paged.addAll(result.items());
      assertThat(result.partial()).isFalse();
      if (result.nextCursor() == null) {
        break;
      }
      after = Cursors.decode(result.nextCursor(), "tests", "reliability", Map.of());
    }

    Comparator<TestSummary> order = (x, y) -> SortKeys.compare(spec.sortKey(x, "reliability"),
        spec.sortKey(y, "reliability"), descending);
    assertThat(paged).hasSize(all.size()).doesNotHaveDuplicates().isSortedAccordingTo(order);
  }

  @Test
  void shouldFlagPartialAndNameMissingPartitionsWhenAPartIsMissing() {
    ListQuery query = new ListQuery("acme", Map.of(), "score", 10, null, false);
    PartPage<TestSummary> only = new PartPage<>(List.of(row(1, 0.5)), false,
        List.of(new PartPage.PartitionAnswer(0, false, null, "a:1"),
            new PartPage.PartitionAnswer(2, true, 7L, "a:1")));

    ListPage<TestSummary> result = KeyRouter.merge(spec, query, List.of(only), Set.of(1, 3));

    assertThat(result.partial()).isTrue();
    assertThat(result.missingPartitions()).containsExactly(1, 3);
    assertThat(result.stale()).isTrue();
    assertThat(result.stalePartitions()).extracting(PartPage.PartitionAnswer::partition).containsExactly(2);
    assertThat(result.nextCursor()).isNull();
  }

  /** What an instance answers for its rows: the same filter, order and limit KeyRouter.listLocal applies. */
  private PartPage<TestSummary> part(List<TestSummary> rows, ListQuery query, boolean[] descending) {
    List<TestSummary> after = rows.stream()
        .filter(r -> query.after() == null
            || SortKeys.compare(spec.sortKey(r, query.sort()), query.after(), descending) > 0)
        .sorted((x, y) -> SortKeys.compare(spec.sortKey(x, query.sort()), spec.sortKey(y, query.sort()), descending))
        .collect(Collectors.toList());
    return new PartPage<>(after.stream().limit(query.limit()).toList(), after.size() > query.limit(), List.of());
  }

  private static TestSummary row(int i, double reliability) {
    String id = String.format("%032x", i * 2654435761L);
    return new TestSummary("acme/" + id, "acme", "web", id, "Cart", "case " + i, null, null, null, null, null, null,
        null, null, reliability, 10, i % 4, 0, 0, 10 + i % 4, 0, 0, "PASSED", 1);
  }
}
