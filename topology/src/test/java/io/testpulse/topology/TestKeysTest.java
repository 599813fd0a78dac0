package io.testpulse.topology;

import static org.assertj.core.api.Assertions.assertThat;

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
}
