package io.testpulse.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestKeysTest {

  @Test
  void shouldGiveTheSameTestTheSameIdAcrossRuns() {
    assertThat(TestKeys.testId("acme", "web", "Cart", "adds")).isEqualTo(TestKeys.testId("acme", "web", "Cart", "adds"));
    assertThat(TestKeys.isValidTestId(TestKeys.testId("acme", "web", "Cart", "adds"))).isTrue();
  }

  @Test
  void shouldSeparateIdentityPartsWhenConcatenationsCollide() {
    assertThat(TestKeys.testId("acme", "web", "ab", "c")).isNotEqualTo(TestKeys.testId("acme", "web", "a", "bc"));
    assertThat(TestKeys.testId("acme", "web", "Cart", "adds")).isNotEqualTo(TestKeys.testId("other", "web", "Cart", "adds"));
  }

  @Test
  void shouldRejectTenantsThatWouldBreakKeys() {
    assertThat(TestKeys.isValidTenant("acme-co.eu_1")).isTrue();
    assertThat(TestKeys.isValidTenant("a/b")).isFalse();
    assertThat(TestKeys.isValidTenant("")).isFalse();
  }

  @Test
  void shouldAgreeWithThePublishedPatternsWhenCheckingWithoutRegex() {
    // The checks are hand-written loops (they run for every execution); the patterns are the contract.
    String alphabet = "09afgzAFGZ._-/ \u00e9";
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      int length = random.nextInt(3) == 0 ? 32 : random.nextInt(70);
      StringBuilder s = new StringBuilder(length);
      for (int j = 0; j < length; j++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = s.toString();
      assertThat(TestKeys.isValidTenant(text)).as("tenant %s", text).isEqualTo(TestKeys.TENANT.matcher(text).matches());
      StringBuilder id = new StringBuilder(32);
      for (int j = 0; j < 32; j++) { // mostly hex, sometimes one character out of range
        id.append(random.nextInt(64) == 0 ? "gG/-".charAt(random.nextInt(4)) : "0123456789abcdef".charAt(random.nextInt(16)));
      }
      String hex = random.nextInt(4) == 0 ? text : id.toString();
      assertThat(TestKeys.isValidTestId(hex)).as("test id %s", hex).isEqualTo(TestKeys.TEST_ID.matcher(hex).matches());
    }
    assertThat(TestKeys.isValidTenant("a".repeat(64))).isTrue();
    assertThat(TestKeys.isValidTenant("a".repeat(65))).isFalse();
    assertThat(TestKeys.isValidTestId("0123456789abcdef0123456789abcdef")).isTrue();
    assertThat(TestKeys.isValidTestId("0123456789abcdef0123456789abcdeF")).isFalse();
    assertThat(TestKeys.isValidTenant(null)).isFalse();
    assertThat(TestKeys.isValidTestId(null)).isFalse();
  }

  @Test
  void shouldMapAStateIndexKeyBackToItsTestKey() {
    String key = Stores.stateIndexKey("acme", "FLAKY", "0123abcd");

    assertThat(key).startsWith(Stores.stateIndexFrom("acme", "FLAKY"));
    assertThat(key.compareTo(Stores.stateIndexTo("acme", "FLAKY"))).isNegative();
    assertThat(Stores.testKeyOfStateIndexKey(key)).isEqualTo("acme/0123abcd");
  }
}
