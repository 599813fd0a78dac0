package io.testpulse.topology.internals;

import io.testpulse.topology.QuarantineCommand;
import io.testpulse.topology.Stores;
import io.testpulse.topology.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@code quarantine} store: the active quarantine of each test, projected from the
 * quarantine-commands topic (a {@code QUARANTINE} puts, a {@code RELEASE} deletes). The query API's
 * {@code GET /api/v1/quarantined} reads it; expiry is applied when read, so no punctuator is needed.
 */
public final class QuarantineStep {

  private QuarantineStep() {
  }

  public static void addTo(StreamsBuilder builder, Topics topics) {
    builder.addStateStore(Stores.QUARANTINE.storeBuilder());
    builder.stream(topics.quarantineCommands().name(), topics.quarantineCommands().consumed())
        .process(QuarantineProjector::new, Named.as("quarantine-processor"), Stores.QUARANTINE.name());
  }

  /** Applies one command to the store. Commands for one test arrive in order (one key, one partition). */
  static final class QuarantineProjector implements Processor<String, QuarantineCommand, Void, Void> {
    private KeyValueStore<String, QuarantineCommand> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(Stores.QUARANTINE.name());
    }

    @Override
    public void process(Record<String, QuarantineCommand> record) {
      QuarantineCommand command = record.value();
      if (record.key() == null || command == null || !record.key().equals(command.key())) {
        throw new IllegalArgumentException("quarantine command without a key matching its value");
      }
      if (QuarantineCommand.QUARANTINE.equals(command.action())) {
        store.put(record.key(), command);
      } else if (QuarantineCommand.RELEASE.equals(command.action())) {
        store.delete(record.key());
      } else {
        throw new IllegalArgumentException("unknown quarantine action " + command.action());
      }
    }
  }
}
