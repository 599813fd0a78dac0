package com.example.shop;

import io.testpulse.topology.StoreHandle;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.TopicHandle;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Named;

/** The service's own topology (orders per customer), with testpulse's added to the same builder. */
public final class ShopTopology {

  public static final TopicHandle<String, String> ORDERS =
      new TopicHandle<>("orders", Serdes.String(), Serdes.String(), "delete");
  public static final StoreHandle<String, Long> ORDERS_PER_CUSTOMER =
      StoreHandle.keyValue("orders-per-customer", Serdes.String(), Serdes.Long());

  private ShopTopology() {
  }

  public static Topology build(TestpulseConfig testpulse) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(ORDERS.name(), ORDERS.consumed())
        .groupByKey(Grouped.as("orders-by-customer"))
        .count(Named.as("orders-count"), ORDERS_PER_CUSTOMER.materialized());
    TestpulseTopology.create(testpulse).addTo(builder);
    return builder.build();
  }
}
