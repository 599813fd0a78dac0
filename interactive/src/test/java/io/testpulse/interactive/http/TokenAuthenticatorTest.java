package io.testpulse.interactive.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {

  private final TokenAuthenticator auth = TokenAuthenticator.fromConfig(List.of(
      TokenAuthenticator.configEntry("acme", Role.READ, "r3ad"),
      TokenAuthenticator.configEntry("acme", Role.INGEST, "1ngest"),
      TokenAuthenticator.configEntry("globex", Role.ADMIN, "adm1n")));

  @Test
  void shouldAuthenticateBearerAndBuildkiteTokenForms() {
    assertThat(auth.authenticate("Bearer r3ad")).contains(new Principal("acme", Role.READ));
    assertThat(auth.authenticate("Token token=\"1ngest\"")).contains(new Principal("acme", Role.INGEST));
    assertThat(auth.authenticate("Token token=adm1n")).contains(new Principal("globex", Role.ADMIN));
  }

  @Test
  void shouldRejectUnknownMissingOrMalformedTokens() {
    assertThat(auth.authenticate(null)).isEmpty();
    assertThat(auth.authenticate("Bearer nope")).isEmpty();
    assertThat(auth.authenticate("Basic cjNhZDo=")).isEmpty();
    assertThat(auth.authenticate("r3ad")).isEmpty();
  }

  @Test
  void shouldBindATokenToASuiteWhenTheEntryNamesOne() {
    TokenAuthenticator suites = TokenAuthenticator.fromConfig(List.of(
        TokenAuthenticator.configEntry("acme", "mobile", Role.INGEST, "m0bile")));

    assertThat(suites.authenticate("Token token=\"m0bile\"")).contains(new Principal("acme", Role.INGEST, "mobile"));
    assertThat(auth.authenticate("Bearer 1ngest").orElseThrow().suite()).isNull();
    assertThatThrownBy(() -> TokenAuthenticator.fromConfig(List.of("acme/:ingest:" + "ab".repeat(32))))
        .hasMessageContaining("empty suite");
    assertThatThrownBy(() -> TokenAuthenticator.fromConfig(List.of("a b/web:ingest:" + "ab".repeat(32))))
        .hasMessageContaining("invalid tenant");
  }

  @Test
  void shouldStoreOnlyHashes() {
    String entry = TokenAuthenticator.configEntry("acme", Role.READ, "r3ad");

    assertThat(entry).startsWith("acme:read:").doesNotContain("r3ad").hasSize("acme:read:".length() + 64);
  }

  @Test
  void shouldNameTheBadEntryWithoutEchoingIt() {
    assertThatThrownBy(() -> TokenAuthenticator.fromConfig(List.of("acme:read:" + "ab".repeat(32), "acme:root:00")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root");
    assertThatThrownBy(() -> TokenAuthenticator.fromConfig(List.of("just-a-token")))
        .hasMessageContaining("entry 0");
  }

  @Test
  void shouldGrantRolesTheirRights() {
    assertThat(Role.READ.mayRead()).isTrue();
    assertThat(Role.READ.mayIngest()).isFalse();
    assertThat(Role.INGEST.mayRead()).isFalse();
    assertThat(Role.ADMIN.mayRead()).isTrue();
    assertThat(Role.ADMIN.mayIngest()).isTrue();
  }
}
