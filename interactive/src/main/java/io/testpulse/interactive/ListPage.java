package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A page of a list, merged from every instance. Never silently short: when a partition's instance
 * did not answer in time, {@code partial} is true and the partition is in {@code missingPartitions}.
 *
 * @param items the rows of this page, in the requested order
 * @param nextCursor pass as {@code cursor} for the next page; null on the last page
 * @param partial whether some partitions are missing from this answer
 * @param missingPartitions the store partitions that did not answer
 * @param stale whether some partitions were answered by standby replicas ({@code allowStale=true})
 * @param stalePartitions those partitions, with their offset lag
 * @param <R> row type
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ListPage<R>(List<R> items, String nextCursor, boolean partial, List<Integer> missingPartitions,
    boolean stale, List<PartPage.PartitionAnswer> stalePartitions) {
}
