package io.testpulse.interactive;

import io.testpulse.topology.StoreHandle;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A list the query API answers by fanning out to every instance: which store it scans (one
 * tenant's key range), how a stored value becomes a row, how rows filter and sort. Every instance
 * applies it to its own partitions; the coordinating instance merges the parts with the same order.
 *
 * @param <V> the stored value
 * @param <R> the row answered (a JSON-mappable record, sent between instances)
 */
public interface ListSpec<V, R> {

  /** The list's name in internal URLs and cursors, e.g. {@code tests}. */
  String name();

  StoreHandle<String, V> store();

  /** The input topic of the store's sub-topology: its partitions are the store's partitions. */
  String sourceTopic();

  Class<R> rowType();

  /** The sort orders this list accepts; the first is the default. */
  List<String> sorts();

  /** The filter parameters this list accepts. */
  Set<String> filters();

  /**
   * A second store of the same sub-topology (so its partition {@code p} lives in the same task as
   * {@link #store()}'s), read over the same keys and handed to {@link #row} by key; null for none.
   */
  default StoreHandle<String, ?> joinedStore() {
    return null;
  }

  /**
   * Where an index narrows a query down: a key range of an index store of the same sub-topology,
   * whose keys map to the keys of {@link #store()} to read. The rows still go through {@link #row},
   * so an index entry a moment out of date is filtered out like any other row.
   *
   * @param keyOf the {@link #store()} key of an index key
   */
  record IndexScan(StoreHandle<String, String> store, String from, String to, Function<String, String> keyOf) {
  }

  /** The index scan that answers {@code query}, or null to scan the tenant's whole key range. */
  default IndexScan indexScan(ListQuery query) {
    return null;
  }

  /**
   * The row of a stored value, or null when the query's filters exclude it.
   *
   * @param joined the value of the same key in {@link #joinedStore()}, or null
   */
  R row(V value, Object joined, ListQuery query);

  /** The row's position in {@code sort}; the last element must make the order total (e.g. the test id). */
  List<Object> sortKey(R row, String sort);

  /** For each element of {@link #sortKey}, whether larger values come first. Nulls always come last. */
  boolean[] descending(String sort);
}
