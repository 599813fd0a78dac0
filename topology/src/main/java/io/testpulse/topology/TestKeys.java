package io.testpulse.topology;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Test identity: {@code test_id} is a stable hash of (tenant, suite, scope, name), so the same
 * test has the same id across runs, and the record key is {@code tenant/test_id}.
 */
public final class TestKeys {

  /** Tenants are slugs: they are part of keys and may not contain '/'. */
  public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** A test id: 32 lowercase hex characters (128 bits of SHA-256). */
  public static final Pattern TEST_ID = Pattern.compile("[0-9a-f]{32}");

  private TestKeys() {
  }

  /** The stable test id of (tenant, suite, scope, name); a null scope hashes like an empty one. */
  public static String testId(String tenant, String suite, String scope, String name) {
    MessageDigest sha = sha256();
    for (String part : new String[] {tenant, suite, scope == null ? "" : scope, name}) {
      sha.update(part.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0); // separator: ("ab","c") and ("a","bc") must differ
    }
    byte[] digest = sha.digest();
    return HexFormat.of().formatHex(digest, 0, 16);
  }

  /** The record key of a test. */
  public static String key(String tenant, String testId) {
    return tenant + "/" + testId;
  }

  /** Whether {@code testId} is 32 lowercase hex characters. */
  public static boolean isValidTestId(String testId) {
    // The same check as TEST_ID, without a regex: it runs for every execution in several steps.
    if (testId == null || testId.length() != 32) {
      return false;
    }
    for (int i = 0; i < 32; i++) {
      char c = testId.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code tenant} is a slug that can be part of a key ({@link #TENANT}). */
  public static boolean isValidTenant(String tenant) {
    // The same check as TENANT, without a regex (see isValidTestId).
    if (tenant == null || tenant.isEmpty() || tenant.length() > 64 || !isAsciiAlphanumeric(tenant.charAt(0))) {
      return false;
    }
    for (int i = 1; i < tenant.length(); i++) {
      char c = tenant.charAt(i);
      if (!(isAsciiAlphanumeric(c) || c == '.' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiAlphanumeric(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }
}
