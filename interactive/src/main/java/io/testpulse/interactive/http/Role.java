package io.testpulse.interactive.http;

import java.util.Locale;

/** What a token may do. {@code admin} may do everything; {@code read} and {@code ingest} one thing each. */
public enum Role {
  /** May query. */
  READ,
  /** May upload executions. */
  INGEST,
  /** May do everything, including quarantine. */
  ADMIN;

  /** Whether this role may call the query API. */
  public boolean mayRead() {
    return this == READ || this == ADMIN;
  }

  /** Whether this role may upload executions. */
  public boolean mayIngest() {
    return this == INGEST || this == ADMIN;
  }

  /** The role named {@code text}, case-insensitively ({@code read}, {@code ingest}, {@code admin}). */
  public static Role parse(String text) {
    try {
      return Role.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown role '" + text + "' (expected read, ingest or admin)", e);
    }
  }
}
