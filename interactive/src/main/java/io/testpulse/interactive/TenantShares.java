package io.testpulse.interactive;

import java.util.HashMap;
import java.util.Map;

/**
 * A pool of slots (uploads being received, live streams) shared fairly by tenants: at most
 * {@code total} in use at once, and at most {@code perTenant} of them by one tenant, so one tenant
 * (or one token) cannot take what the others need. Thread-safe.
 */
public final class TenantShares {

  /** Why a slot was refused. */
  public enum Refusal {
    /** The tenant holds its whole share. */
    TENANT_SHARE,
    /** Every slot of the instance is taken. */
    INSTANCE_FULL
  }

  private final int total;
  private final int perTenant;
  private final Map<String, Integer> held = new HashMap<>();
  private int inUse;

  /**
   * @param total slots of the instance
   * @param perTenant one tenant's share (at most {@code total}); 0 or less: the whole pool
   */
  public TenantShares(int total, int perTenant) {
    this.total = total;
    this.perTenant = Math.min(total, perTenant > 0 ? perTenant : total);
  }

  /** {@code total / divisor}, at least 1 (at most {@code total}): the share when none is configured. */
  public static int defaultShare(int total, int divisor) {
    return Math.max(1, Math.min(total, total / divisor));
  }

  public int total() {
    return total;
  }

  public int perTenant() {
    return perTenant;
  }

  /** Takes a slot for {@code tenant}; null when taken, else why not. */
  public synchronized Refusal tryAcquire(String tenant) {
    int mine = held.getOrDefault(tenant, 0);
    if (mine >= perTenant) {
      return Refusal.TENANT_SHARE;
    }
    if (inUse >= total) {
      return Refusal.INSTANCE_FULL;
    }
    held.put(tenant, mine + 1);
    inUse++;
    return null;
  }

  /** Gives back a slot {@link #tryAcquire} gave {@code tenant}. */
  public synchronized void release(String tenant) {
    Integer mine = held.get(tenant);
    if (mine == null) {
      throw new IllegalStateException("release without acquire");
    }
    if (mine == 1) {
      held.remove(tenant);
    } else {
      held.put(tenant, mine - 1);
    }
    inUse--;
  }

  /** Slots in use now (all tenants). */
  public synchronized int inUse() {
    return inUse;
  }
}
