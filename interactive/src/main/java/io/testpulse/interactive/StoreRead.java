package io.testpulse.interactive;

/**
 * A value read from one store partition, and how fresh it is.
 *
 * @param value the stored value, {@code null} when the key is absent
 * @param partition the store partition that answered
 * @param stale true when a standby replica (or a restoring active) answered, not the running active
 * @param offsetLag that replica's changelog offset lag when stale ({@code -1} if unknown); null otherwise
 * @param servedBy {@code host:port} of the instance that answered
 * @param <V> value type
 */
public record StoreRead<V>(V value, int partition, boolean stale, Long offsetLag, String servedBy) {
}
