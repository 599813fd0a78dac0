package io.testpulse.topology.errors;

/**
 * An input record that deserialized but cannot be processed (key does not match its identity,
 * malformed test id, missing run key, ...). Thrown by the topology so that Kafka Streams'
 * processing exception handler sends the raw record to the dead-letter topic with its
 * coordinates and processing goes on. The message never contains the payload.
 */
public class InvalidExecutionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidExecutionException(String message) {
    super(message);
  }
}
