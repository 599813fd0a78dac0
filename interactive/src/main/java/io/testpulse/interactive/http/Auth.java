package io.testpulse.interactive.http;

import io.javalin.http.Context;
import java.util.Optional;

/** The one before-handler that authenticates API requests; handlers read the principal it set. */
final class Auth {

  private static final String ATTRIBUTE = "testpulse.principal";

  private final TokenAuthenticator authenticator;

  Auth(TokenAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** Reads need a read or admin token. Sets the principal, or answers 401/403 and skips the handler. */
  void requireRead(Context ctx) {
    Optional<Principal> principal = authenticator.authenticate(ctx.header("Authorization"));
    if (principal.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      Problems.write(ctx, 401, "Unauthorized", "missing or unknown token (Authorization: Bearer <token>)");
      ctx.skipRemainingHandlers();
      return;
    }
    if (!principal.get().role().mayRead()) {
      Problems.write(ctx, 403, "Forbidden", "this token may not read (role " + principal.get().role() + ")");
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.attribute(ATTRIBUTE, principal.get());
  }

  /** For the internal mirror routes, whose caller (another instance) names the tenant. */
  static void setPrincipal(Context ctx, Principal principal) {
    ctx.attribute(ATTRIBUTE, principal);
  }

  static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(ATTRIBUTE);
    if (principal == null) {
      throw new IllegalStateException("handler reached without authentication");
    }
    return principal;
  }
}
