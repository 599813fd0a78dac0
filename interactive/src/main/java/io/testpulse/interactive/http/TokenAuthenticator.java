package io.testpulse.interactive.http;

import io.testpulse.topology.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API tokens, stored as SHA-256 hashes, mapped to a tenant and a role. Accepts the Buildkite
 * collectors' {@code Authorization: Token token="..."} and {@code Authorization: Bearer ...}.
 * Every stored hash is compared in constant time, and all of them are compared, so the time taken
 * says nothing about which token nearly matched.
 */
public final class TokenAuthenticator {

  private static final Pattern TOKEN_HEADER = Pattern.compile("^Token\\s+token=\"?([^\"\\s]+)\"?\\s*$");
  private static final Pattern BEARER_HEADER = Pattern.compile("^Bearer\\s+(\\S+)\\s*$");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private record Entry(byte[] hash, Principal principal) {
  }

  private final List<Entry> entries;

  private TokenAuthenticator(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * From config entries {@code <tenant>[/<suite>]:<role>:<sha256-hex>} (see {@code testpulse.auth.tokens}):
   * a token may be bound to one suite, as a Buildkite suite token is; uploads with it go to that suite.
   *
   * @throws IllegalArgumentException naming the bad entry by position, never echoing a hash
   */
  public static TokenAuthenticator fromConfig(List<String> configEntries) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < configEntries.size(); i++) {
      String[] parts = configEntries.get(i).trim().split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("testpulse.auth.tokens entry " + i + " is not <tenant>:<role>:<sha256-hex>");
      }
      String tenant = parts[0];
      String suite = null;
      int slash = parts[0].indexOf('/');
      if (slash >= 0) {
        tenant = parts[0].substring(0, slash);
        suite = parts[0].substring(slash + 1);
        if (suite.isBlank()) {
          throw new IllegalArgumentException("testpulse.auth.tokens entry " + i + ": empty suite after '/'");
        }
      }
      if (!TestKeys.isValidTenant(tenant)) {
        throw new IllegalArgumentException("testpulse.auth.tokens entry " + i + ": invalid tenant '" + tenant + "'");
      }
      Role role = Role.parse(parts[1]);
      String hex = parts[2].toLowerCase(java.util.Locale.ROOT);
      if (!SHA256_HEX.matcher(hex).matches()) {
        throw new IllegalArgumentException("testpulse.auth.tokens entry " + i + ": hash is not 64 hex characters");
      }
      entries.add(new Entry(HexFormat.of().parseHex(hex), new Principal(tenant, role, suite)));
    }
    return new TokenAuthenticator(entries);
  }

  /** The config entry for a token: what {@code bin/testpulse demo} writes for the tokens it generates. */
  public static String configEntry(String tenant, Role role, String token) {
    return tenant + ":" + role.name().toLowerCase(java.util.Locale.ROOT) + ":" + HexFormat.of().formatHex(sha256(token));
  }

  /** The config entry for a token bound to one suite ({@code <tenant>/<suite>:<role>:<hash>}). */
  public static String configEntry(String tenant, String suite, Role role, String token) {
    return configEntry(tenant + "/" + suite, role, token);
  }

  /** The principal of an {@code Authorization} header value, if it carries a known token. */
  public Optional<Principal> authenticate(String authorizationHeader) {
    if (authorizationHeader == null) {
      return Optional.empty();
    }
    String token = extract(authorizationHeader.trim());
    if (token == null) {
      return Optional.empty();
    }
    byte[] presented = sha256(token);
    Principal found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.hash(), presented)) {
        found = entry.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  private static String extract(String header) {
    Matcher m = TOKEN_HEADER.matcher(header);
    if (m.matches()) {
      return m.group(1);
    }
    m = BEARER_HEADER.matcher(header);
    return m.matches() ? m.group(1) : null;
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
