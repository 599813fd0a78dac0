package io.testpulse.interactive;

import io.testpulse.topology.StoreHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one class that decides where a query runs. A key lookup goes to the instance that owns the
 * key ({@link KafkaStreams#queryMetadataForKey}): answered here when this instance is the active
 * host, else forwarded to the active host named by Kafka Streams metadata; with {@code allowStale},
 * a standby replica answers when the active cannot. A list fans out to every instance
 * ({@link KafkaStreams#streamsMetadataForStore}), each answering for its own active partitions, and
 * is merged in order; partitions that did not answer in time are named, never dropped silently.
 */
public final class KeyRouter {

  private static final Logger LOG = LoggerFactory.getLogger(KeyRouter.class);
  static final Duration RETRY_AFTER = TestpulseQueries.RETRY_AFTER;

  private final KafkaStreams streams;
  private final HostInfo self;
  private final LocalStores local;
  private final PeerClient peers;
  private final Duration peerTimeout;

  KeyRouter(KafkaStreams streams, HostInfo self, PeerClient peers, Duration peerTimeout) {
    this.streams = streams;
    this.self = self;
    this.local = new LocalStores(streams);
    this.peers = peers;
    this.peerTimeout = peerTimeout;
  }

  private boolean singleInstance() {
    return HostInfo.unavailable().equals(self);
  }

  String selfName() {
    return singleInstance() ? "local" : self.host() + ":" + self.port();
  }

  /** The value of {@code key} in {@code store}, from whichever instance may answer. */
  <V> QueryOutcome<StoreRead<V>> get(StoreHandle<String, V> store, String key, boolean allowStale) {
    KeyQueryMetadata metadata;
    try {
      metadata = streams.queryMetadataForKey(store.name(), key, store.keySerde().serializer());
    } catch (RuntimeException e) {
      return QueryOutcome.unavailable("streams not running: " + streams.state(), RETRY_AFTER);
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
      return QueryOutcome.unavailable("no instance owns " + store.name() + " for this key yet (rebalancing)",
          RETRY_AFTER);
    }
    int partition = metadata.partition();
    if (singleInstance() || self.equals(metadata.activeHost())) {
      return local.get(store, key, partition, allowStale, selfName());
    }
    QueryOutcome<StoreRead<V>> forwarded = forward(metadata.activeHost(), store, key, partition, false);
    if (forwarded.status() == QueryOutcome.Status.OK || !allowStale) {
      return forwarded;
    }
    if (metadata.standbyHosts().contains(self)) {
      QueryOutcome<StoreRead<V>> localStale = local.get(store, key, partition, true, selfName());
      if (localStale.status() == QueryOutcome.Status.OK) {
        return localStale;
      }
    }
    for (HostInfo standby : metadata.standbyHosts()) {
      if (!standby.equals(self)) {
        QueryOutcome<StoreRead<V>> stale = forward(standby, store, key, partition, true);
        if (stale.status() == QueryOutcome.Status.OK) {
          return stale;
        }
      }
    }
    return QueryOutcome.unavailable(forwarded.detail() + "; no standby replica could answer", RETRY_AFTER);
  }

  /** Where a query on one key of a store must run: here, on another instance, or nowhere right now. */
  public record Route(Kind kind, HostInfo host, String detail) {
    /** Where. */
    public enum Kind { LOCAL, REMOTE, UNAVAILABLE }
  }

  /** The instance that owns {@code partitionKey} (a String-keyed partitioning) of {@code storeName}. */
  Route route(String storeName, String partitionKey) {
    KeyQueryMetadata metadata;
    try {
      metadata = streams.queryMetadataForKey(storeName, partitionKey,
          org.apache.kafka.common.serialization.Serdes.String().serializer());
    } catch (RuntimeException e) {
      return new Route(Route.Kind.UNAVAILABLE, null, "streams not running: " + streams.state());
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
      return new Route(Route.Kind.UNAVAILABLE, null, "no instance owns " + storeName + " for this key yet");
    }
    if (singleInstance() || self.equals(metadata.activeHost())) {
      return new Route(Route.Kind.LOCAL, self, null);
    }
    if (!peers.enabled()) {
      return new Route(Route.Kind.UNAVAILABLE, metadata.activeHost(), "owned by " + metadata.activeHost().host() + ":"
          + metadata.activeHost().port() + " and forwarding is off (set testpulse.internal.secret)");
    }
    return new Route(Route.Kind.REMOTE, metadata.activeHost(), null);
  }

  /**
   * Sends a request of the internal mirror API ({@code /internal/v1/fwd/...}) to the instance a
   * {@link Route} named, for {@code tenant}; the answer as the owner gave it, or UNAVAILABLE.
   */
  QueryOutcome<PeerClient.RawAnswer> forward(Route route, String pathAndQuery, String tenant) {
    if (route.kind() != Route.Kind.REMOTE) {
      throw new IllegalArgumentException("only a REMOTE route is forwarded");
    }
    try {
      return QueryOutcome.ok(peers.raw(route.host(), pathAndQuery, tenant)
          .get(peerTimeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return QueryOutcome.unavailable("interrupted", RETRY_AFTER);
    } catch (ExecutionException | TimeoutException e) {
      return QueryOutcome.unavailable("the owning instance (" + route.host().host() + ":" + route.host().port()
          + ") did not answer", RETRY_AFTER);
    }
  }

  /** A key lookup asked by another instance: answered from this instance's partitions only. */
  <V> QueryOutcome<StoreRead<V>> getLocal(StoreHandle<String, V> store, String key, int partition, boolean allowStale) {
    return local.get(store, key, partition, allowStale, selfName());
  }

  private <V> QueryOutcome<StoreRead<V>> forward(HostInfo host, StoreHandle<String, V> store, String key,
      int partition, boolean allowStale) {
    if (!peers.enabled()) {
      return QueryOutcome.unavailable("key is owned by " + host.host() + ":" + host.port()
          + " and forwarding is off (set testpulse.internal.secret on every instance)", RETRY_AFTER);
    }
    KeyAnswer answer;
    try {
      answer = peers.get(host, store.name(), key, partition, allowStale)
          .get(peerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return QueryOutcome.unavailable("interrupted", RETRY_AFTER);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("Instance {}:{} did not answer a key lookup: {}", host.host(), host.port(), e.toString());
      return QueryOutcome.unavailable("the instance owning this key (" + host.host() + ":" + host.port()
          + ") did not answer", RETRY_AFTER);
    }
    if (!"OK".equals(answer.status())) {
      return QueryOutcome.unavailable(answer.detail(), RETRY_AFTER);
    }
    V value = answer.value() == null ? null
        : store.valueSerde().deserializer().deserialize(store.name(), Base64.getDecoder().decode(answer.value()));
    return QueryOutcome.ok(new StoreRead<>(value, answer.partition(), answer.stale(), answer.offsetLag(),
        answer.servedBy()));
  }

  /** One page of a list, merged from every instance; {@code UNAVAILABLE} only when no instance is known. */
  <V, R> QueryOutcome<ListPage<R>> list(ListSpec<V, R> spec, ListQuery query) {
    if (singleInstance()) {
      PartPage<R> part = listLocal(spec, query, null, query.allowStale());
      return QueryOutcome.ok(merge(spec, query, List.of(part), Set.of()));
    }
    Collection<StreamsMetadata> hosts;
    try {
      hosts = streams.streamsMetadataForStore(spec.store().name());
    } catch (RuntimeException e) {
      return QueryOutcome.unavailable("streams not running: " + streams.state(), RETRY_AFTER);
    }
    Map<HostInfo, Set<Integer>> active = new LinkedHashMap<>();
    Map<HostInfo, Set<Integer>> standby = new LinkedHashMap<>();
    Set<Integer> universe = new TreeSet<>();
    for (StreamsMetadata host : hosts) {
      active.put(host.hostInfo(), partitionsOf(host.topicPartitions(), spec.sourceTopic()));
      standby.put(host.hostInfo(), partitionsOf(host.standbyTopicPartitions(), spec.sourceTopic()));
      universe.addAll(active.get(host.hostInfo()));
      universe.addAll(standby.get(host.hostInfo()));
    }
    if (universe.isEmpty()) {
      return QueryOutcome.unavailable("no instance hosts " + spec.store().name() + " yet (rebalancing)", RETRY_AFTER);
    }
    // a gap in the partition numbers is a partition no instance hosts right now: missing, not absent
    int partitionCount = ((TreeSet<Integer>) universe).last() + 1;
    List<PartPage<R>> parts = new ArrayList<>();
    Set<HostInfo> failed = new HashSet<>();
    askAll(spec, query, active, false, parts, failed);
    Set<Integer> missing = missing(partitionCount, parts);
    if (query.allowStale() && !missing.isEmpty()) {
      Map<HostInfo, Set<Integer>> fromStandbys = new LinkedHashMap<>();
      for (int partition : missing) {
        standby.entrySet().stream()
            .filter(e -> e.getValue().contains(partition) && !failed.contains(e.getKey()))
            .map(Map.Entry::getKey)
            .sorted((a, b) -> Boolean.compare(!a.equals(self), !b.equals(self)))
            .findFirst()
            .ifPresent(h -> fromStandbys.computeIfAbsent(h, k -> new TreeSet<>()).add(partition));
      }
      askAll(spec, query, fromStandbys, true, parts, failed);
      missing = missing(partitionCount, parts);
    }
    return QueryOutcome.ok(merge(spec, query, parts, missing));
  }

  private <V, R> void askAll(ListSpec<V, R> spec, ListQuery query, Map<HostInfo, Set<Integer>> assignment,
      boolean allowStale, List<PartPage<R>> parts, Set<HostInfo> failed) {
    Map<HostInfo, CompletableFuture<PartPage<R>>> calls = new LinkedHashMap<>();
    for (Map.Entry<HostInfo, Set<Integer>> entry : assignment.entrySet()) {
      if (entry.getValue().isEmpty() || entry.getKey().equals(self)) {
        continue;
      }
      calls.put(entry.getKey(), peers.list(entry.getKey(), spec, query, entry.getValue(), allowStale));
    }
    Set<Integer> mine = assignment.get(self);
    if (mine != null && !mine.isEmpty()) {
      parts.add(listLocal(spec, query, mine, allowStale));
    }
    long deadline = System.nanoTime() + peerTimeout.toNanos();
    for (Map.Entry<HostInfo, CompletableFuture<PartPage<R>>> call : calls.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        parts.add(call.getValue().get(left, TimeUnit.NANOSECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.add(call.getKey());
      } catch (ExecutionException | TimeoutException e) {
        call.getValue().cancel(true);
        failed.add(call.getKey());
        LOG.debug("Instance {} did not answer its part of a list: {}", call.getKey(), e.toString());
      }
    }
  }

  private static <R> Set<Integer> missing(int partitionCount, List<PartPage<R>> parts) {
    Set<Integer> missing = new TreeSet<>();
    for (int p = 0; p < partitionCount; p++) {
      missing.add(p);
    }
    parts.forEach(part -> part.partitions().forEach(answer -> missing.remove(answer.partition())));
    return missing;
  }

  private static Set<Integer> partitionsOf(Set<TopicPartition> partitions, String topic) {
    Set<Integer> result = new TreeSet<>();
    for (TopicPartition tp : partitions) {
      if (tp.topic().equals(topic)) {
        result.add(tp.partition());
      }
    }
    return result;
  }

  /**
   * This instance's part of a list: its rows after the cursor in the given partitions (all local
   * partitions when null), sorted, at most {@code limit}.
   */
  <V, R> PartPage<R> listLocal(ListSpec<V, R> spec, ListQuery query, Set<Integer> partitions, boolean allowStale) {
    String from = query.tenant() + "/";
    String to = query.tenant() + "0"; // '0' follows '/': every key "tenant/..." sorts in [from, to)
    ListSpec.IndexScan index = spec.indexScan(query);
    Map<Integer, List<String>> indexed = null;
    Map<Integer, LocalStores.PartitionScan<V>> scans;
    if (index == null) {
      scans = local.range(spec.store(), from, to, partitions, allowStale);
    } else {
      indexed = new TreeMap<>();
      for (var hits : local.range(index.store(), index.from(), index.to(), partitions, allowStale).entrySet()) {
        indexed.put(hits.getKey(), hits.getValue().entries().stream().map(kv -> index.keyOf().apply(kv.key)).toList());
      }
      scans = local.getAll(spec.store(), indexed, allowStale);
    }
    Map<String, Object> joined = new HashMap<>();
    if (spec.joinedStore() != null && !scans.isEmpty()) {
      @SuppressWarnings("unchecked")
      StoreHandle<String, Object> joinedStore = (StoreHandle<String, Object>) spec.joinedStore();
      Map<Integer, LocalStores.PartitionScan<Object>> joinedScans = indexed == null
          ? local.range(joinedStore, from, to, new TreeSet<>(scans.keySet()), allowStale)
          : local.getAll(joinedStore, indexed, allowStale);
      scans.keySet().retainAll(joinedScans.keySet()); // a partition counts as answered only if both stores answered
      joinedScans.values().forEach(s -> s.entries().forEach(kv -> joined.put(kv.key, kv.value)));
    }
    boolean[] descending = spec.descending(query.sort());
    List<KeyValue<List<Object>, R>> rows = new ArrayList<>();
    List<PartPage.PartitionAnswer> answered = new ArrayList<>();
    for (Map.Entry<Integer, LocalStores.PartitionScan<V>> scan : scans.entrySet()) {
      Long lag = scan.getValue().offsetLag();
      answered.add(new PartPage.PartitionAnswer(scan.getKey(), lag != null, lag, selfName()));
      for (KeyValue<String, V> entry : scan.getValue().entries()) {
        R row = spec.row(entry.value, joined.get(entry.key), query);
        if (row == null) {
          continue;
        }
        List<Object> key = spec.sortKey(row, query.sort());
        if (query.after() == null || SortKeys.compare(key, query.after(), descending) > 0) {
          rows.add(KeyValue.pair(key, row));
        }
      }
    }
    rows.sort((a, b) -> SortKeys.compare(a.key, b.key, descending));
    boolean more = rows.size() > query.limit();
    List<R> items = rows.stream().limit(query.limit()).map(kv -> kv.value).toList();
    return new PartPage<>(items, more, answered);
  }

  /** The page of a list from every instance's part: merged in the list's order, cut at the limit, with a cursor. */
  static <V, R> ListPage<R> merge(ListSpec<V, R> spec, ListQuery query, List<PartPage<R>> parts,
      Set<Integer> missing) {
    boolean[] descending = spec.descending(query.sort());
    List<R> all = new ArrayList<>();
    boolean more = false;
    List<PartPage.PartitionAnswer> stale = new ArrayList<>();
    for (PartPage<R> part : parts) {
      all.addAll(part.items());
      more |= part.more();
      part.partitions().stream().filter(PartPage.PartitionAnswer::stale).forEach(stale::add);
    }
    Map<R, List<Object>> keys = new HashMap<>();
    all.forEach(r -> keys.put(r, spec.sortKey(r, query.sort())));
    all.sort((a, b) -> SortKeys.compare(keys.get(a), keys.get(b), descending));
    more |= all.size() > query.limit();
    List<R> page = List.copyOf(all.subList(0, Math.min(query.limit(), all.size())));
    String next = more && !page.isEmpty()
        ? Cursors.encode(spec.name(), query.sort(), query.filters(), keys.get(page.get(page.size() - 1)))
        : null;
    stale.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
    return new ListPage<>(page, next, !missing.isEmpty(), missing.stream().sorted().toList(), !stale.isEmpty(),
        stale);
  }

  /** Every instance of the application, with its partitions of {@code store}. */
  QueryOutcome<List<InstanceInfo>> instances(String sourceTopic) {
    if (singleInstance()) {
      return QueryOutcome.ok(List.of(new InstanceInfo(selfName(), true, List.of(), List.of())));
    }
    try {
      List<InstanceInfo> result = new ArrayList<>();
      for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
        result.add(new InstanceInfo(m.host() + ":" + m.port(), m.hostInfo().equals(self),
            List.copyOf(partitionsOf(m.topicPartitions(), sourceTopic)),
            List.copyOf(partitionsOf(m.standbyTopicPartitions(), sourceTopic))));
      }
      result.sort((a, b) -> a.host().compareTo(b.host()));
      return QueryOutcome.ok(result);
    } catch (RuntimeException e) {
      return QueryOutcome.unavailable("streams not running: " + streams.state(), RETRY_AFTER);
    }
  }
}
