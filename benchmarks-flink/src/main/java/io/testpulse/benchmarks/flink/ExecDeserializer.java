package io.testpulse.benchmarks.flink;

import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.AvroSerde;
import io.testpulse.serdes.TestpulseSerdes;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes the whole Avro {@code TestExecution} (as the Kafka Streams topology does) and keeps what the job needs. */
final class ExecDeserializer implements KafkaRecordDeserializationSchema<Exec> {

  private transient AvroSerde<TestExecution> serde;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Exec> out) throws IOException {
    if (serde == null) {
      serde = TestpulseSerdes.testExecution();
    }
    TestExecution e;
    try {
      e = serde.deserializer().deserialize(record.topic(), record.value());
    } catch (RuntimeException bad) {
      return; // the Streams topology routes these to a dead-letter topic; the benchmark data has none
    }
    Exec x = new Exec();
    x.key = e.getTenant() + "/" + e.getTestId();
    x.executionId = e.getExecutionId();
    x.commitSha = e.getRun() == null ? null : e.getRun().getCommitSha();
    x.result = switch (e.getResult()) {
      case PASSED -> 0;
      case FAILED -> 1;
      case SKIPPED -> 2;
      default -> 3;
    };
    x.durationMicros = e.getDurationMicros();
    x.eventTime = e.getEventTime().toEpochMilli();
    out.collect(x);
  }

  @Override
  public TypeInformation<Exec> getProducedType() {
    return TypeInformation.of(Exec.class);
  }
}
