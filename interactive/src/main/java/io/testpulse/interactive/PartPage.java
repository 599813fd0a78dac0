package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One instance's part of a list: its best rows after the cursor, in order, and the partitions it
 * answered for. Sent between instances as JSON.
 *
 * @param items at most {@code limit} rows, sorted
 * @param more whether this instance had more rows than it sent
 * @param partitions the partitions this part covers
 * @param <R> row type
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PartPage<R>(List<R> items, boolean more, List<PartitionAnswer> partitions) {

  /**
   * @param partition a store partition
   * @param stale true when a standby replica answered
   * @param offsetLag its offset lag when stale (-1 unknown), else null
   * @param servedBy {@code host:port} of the instance that answered
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record PartitionAnswer(int partition, boolean stale, Long offsetLag, String servedBy) {
  }
}
