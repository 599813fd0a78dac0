package io.testpulse.interactive;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One page of a list for one tenant.
 *
 * @param tenant whose keys are scanned (the caller's, from the token; never from the request)
 * @param filters validated filter values by name (absent: no filter)
 * @param sort one of the list's sorts
 * @param limit page size
 * @param after the sort key of the last row of the previous page (from the cursor), or null for the first page
 * @param allowStale whether standby replicas may answer partitions whose active is unavailable
 */
public record ListQuery(String tenant, Map<String, String> filters, String sort, int limit, List<Object> after,
    boolean allowStale) {

  public ListQuery {
    Objects.requireNonNull(tenant, "tenant");
    filters = Map.copyOf(filters);
    Objects.requireNonNull(sort, "sort");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }

  public String filter(String name) {
    return filters.get(name);
  }
}
