package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One instance of the application, as Kafka Streams metadata names it.
 *
 * @param host its {@code application.server} ({@code host:port})
 * @param self whether it is the instance that answered
 * @param activePartitions the input partitions it processes
 * @param standbyPartitions the partitions it keeps a standby replica of
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InstanceInfo(String host, boolean self, List<Integer> activePartitions,
    List<Integer> standbyPartitions) {
}
