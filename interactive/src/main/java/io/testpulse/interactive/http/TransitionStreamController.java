package io.testpulse.interactive.http;

import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.testpulse.interactive.TenantShares;
import io.testpulse.interactive.TestpulseQueries;
import io.testpulse.interactive.TransitionTail;
import io.testpulse.serdes.JsonSerde;
import io.testpulse.topology.Transition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/transitions/stream}: Server-Sent Events of the caller's tenant's transitions
 * (event {@code transition}, data: the transition as JSON, id: the resume position). Resumable with
 * the {@code Last-Event-ID} header (or {@code lastEventId} parameter); a comment every 2 s keeps
 * proxies from closing an idle stream and notices a client that went away (a closed connection is only
 * seen on a write): a person clicking through the dashboard's pages, each with a stream, frees the
 * tenant's stream slots within 2 s instead of holding one per page for 15 s.
 */
final class TransitionStreamController {

  private static final Logger LOG = LoggerFactory.getLogger(TransitionStreamController.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long HEARTBEAT_NANOS = Duration.ofSeconds(2).toNanos();

  private final TransitionTail tail;
  /** The streams open now: closed when the server stops, while their requests still exist. */
  private final Set<SseClient> open = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  TransitionStreamController(TransitionTail tail) {
    this.tail = tail;
  }

  void register(TestpulsePlugin.Routes routes) {
    routes.get("/api/v1/transitions/stream", this::stream);
    routes.onServerStopping(this::closeAll);
  }

  /**
   * Ends every open stream before Jetty stops. A stream left open outlives its request: Jetty recycles
   * the request when it stops, and the pump's next write then completes Javalin's async future on a
   * recycled request, whose error handling fails on the missing request and loops without end
   * (millions of NullPointerException warnings per minute in a test's log). Closing here completes each
   * future while its request is alive, interrupts the pump and releases the subscription.
   */
  void closeAll() {
    stopping = true;
    for (SseClient client : open) {
      client.close();
    }
  }

  void stream(Context ctx) throws Exception {
    Principal principal = Auth.principal(ctx);
    Params params = new Params(ctx, Set.of("lastEventId"));
    String lastEventId = Optional.ofNullable(ctx.header("Last-Event-ID")).orElse(params.raw("lastEventId"));
    Map<Integer, Long> resumeFrom = null;
    if (lastEventId != null) {
      try {
        resumeFrom = TransitionTail.parseEventId(lastEventId);
      } catch (IllegalArgumentException e) {
        throw new Params.BadParameter(ctx.header("Last-Event-ID") != null ? "Last-Event-ID" : "lastEventId",
            e.getMessage());
      }
    }
    if (!"text/event-stream".equals(ctx.header("Accept"))) {
      // Javalin's SSE handler (and EventSource) negotiate on exactly this header
      Problems.write(ctx, 406, "Not Acceptable", "send 'Accept: text/event-stream' for the live stream");
      return;
    }
    if (tail == null || stopping) {
      Problems.unavailable(ctx, "this instance does not serve the live stream", TestpulseQueries.RETRY_AFTER);
      return;
    }
    TransitionTail.Subscription subscription;
    try {
      subscription = tail.open(principal.tenant(), resumeFrom);
    } catch (TransitionTail.Refused e) {
      if (e.reason() == TenantShares.Refusal.TENANT_SHARE) {
        ctx.header("Retry-After", "10");
        Problems.write(ctx, 429, "Too Many Requests", "this tenant already has " + tail.maxPerTenant()
            + " live streams open on this instance (testpulse.sse.max.connections.per.tenant)");
      } else {
        Problems.unavailable(ctx, "too many live streams open on this instance", Duration.ofSeconds(10));
      }
      return;
    } catch (IllegalArgumentException e) {
      throw new Params.BadParameter(ctx.header("Last-Event-ID") != null ? "Last-Event-ID" : "lastEventId",
          e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Could not open the transitions topic: {}", e.toString());
      Problems.unavailable(ctx, "the transitions topic cannot be read now", TestpulseQueries.RETRY_AFTER);
      return;
    }
    new SseHandler(client -> {
      client.keepAlive();
      Thread pump = new Thread(() -> pump(client, subscription), "testpulse-sse-" + principal.tenant());
      pump.setDaemon(true);
      client.onClose(() -> {
        open.remove(client);
        pump.interrupt();
      });
      open.add(client);
      if (stopping) {
        client.close();
      }
      pump.start();
    }).handle(ctx);
  }

  private static void pump(SseClient client, TransitionTail.Subscription subscription) {
    try {
      client.sendEvent("ready", "{}", subscription.eventId());
      long lastSent = System.nanoTime();
      while (!client.terminated() && !Thread.currentThread().isInterrupted()) {
        List<TransitionTail.Event> events = subscription.poll(POLL);
        for (TransitionTail.Event event : events) {
          client.sendEvent("transition", new String(JsonSerde.of(Transition.class).encode(event.transition()),
              java.nio.charset.StandardCharsets.UTF_8), event.id());
          lastSent = System.nanoTime();
        }
        if (System.nanoTime() - lastSent > HEARTBEAT_NANOS) {
          client.sendComment("keep-alive");
          lastSent = System.nanoTime();
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException e) {
      // the client went away while the consumer was polling
    } catch (RuntimeException e) {
      LOG.warn("Live stream ended: {}", e.toString());
    } finally {
      Thread.interrupted(); // closing the consumer must not fail on the interrupt that ended the loop
      subscription.close();
      client.close();
    }
  }
}
