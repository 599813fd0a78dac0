package io.testpulse.interactive.http;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/whoami}: the tenant and role of the caller's token, so a client (the web dashboard)
 * offers only what the token may do. Any known token may ask; an unknown one gets the usual 401.
 */
final class WhoamiController {

  void register(TestpulsePlugin.Routes routes) {
    routes.anyRole("/api/v1/whoami", this::whoami);
  }

  void whoami(Context ctx) {
    Principal principal = Auth.principal(ctx);
    new Params(ctx, Set.of());
    Role role = principal.role();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("tenant", principal.tenant());
    body.put("role", role.name().toLowerCase(Locale.ROOT));
    body.put("may_read", role.mayRead());
    body.put("may_ingest", role.mayIngest());
    body.put("may_quarantine", role == Role.ADMIN);
    Responses.json(ctx, 200, body);
  }
}
