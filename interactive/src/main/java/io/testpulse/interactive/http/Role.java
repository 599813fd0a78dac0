package io.testpulse.interactive.http;

import java.util.Locale;

/** What a token may do. {@code admin} may do everything; {@code read} and {@code ingest} one thing each. */
public enum Role {
  READ, INGEST, ADMIN;

  public boolean mayRead() {
    return this == READ || this == ADMIN;
  }

  public boolean mayIngest() {
    return this == INGEST || this == ADMIN;
  }

  public static Role parse(String text) {
    try {
      return Role.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown role '" + text + "' (expected read, ingest or admin)", e);
    }
  }
}
