package io.testpulse.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * State outlives releases: every record type's current schema must be recorded in the history,
 * and must be able to read every version written before it.
 */
class SchemaHistoryTest {

  static Stream<Schema> currentSchemas() {
    return Stream.of(TestExecution.getClassSchema(), TestState.getClassSchema(), RunInfo.getClassSchema(),
        FlakinessState.getClassSchema(), CommitOutcome.getClassSchema(), RunOutcome.getClassSchema(),
        TestRecord.getClassSchema(), EvictedRuns.getClassSchema());
  }

  static Stream<Class<?>> historyTypes() {
    return Stream.of(TestExecution.class, TestState.class, FlakinessState.class, CommitOutcome.class, RunOutcome.class,
        TestRecord.class, EvictedRuns.class);
  }

  @ParameterizedTest
  @MethodSource("historyTypes")
  void shouldRecordTheCurrentSchemaAsTheNewestVersion(Class<?> type) throws Exception {
    Schema current = (Schema) type.getMethod("getClassSchema").invoke(null);
    List<Schema> history = SchemaHistory.of(type);

    assertThat(history).as("schema history of %s (add %s-v<N>.avsc to %sindex.txt with the current schema)",
        type.getSimpleName(), type.getSimpleName(), SchemaHistory.ROOT).isNotEmpty();
    assertThat(SchemaNormalization.parsingFingerprint64(history.get(history.size() - 1)))
        .as("the newest recorded %s schema is the current one: a changed schema needs a new history version",
            type.getSimpleName())
        .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
  }

  @ParameterizedTest
  @MethodSource("historyTypes")
  void shouldReadEveryRecordedVersionWithTheCurrentSchema(Class<?> type) throws Exception {
    Schema current = (Schema) type.getMethod("getClassSchema").invoke(null);
    for (Schema writer : SchemaHistory.of(type)) {
      SchemaCompatibility.SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
      assertThat(result.getType())
          .as("%s: current schema reads version %s: %s", type.getSimpleName(), writer, result.getDescription())
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
  }

  @ParameterizedTest
  @MethodSource("currentSchemas")
  void shouldGiveEveryOptionalFieldADefault(Schema schema) {
    // A field without a default cannot be added later without breaking old state, so every
    // nullable field must default to null from the start.
    for (Schema.Field field : schema.getFields()) {
      if (field.schema().isNullable()) {
        assertThat(field.hasDefaultValue()).as("%s.%s is nullable but has no default", schema.getName(), field.name())
            .isTrue();
      }
    }
  }
}
