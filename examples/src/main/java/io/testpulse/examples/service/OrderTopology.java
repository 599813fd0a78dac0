package io.testpulse.examples.service;

import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.TopicHandle;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Named;

/**
 * The existing service's own topology, unrelated to testpulse: orders per customer. It uses
 * testpulse's {@link TopicHandle} and {@link StoreHandle} records for its own topics and store
 * only because they are convenient (and let its tests use the testkit's typed access); nothing
 * requires it.
 */
public final class OrderTopology {

  /** Input: one record per order, keyed by customer id, the value is the order id. */
  public static final TopicHandle<String, String> ORDERS =
      new TopicHandle<>("shop.orders.v1", Serdes.String(), Serdes.String(), TopicConfig.CLEANUP_POLICY_DELETE);

  /** Output, compacted: the number of orders of each customer. */
  public static final TopicHandle<String, Long> ORDER_COUNTS =
      new TopicHandle<>("shop.order-counts.v1", Serdes.String(), Serdes.Long(), TopicConfig.CLEANUP_POLICY_COMPACT);

  /** Orders per customer, queryable over the service's own HTTP API. */
  public static final StoreHandle<String, Long> ORDERS_PER_CUSTOMER =
      StoreHandle.keyValue("orders-per-customer", Serdes.String(), Serdes.Long());

  private OrderTopology() {
  }

  /** Every name explicit: testpulse's defaults turn on {@code ensure.explicit.internal.resource.naming}. */
  public static void addTo(StreamsBuilder builder) {
    builder.stream(ORDERS.name(), ORDERS.consumed())
        .groupByKey(Grouped.as("orders-by-customer"))
        .count(Named.as("orders-count"), ORDERS_PER_CUSTOMER.materialized())
        .toStream(Named.as("order-counts-stream"))
        .to(ORDER_COUNTS.name(), ORDER_COUNTS.produced());
  }
}
