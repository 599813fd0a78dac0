package io.testpulse.interactive.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.testpulse.interactive.Cursors;
import io.testpulse.interactive.ListQuery;
import io.testpulse.interactive.QuarantineCommands;
import io.testpulse.interactive.QuarantineListSpec;
import io.testpulse.interactive.QueryOutcome;
import io.testpulse.interactive.StoreRead;
import io.testpulse.interactive.TestSummary;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.serdes.JsonSerde;
import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code PUT}/{@code DELETE /api/v1/tests/{testId}/quarantine} (admin tokens) write a command to the
 * quarantine-commands topic and answer 202 once Kafka acknowledged it; {@code GET /api/v1/quarantined}
 * is the list a test runner reads to skip or mute tests.
 */
final class QuarantineController {

  /** Quarantine bodies are a reason and a date: anything larger is refused unread. */
  static final int MAX_BODY_BYTES = 16 * 1024;
  static final int MAX_REASON_CHARS = 1000;
  private static final Set<String> BODY_FIELDS = Set.of("reason", "expiresAt", "expires_at", "mode");

  private final TestpulseQueries queries;
  private final QuarantineCommands commands;
  private final Clock clock;
  private final int maxPageSize;

  QuarantineController(TestpulseQueries queries, QuarantineCommands commands, Clock clock, int maxPageSize) {
    this.queries = queries;
    this.commands = commands;
    this.clock = clock;
    this.maxPageSize = maxPageSize;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.put("/api/v1/tests/{testId}/quarantine", this::quarantine);
    routes.delete("/api/v1/tests/{testId}/quarantine", this::release);
    routes.get("/api/v1/quarantined", this::list);
  }

  void quarantine(Context ctx) {
    quarantineAs(ctx, null);
  }

  /** A quarantine in {@code forcedMode} (the body's {@code mode} when null). */
  void quarantineAs(Context ctx, String forcedMode) {
    Principal principal = requireAdmin(ctx);
    if (principal == null) {
      return;
    }
    new Params(ctx, Set.of());
    String testId = Params.path(ctx, "testId", TestKeys.TEST_ID, "32 lowercase hex characters");
    JsonNode body = readBody(ctx);
    if (body == null) {
      return;
    }
    String reason = body.hasNonNull("reason") ? body.get("reason").asText() : null;
    if (reason != null && (reason.length() > MAX_REASON_CHARS || reason.isBlank())) {
      throw new Params.BadParameter("reason", "must be 1 to " + MAX_REASON_CHARS + " characters");
    }
    JsonNode expires = body.hasNonNull("expiresAt") ? body.get("expiresAt") : body.get("expires_at");
    Long expiresAt = expiresAt(expires);
    String mode = mode(body.get("mode"));
    if (forcedMode != null && body.hasNonNull("mode") && !forcedMode.equals(mode)) {
      throw new Params.BadParameter("mode", "contradicts the route (" + forcedMode + ")");
    }
    mode = forcedMode != null ? forcedMode : mode;
    if (!testExists(ctx, principal, testId)) {
      return;
    }
    send(ctx, new QuarantineCommand(TestKeys.key(principal.tenant(), testId), principal.tenant(), testId,
        QuarantineCommand.QUARANTINE, reason, expiresAt, requestedBy(principal), clock.millis(), mode));
  }

  /** {@code mute} (the default) or {@code skip}. */
  private static String mode(JsonNode node) {
    if (node == null || node.isNull()) {
      return QuarantineCommand.MUTE;
    }
    String mode = node.isTextual() ? node.asText() : "";
    if (!QuarantineCommand.MUTE.equals(mode) && !QuarantineCommand.SKIP.equals(mode)) {
      throw new Params.BadParameter("mode", "must be \"mute\" (run, failure ignored) or \"skip\" (not run)");
    }
    return mode;
  }

  void release(Context ctx) {
    Principal principal = requireAdmin(ctx);
    if (principal == null) {
      return;
    }
    new Params(ctx, Set.of());
    String testId = Params.path(ctx, "testId", TestKeys.TEST_ID, "32 lowercase hex characters");
    if (!testExists(ctx, principal, testId)) {
      return;
    }
    send(ctx, new QuarantineCommand(TestKeys.key(principal.tenant(), testId), principal.tenant(), testId,
        QuarantineCommand.RELEASE, null, null, requestedBy(principal), clock.millis()));
  }

  void list(Context ctx) {
    Principal principal = Auth.principal(ctx);
    Params params = new Params(ctx, Set.of("limit", "cursor", "allowStale"));
    int limit = params.integer("limit", Math.min(TestController.DEFAULT_LIMIT, maxPageSize), 1, maxPageSize);
    boolean allowStale = params.bool("allowStale");
    String sort = "quarantined_at";
    List<Object> after = null;
    if (params.raw("cursor") != null) {
      try {
        after = Cursors.decode(params.raw("cursor"), QuarantineListSpec.NAME, sort, Map.of());
      } catch (IllegalArgumentException e) {
        throw new Params.BadParameter("cursor", e.getMessage());
      }
    }
    Responses.write(ctx, queries.quarantined(new ListQuery(principal.tenant(), Map.of(), sort, limit, after,
        allowStale)));
  }

  private static String requestedBy(Principal principal) {
    return principal.tenant() + ":" + principal.role().name().toLowerCase(java.util.Locale.ROOT);
  }

  private Principal requireAdmin(Context ctx) {
    Principal principal = Auth.principal(ctx);
    if (principal.role() != Role.ADMIN) {
      Problems.write(ctx, 403, "Forbidden", "quarantining needs an admin token (role " + principal.role() + ")");
      return null;
    }
    return principal;
  }

  private boolean testExists(Context ctx, Principal principal, String testId) {
    QueryOutcome<StoreRead<TestSummary>> test = queries.testSummary(principal.tenant(), testId, false);
    if (test.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, test);
      return false;
    }
    return true;
  }

  private void send(Context ctx, QuarantineCommand command) {
    if (commands == null) {
      Problems.unavailable(ctx, "this instance has no producer for quarantine commands", TestpulseQueries.RETRY_AFTER);
      return;
    }
    QueryOutcome<RecordMetadata> written = commands.send(command);
    if (written.status() != QueryOutcome.Status.OK) {
      Responses.write(ctx, written);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("test_id", command.testId());
    body.put("action", command.action());
    if (QuarantineCommand.QUARANTINE.equals(command.action())) {
      body.put("mode", command.effectiveMode());
    }
    body.put("reason", command.reason());
    body.put("expires_at", command.expiresAt());
    body.put("requested_at", command.requestedAt());
    body.put("partition", written.value().partition());
    body.put("offset", written.value().offset());
    Responses.json(ctx, 202, body);
  }

  /** The JSON object body, or null after answering 413/400. */
  private static JsonNode readBody(Context ctx) {
    long declared = ctx.contentLength();
    if (declared > MAX_BODY_BYTES) {
      Problems.write(ctx, 413, "Content Too Large", "the body may be at most " + MAX_BODY_BYTES + " bytes");
      return null;
    }
    byte[] bytes;
    try (InputStream in = ctx.bodyInputStream()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      throw new Params.BadParameter("body", "could not be read");
    }
    if (bytes.length > MAX_BODY_BYTES) {
      Problems.write(ctx, 413, "Content Too Large", "the body may be at most " + MAX_BODY_BYTES + " bytes");
      return null;
    }
    if (bytes.length == 0) {
      return JsonSerde.MAPPER.createObjectNode();
    }
    JsonNode node;
    try {
      node = JsonSerde.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new Params.BadParameter("body", "is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new Params.BadParameter("body", "must be a JSON object {\"reason\": ..., \"expiresAt\": ...}");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!BODY_FIELDS.contains(name)) {
        throw new Params.BadParameter(name, "unknown field (accepted: reason, expiresAt, mode)");
      }
    }
    JsonNode reason = node.get("reason");
    if (reason != null && !reason.isNull() && !reason.isTextual()) {
      throw new Params.BadParameter("reason", "must be a string");
    }
    return node;
  }

  /** epoch millis or an ISO-8601 instant, in the future; null for no expiry. */
  private Long expiresAt(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    long millis;
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw new Params.BadParameter("expiresAt", "must be epoch millis between years 0 and 9999");
      }
      millis = node.asLong();
    } else if (node.isTextual()) {
      Instant instant;
      try {
        instant = Instant.parse(node.asText());
      } catch (DateTimeParseException e) {
        throw new Params.BadParameter("expiresAt", "must be an ISO-8601 instant (2026-12-01T00:00:00Z) or epoch millis");
      }
      millis = Params.epochMillis("expiresAt", instant);
    } else {
      throw new Params.BadParameter("expiresAt", "must be an ISO-8601 instant or epoch millis");
    }
    if (millis <= clock.millis()) {
      throw new Params.BadParameter("expiresAt", "must be in the future");
    }
    if (millis > Params.LATEST_INSTANT.toEpochMilli()) {
      throw new Params.BadParameter("expiresAt", "must be before year 10000");
    }
    return millis;
  }
}
