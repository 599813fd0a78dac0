package io.testpulse.interactive;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer to a query, as a value rather than an exception: the HTTP layer maps the status to
 * a response code in one place.
 *
 * @param <T> the answer's type
 */
public record QueryOutcome<T>(Status status, T value, String detail, Duration retryAfter) {

  /** How a query ended. */
  public enum Status {
    /** The value is the answer. */
    OK,
    /** The key is not in the store (or belongs to another tenant: the same answer, by design). */
    NOT_FOUND,
    /** The store cannot answer now (rebalance, restore, not started): retry after {@code retryAfter}. */
    UNAVAILABLE
  }

  public QueryOutcome {
    Objects.requireNonNull(status, "status");
  }

  /** The answer. */
  public static <T> QueryOutcome<T> ok(T value) {
    return new QueryOutcome<>(Status.OK, Objects.requireNonNull(value, "value"), null, null);
  }

  /** No such key; {@code detail} is safe to show to the caller. */
  public static <T> QueryOutcome<T> notFound(String detail) {
    return new QueryOutcome<>(Status.NOT_FOUND, null, detail, null);
  }

  /** The store cannot answer now; ask again after {@code retryAfter}. */
  public static <T> QueryOutcome<T> unavailable(String detail, Duration retryAfter) {
    return new QueryOutcome<>(Status.UNAVAILABLE, null, detail, retryAfter);
  }
}
