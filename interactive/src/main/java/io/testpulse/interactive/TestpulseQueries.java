package io.testpulse.interactive;

import io.testpulse.avro.TestState;
import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.Stores;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestStats;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The query service over testpulse's state stores (Kafka Streams interactive queries, IQv2).
 * The only class of the HTTP layer that touches {@link KafkaStreams}: controllers ask it and map
 * its {@link QueryOutcome}s.
 */
public final class TestpulseQueries {

  /** How long a client should wait before retrying a query on a store that is not queryable. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

  private final KafkaStreams streams;
  private final HostInfo self;

  /**
   * @param streams the running KafkaStreams that executes the testpulse topology
   * @param self this instance's {@code application.server} host and port ({@link HostInfo#unavailable()} when
   *     running a single instance without one)
   */
  public TestpulseQueries(KafkaStreams streams, HostInfo self) {
    this.streams = Objects.requireNonNull(streams, "streams");
    this.self = Objects.requireNonNull(self, "self");
  }

  /** The current state of one test of {@code tenant}. */
  public QueryOutcome<TestStats> test(String tenant, String testId) {
    String key = TestKeys.key(tenant, testId);
    QueryOutcome<TestState> state = get(Stores.TEST_STATE, key);
    return switch (state.status()) {
      case OK -> QueryOutcome.ok(TestStats.from(state.value()));
      case NOT_FOUND -> QueryOutcome.notFound(state.detail());
      case UNAVAILABLE -> QueryOutcome.unavailable(state.detail(), state.retryAfter());
    };
  }

  /** Whether the instance is processing: RUNNING, or REBALANCING with its tasks still assigned. */
  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** Whether the instance is alive: anything but a failed or stopped KafkaStreams. */
  public boolean live() {
    KafkaStreams.State state = streams.state();
    return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
        && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
  }

  /** The state of the underlying KafkaStreams, for health answers. */
  public KafkaStreams.State streamsState() {
    return streams.state();
  }

  private <V> QueryOutcome<V> get(StoreHandle<String, V> store, String key) {
    KeyQueryMetadata metadata;
    try {
      metadata = streams.queryMetadataForKey(store.name(), key, store.keySerde().serializer());
    } catch (IllegalStateException e) {
      return QueryOutcome.unavailable("streams not running: " + streams.state(), RETRY_AFTER);
    }
    if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
      return QueryOutcome.unavailable("no instance owns " + store.name() + " for this key yet (rebalancing)",
          RETRY_AFTER);
    }
    if (!self.equals(HostInfo.unavailable()) && !self.equals(metadata.activeHost())) {
      // Forwarding to the owning instance is the query-API issue's routing layer.
      return QueryOutcome.unavailable("key is owned by " + metadata.activeHost() + ", which this instance does not "
          + "forward to yet", RETRY_AFTER);
    }
    int partition = metadata.partition();
    StateQueryRequest<V> request = StateQueryRequest.inStore(store.name())
        .withQuery(KeyQuery.<String, V>withKey(key))
        .withPartitions(Set.of(partition));
    StateQueryResult<V> result = streams.query(request);
    QueryResult<V> partitionResult = result.getPartitionResults().get(partition);
    if (partitionResult == null) {
      return QueryOutcome.unavailable("partition " + partition + " of " + store.name() + " is not hosted here",
          RETRY_AFTER);
    }
    if (partitionResult.isFailure()) {
      return QueryOutcome.unavailable(store.name() + " partition " + partition + ": "
          + partitionResult.getFailureReason() + " (" + partitionResult.getFailureMessage() + ")", RETRY_AFTER);
    }
    V value = partitionResult.getResult();
    return value == null ? QueryOutcome.notFound("no such test") : QueryOutcome.ok(value);
  }
}
