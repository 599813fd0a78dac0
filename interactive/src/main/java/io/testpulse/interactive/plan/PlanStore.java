package io.testpulse.interactive.plan;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The plans of this instance, by tenant, suite and identifier: created once, then the same plan for
 * every node of the build step (and a retried job) until it expires. A creation in progress is a
 * claim: a concurrent creation of the same identifier is told to retry ({@code 409}, which the
 * client retries) and then gets the stored plan. Bounded by an expiry and a maximum count (the
 * oldest plans go first).
 */
public final class PlanStore {

  /** The outcome of a creation. */
  public sealed interface Created {
    /** The plan of the identifier: just built, or built before. */
    record Plan(TestPlan plan, boolean existed) implements Created {
    }

    /** Another request is building this identifier's plan now: ask again. */
    record InProgress() implements Created {
    }
  }

  private record Entry(CompletableFuture<TestPlan> plan, long createdAt) {
  }

  private final Map<String, Entry> plans = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;
  private final int maxPlans;

  public PlanStore(Clock clock, Duration ttl, int maxPlans) {
    this.clock = clock;
    this.ttl = ttl;
    this.maxPlans = maxPlans;
  }

  /** The stored plan, if it exists, is complete and has not expired. */
  public Optional<TestPlan> get(String tenant, String suite, String identifier) {
    Entry e = plans.get(key(tenant, suite, identifier));
    if (e == null || expired(e) || !e.plan().isDone() || e.plan().isCompletedExceptionally()) {
      return Optional.empty();
    }
    return Optional.of(e.plan().join());
  }

  /**
   * The identifier's plan: the stored one, or the one {@code build} makes now (stored when it
   * succeeds; an exception from {@code build} is rethrown and stores nothing).
   */
  public Created create(String tenant, String suite, String identifier, Supplier<TestPlan> build) {
    String key = key(tenant, suite, identifier);
    Entry mine = new Entry(new CompletableFuture<>(), clock.millis());
    Entry existing = plans.compute(key, (k, e) -> e == null || expired(e) ? mine : e);
    if (existing != mine) {
      if (!existing.plan().isDone()) {
        return new Created.InProgress();
      }
      if (!existing.plan().isCompletedExceptionally()) {
        return new Created.Plan(existing.plan().join(), true);
      }
      plans.remove(key, existing);
      return create(tenant, suite, identifier, build);
    }
    try {
      TestPlan plan = build.get();
      mine.plan().complete(plan);
      evict();
      return new Created.Plan(plan, false);
    } catch (RuntimeException e) {
      plans.remove(key, mine);
      mine.plan().completeExceptionally(e);
      throw e;
    }
  }

  /** Plans held now (complete or being built). */
  public int size() {
    return plans.size();
  }

  private boolean expired(Entry e) {
    return clock.millis() - e.createdAt() > ttl.toMillis();
  }

  private void evict() {
    plans.values().removeIf(e -> e.plan().isDone() && expired(e));
    while (plans.size() > maxPlans) {
      Iterator<Map.Entry<String, Entry>> oldest = plans.entrySet().stream()
          .filter(e -> e.getValue().plan().isDone())
          .sorted(Map.Entry.comparingByValue((a, b) -> Long.compare(a.createdAt(), b.createdAt())))
          .limit(plans.size() - maxPlans).iterator();
      if (!oldest.hasNext()) {
        return;
      }
      oldest.forEachRemaining(e -> plans.remove(e.getKey(), e.getValue()));
    }
  }

  private static String key(String tenant, String suite, String identifier) {
    return tenant + '\u0000' + suite + '\u0000' + identifier;
  }
}
