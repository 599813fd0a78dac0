package io.testpulse.serdes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

  record Row(String tenant, long count) {
  }

  private final JsonSerde<Row> serde = JsonSerde.of(Row.class);

  @Test
  void shouldWriteOneFlatJsonObject() {
    assertThat(new String(serde.encode(new Row("acme", 3)), StandardCharsets.UTF_8))
        .isEqualTo("{\"tenant\":\"acme\",\"count\":3}");
  }

  @Test
  void shouldIgnoreUnknownFieldsWhenReading() {
    Row row = serde.decode("{\"tenant\":\"acme\",\"count\":3,\"added_later\":true}".getBytes(StandardCharsets.UTF_8));

    assertThat(row).isEqualTo(new Row("acme", 3));
  }

  @Test
  void shouldRaiseSerializationExceptionWhenJsonIsMalformed() {
    assertThatThrownBy(() -> serde.decode("{\"tenant\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Cannot read Row from JSON");
  }
}
