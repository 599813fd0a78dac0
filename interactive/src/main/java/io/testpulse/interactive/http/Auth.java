package io.testpulse.interactive.http;

import io.javalin.http.Context;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The one place requests are authenticated and authorised; handlers read the principal it set.
 * {@link #authorize} is the before-handler of the API: routes registered as ingest routes
 * ({@link TestpulsePlugin.Routes#ingest}) need an ingest or admin token, every other API route a
 * read or admin token, and routes registered for any role ({@link TestpulsePlugin.Routes#anyRole}) any
 * known token. Missing or unknown token: 401; a token without the role: 403.
 */
final class Auth {

  private static final String ATTRIBUTE = "testpulse.principal";

  private final TokenAuthenticator authenticator;
  private final Set<String> ingestPaths = ConcurrentHashMap.newKeySet();
  private final Set<String> anyRolePaths = ConcurrentHashMap.newKeySet();

  Auth(TokenAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** Marks a full path (prefix included) as an ingest route. */
  void ingestPath(String fullPath) {
    ingestPaths.add(normalise(fullPath));
  }

  /** Marks a full path (prefix included) as open to any known token, whatever its role. */
  void anyRolePath(String fullPath) {
    anyRolePaths.add(normalise(fullPath));
  }

  /** The before-handler: ingest routes need ingest, any-role routes a known token, the rest read. */
  void authorize(Context ctx) {
    String path = normalise(ctx.path());
    if (anyRolePaths.contains(path)) {
      require(ctx, role -> true, "call this");
    } else if (ingestPaths.contains(path)) {
      requireIngest(ctx);
    } else {
      requireRead(ctx);
    }
  }

  /** Reads need a read or admin token. Sets the principal, or answers 401/403 and skips the handler. */
  void requireRead(Context ctx) {
    require(ctx, Role::mayRead, "read");
  }

  /** Any valid token (the test-plan routes check the role per route). */
  void requireAnyRole(Context ctx) {
    require(ctx, role -> true, "call this API");
  }

  /** Uploads need an ingest or admin token. */
  void requireIngest(Context ctx) {
    require(ctx, Role::mayIngest, "ingest");
  }

  private void require(Context ctx, Predicate<Role> allowed, String what) {
    Optional<Principal> principal = authenticator.authenticate(ctx.header("Authorization"));
    if (principal.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      Problems.write(ctx, 401, "Unauthorized",
          "missing or unknown token (Authorization: Bearer <token> or Token token=\"<token>\")");
      ctx.skipRemainingHandlers();
      return;
    }
    if (!allowed.test(principal.get().role())) {
      Problems.write(ctx, 403, "Forbidden", "this token may not " + what + " (role " + principal.get().role() + ")");
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

  private static String normalise(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
