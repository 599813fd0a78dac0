package io.testpulse.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private final AvroSerde<TestExecution> serde = TestpulseSerdes.testExecution();

  static TestExecution execution() {
    return TestExecution.newBuilder()
        .setExecutionId("e-1").setTenant("acme").setSuite("web").setTestId("0123456789abcdef0123456789abcdef")
        .setScope("Cart").setName("adds an item").setFileName("spec/cart_spec.rb").setLocation("spec/cart_spec.rb:12")
        .setResult(Result.FAILED).setDurationMicros(726_232).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
        .setRun(RunInfo.newBuilder().setKey("build-1").setBranch("main").setCommitSha("abc").build())
        .setAttempt(1).setTags(Map.of("arch", "arm64")).setFailureReason("expected true")
        .build();
  }

  @Test
  void shouldRoundTripAnExecution() {
    byte[] bytes = serde.serializer().serialize("t", execution());

    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(execution());
  }

  @Test
  void shouldKeepNullAsNull() {
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldRaiseSerializationExceptionWhenPayloadIsNotAvro() {
    byte[] garbage = "{\"name\":\"not avro\"}".getBytes();

    assertThatThrownBy(() -> serde.decode(garbage))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not Avro single-object encoding");
  }

  @Test
  void shouldRaiseSerializationExceptionWhenPayloadIsTruncated() {
    byte[] bytes = serde.encode(execution());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

    assertThatThrownBy(() -> serde.decode(truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("corrupt payload");
  }

  @Test
  void shouldRaiseSerializationExceptionNamingTheFingerprintWhenSchemaIsUnknown() {
    byte[] bytes = serde.encode(execution());
    bytes[2] ^= 0x5a; // flip bits of the fingerprint

    assertThatThrownBy(() -> serde.decode(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }

  @Test
  void shouldReadARecordWrittenWithAnOlderSchema() throws Exception {
    Schema draft;
    try (InputStream in = getClass().getResourceAsStream("/evolution/TestExecution-draft.avsc")) {
      draft = new Schema.Parser().parse(in);
    }
    GenericRecord run = new GenericData.Record(draft.getField("run").schema());
    run.put("key", "build-7");
    run.put("branch", "main");
    GenericRecord old = new GenericData.Record(draft);
    old.put("execution_id", "e-old");
    old.put("tenant", "acme");
    old.put("suite", "web");
    old.put("test_id", "0123456789abcdef0123456789abcdef");
    old.put("name", "legacy test");
    old.put("result", new GenericData.EnumSymbol(draft.getField("result").schema(), "PASSED"));
    old.put("duration_micros", 1500L);
    old.put("event_time", 1_700_000_000_000L);
    old.put("run", run);
    byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), draft).encode(old).array();

    TestExecution read = AvroSerde.of(TestExecution.class, List.of(draft)).decode(written);

    assertThat(read.getName()).isEqualTo("legacy test");
    assertThat(read.getRun().getKey()).isEqualTo("build-7");
    assertThat(read.getAttempt()).as("new field takes its default").isZero();
    assertThat(read.getTags()).isEmpty();
    assertThat(read.getFailureReason()).isNull();
    assertThat(read.getLocation()).isNull();
  }

  @Test
  void shouldRejectOlderSchemaBytesWhenTheSchemaWasNeverRecorded() throws Exception {
    Schema draft;
    try (InputStream in = getClass().getResourceAsStream("/evolution/TestExecution-draft.avsc")) {
      draft = new Schema.Parser().parse(in);
    }
    GenericRecord run = new GenericData.Record(draft.getField("run").schema());
    run.put("key", "k");
    GenericRecord old = new GenericData.Record(draft);
    old.put("execution_id", "e");
    old.put("tenant", "t");
    old.put("suite", "s");
    old.put("test_id", "x");
    old.put("name", "n");
    old.put("result", new GenericData.EnumSymbol(draft.getField("result").schema(), "PASSED"));
    old.put("duration_micros", 1L);
    old.put("event_time", 1L);
    old.put("run", run);
    byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), draft).encode(old).array();

    assertThatThrownBy(() -> serde.decode(written)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema fingerprint");
  }
}
