package io.testpulse.interactive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CursorsTest {

  @Test
  void shouldResumeAfterTheSameSortKeyWhenDecodingItsCursor() {
    List<Object> key = Arrays.asList(null, 0.25, 3L, "abc");
    String cursor = Cursors.encode("tests", "score", Map.of("suite", "web"), key);

    List<Object> decoded = Cursors.decode(cursor, "tests", "score", Map.of("suite", "web"));

    assertThat(SortKeys.compare(decoded, key, new boolean[] {true, false, true, false})).isZero();
  }

  @Test
  void shouldRejectACursorWhenTheQueryDiffers() {
    String cursor = Cursors.encode("tests", "score", Map.of("suite", "web"), List.of("x"));

    assertThatThrownBy(() -> Cursors.decode(cursor, "tests", "score", Map.of("suite", "api")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cursors.decode(cursor, "tests", "name", Map.of("suite", "web")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cursors.decode("%%%", "tests", "score", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldOrderNullsLastWhenSortingInEitherDirection() {
    List<Object> withNull = Arrays.asList((Object) null);
    List<Object> withValue = List.of(1.0);

    assertThat(SortKeys.compare(withNull, withValue, new boolean[] {true})).isPositive();
    assertThat(SortKeys.compare(withNull, withValue, new boolean[] {false})).isPositive();
    assertThat(SortKeys.compare(List.of(2L), List.of(1L), new boolean[] {true})).isNegative();
  }
}
