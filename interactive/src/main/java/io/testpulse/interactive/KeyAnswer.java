package io.testpulse.interactive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One instance's answer to a forwarded key lookup (internal API, JSON): the value in the store's own
 * serialization, base64, so any store can be forwarded without a JSON mapping of its values.
 *
 * @param status {@code OK} (value may be null: the key is absent) or {@code UNAVAILABLE}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record KeyAnswer(String status, String value, int partition, boolean stale, Long offsetLag, String servedBy,
    String detail) {
}
