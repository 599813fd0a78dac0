package io.testpulse.topology.internals;

import io.testpulse.avro.TestExecution;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time is the execution's {@code event_time} (build time if known, else receive time), not
 * the record timestamp; a record that is not a TestExecution keeps its record timestamp and is
 * dealt with by validation.
 */
public final class ExecutionTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof TestExecution e && e.getEventTime() != null) {
      return e.getEventTime().toEpochMilli();
    }
    return record.timestamp();
  }
}
