package io.testpulse.interactive;

import io.testpulse.topology.TopicHandle;
import io.testpulse.topology.Transition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The live tail of the transitions topic for one tenant. Each subscription is one Kafka consumer
 * without a group (assigned every partition), so it can resume exactly where a client left off:
 * an event's id is the position of every partition after it ({@code 0:15,1:7,2:9}), which a
 * reconnecting client sends back as {@code Last-Event-ID}. Resources are bounded: at most
 * {@code maxConnections} subscriptions at once, and a small fetch size and poll batch each.
 */
public final class TransitionTail {

  private static final Pattern EVENT_ID = Pattern.compile("\\d{1,5}:\\d{1,19}(,\\d{1,5}:\\d{1,19}){0,9999}");

  private final Map<String, Object> consumerProps;
  private final TopicHandle<String, Transition> topic;
  private final TenantShares connections;

  /**
   * A tail with a quarter of {@code maxConnections} (at least 1) for each tenant.
   *
   * @param consumerProps the client settings (at least {@code bootstrap.servers}); group, offsets and
   *     fetch sizes are set here
   * @param maxConnections most subscriptions open at once
   */
  public TransitionTail(Map<String, Object> consumerProps, TopicHandle<String, Transition> topic, int maxConnections) {
    this(consumerProps, topic, maxConnections, 0);
  }

  /**
   * @param maxPerTenant most subscriptions of one tenant open at once; 0: a quarter of
   *     {@code maxConnections} (at least 1)
   */
  public TransitionTail(Map<String, Object> consumerProps, TopicHandle<String, Transition> topic, int maxConnections,
      int maxPerTenant) {
    Map<String, Object> props = new HashMap<>(consumerProps);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024 * 1024);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256 * 1024);
    this.consumerProps = Map.copyOf(props);
    this.topic = topic;
    this.connections = new TenantShares(maxConnections,
        maxPerTenant > 0 ? maxPerTenant : TenantShares.defaultShare(maxConnections, 4));
  }

  /**
   * The positions a {@code Last-Event-ID} names.
   *
   * @throws IllegalArgumentException when it is not {@code partition:offset[,partition:offset...]}
   */
  public static Map<Integer, Long> parseEventId(String id) {
    if (id == null || !EVENT_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("must be partition:offset pairs separated by commas, as sent in event ids");
    }
    Map<Integer, Long> positions = new TreeMap<>();
    for (String pair : id.split(",")) {
      String[] parts = pair.split(":");
      positions.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
    }
    return positions;
  }

  /** One tenant's share of the streams. */
  public int maxPerTenant() {
    return connections.perTenant();
  }

  /**
   * Opens a subscription for {@code tenant} that starts at {@code resumeFrom} (null: at the end,
   * only new transitions).
   *
   * @throws Refused when the tenant holds its share of the streams, or the instance all of them
   * @throws IllegalArgumentException when {@code resumeFrom} names a partition the topic does not have
   *     (not an id this tail sent)
   */
  public Subscription open(String tenant, Map<Integer, Long> resumeFrom) throws Refused {
    TenantShares.Refusal refusal = connections.tryAcquire(tenant);
    if (refusal != null) {
      throw new Refused(refusal);
    }
    try {
      return new Subscription(tenant, resumeFrom);
    } catch (RuntimeException e) {
      connections.release(tenant);
      throw e;
    }
  }

  /** No stream for this caller now: its tenant's share, or every stream of the instance, is taken. */
  public static final class Refused extends Exception {
    private final TenantShares.Refusal reason;

    Refused(TenantShares.Refusal reason) {
      super(reason.name());
      this.reason = reason;
    }

    public TenantShares.Refusal reason() {
      return reason;
    }
  }

  /** One transition for the client, with the id to resume after it. */
  public record Event(String id, Transition transition) {
  }

  /** One client's tail. Not thread-safe: one thread polls it, and closes it. */
  public final class Subscription implements AutoCloseable {
    private final String keyPrefix;
    private final String tenant;
    private final KafkaConsumer<String, Transition> consumer;
    private final Map<Integer, Long> positions = new TreeMap<>();
    private boolean closed;

    private Subscription(String tenant, Map<Integer, Long> resumeFrom) {
      this.tenant = tenant;
      this.keyPrefix = tenant + "/";
      this.consumer = new KafkaConsumer<>(consumerProps, topic.keySerde().deserializer(),
          topic.valueSerde().deserializer());
      try {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic.name(), Duration.ofSeconds(10))) {
          partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        if (resumeFrom != null) {
          for (Integer named : resumeFrom.keySet()) {
            if (partitions.stream().noneMatch(tp -> tp.partition() == named)) {
              throw new IllegalArgumentException("names partition " + named + ", which the transitions topic "
                  + "does not have: not an event id of this stream");
            }
          }
        }
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
          Long from = resumeFrom == null ? null : resumeFrom.get(tp.partition());
          if (from != null) {
            consumer.seek(tp, from);
          } else if (resumeFrom == null) {
            consumer.seekToEnd(List.of(tp));
          } else {
            consumer.seekToBeginning(List.of(tp)); // a partition added since the client's last event
          }
          positions.put(tp.partition(), consumer.position(tp, Duration.ofSeconds(10)));
        }
      } catch (RuntimeException e) {
        consumer.close(Duration.ZERO);
        throw e;
      }
    }

    /** The tenant's transitions that arrived within {@code timeout}, each with its resume id. */
    public List<Event> poll(Duration timeout) {
      List<Event> events = new ArrayList<>();
      for (ConsumerRecord<String, Transition> record : consumer.poll(timeout)) {
        positions.put(record.partition(), record.offset() + 1);
        Transition t = record.value();
        if (t != null && record.key() != null && record.key().startsWith(keyPrefix) && tenant.equals(t.tenant())) {
          events.add(new Event(eventId(), t));
        }
      }
      return events;
    }

    /** The current positions, as an event id. */
    public String eventId() {
      return positions.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
          .collect(Collectors.joining(","));
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        try {
          consumer.close(Duration.ofSeconds(5));
        } finally {
          connections.release(tenant);
        }
      }
    }
  }
}
