package io.testpulse.topology.internals;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

/**
 * Forwards records from a processor while Kafka Streams prepares a commit (from a {@link
 * WriteBehindStore.CommitListener}), outside {@code process} and punctuations: it makes the processor's
 * node current for the call, as Kafka Streams' own cache flush listener does for a KTable. The records are
 * sent before the producer is flushed and the transaction committed, so they belong to the same transaction
 * as the state and input offsets they follow from. Only sinks may be downstream of such a forward: a store
 * written downstream could already have been flushed for this commit.
 *
 * <p>Outside Kafka Streams (a {@code MockProcessorContext} in unit tests) it forwards directly.
 */
final class CommitForwarder<K, V> {

  private final ProcessorContext<K, V> context;
  private final InternalProcessorContext<K, V> internal;
  private final ProcessorNode<?, ?, ?, ?> node;

  @SuppressWarnings("unchecked")
  CommitForwarder(ProcessorContext<K, V> context) {
    this.context = context;
    this.internal = context instanceof InternalProcessorContext<?, ?> i ? (InternalProcessorContext<K, V>) i : null;
    this.node = internal == null ? null : internal.currentNode();
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  void forward(Record<? extends K, ? extends V> record) {
    if (internal == null) {
      context.forward(record);
      return;
    }
    ProcessorNode previousNode = internal.currentNode();
    ProcessorRecordContext previousContext = internal.recordContext();
    internal.setCurrentNode(node);
    internal.setRecordContext(new ProcessorRecordContext(record.timestamp(), -1L, -1, null, new RecordHeaders()));
    try {
      internal.forward(record);
    } finally {
      internal.setCurrentNode(previousNode);
      internal.setRecordContext(previousContext);
    }
  }
}
