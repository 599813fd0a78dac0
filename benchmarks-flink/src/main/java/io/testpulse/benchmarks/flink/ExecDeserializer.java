package io.testpulse.benchmarks.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.AvroSerde;
import io.testpulse.serdes.TestpulseSerdes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes the whole Avro {@code TestExecution} (as the Kafka Streams topology does), keeps what the
 * job needs, and writes the enriched row (as the topology's enriched step does, with Jackson) but
 * for the attempt, which the job numbers after de-duplication.
 */
final class ExecDeserializer implements KafkaRecordDeserializationSchema<Exec> {

  private static final ObjectMapper JSON = new ObjectMapper();
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
    RunInfo run = e.getRun();
    Exec x = new Exec();
    x.key = e.getTenant() + "/" + e.getTestId();
    x.executionId = e.getExecutionId();
    x.suite = e.getSuite();
    x.runKey = run == null ? "" : run.getKey();
    x.commitSha = run == null ? null : run.getCommitSha();
    x.result = switch (e.getResult()) {
      case PASSED -> 0;
      case FAILED -> 1;
      case SKIPPED -> 2;
      default -> 3;
    };
    x.durationMicros = e.getDurationMicros();
    x.eventTime = e.getEventTime().toEpochMilli();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("key", x.key);
    row.put("execution_id", e.getExecutionId());
    row.put("tenant", e.getTenant());
    row.put("suite", e.getSuite());
    row.put("test_id", e.getTestId());
    row.put("scope", e.getScope());
    row.put("name", e.getName());
    row.put("file_name", e.getFileName());
    row.put("location", e.getLocation());
    row.put("result", e.getResult().name());
    row.put("duration_micros", e.getDurationMicros());
    row.put("event_time", x.eventTime);
    if (run != null) {
      row.put("ci", run.getCi());
      row.put("run_key", run.getKey());
      row.put("run_number", run.getNumber());
      row.put("job_id", run.getJobId());
      row.put("branch", run.getBranch());
      row.put("commit_sha", run.getCommitSha());
    }
    Map<String, String> tags = new TreeMap<>();
    e.getTags().forEach((k, v) -> tags.put(k.toString(), v.toString()));
    row.put("tags", tags);
    row.put("failure_reason", e.getFailureReason());
    String json = JSON.writeValueAsString(row);
    x.row = json.substring(0, json.length() - 1);
    out.collect(x);
  }

  @Override
  public TypeInformation<Exec> getProducedType() {
    return TypeInformation.of(Exec.class);
  }
}
