package io.testpulse.reliability;

import java.time.Duration;

/**
 * Real faults on the processes of a {@link ChaosContext}: signals to testpulse instances and to the
 * broker, state loss, restarts. The child-process cluster ({@link ChildCluster}) implements it;
 * scenarios that need it say so in their report when the context does not.
 */
public interface ProcessFaults {

  /** SIGKILL: the instance dies at once, no shutdown hook, no clean close of Kafka Streams. */
  void killInstance(int instance) throws Exception;

  /** SIGSTOP: the instance is frozen (heartbeats, HTTP, processing), as in a long GC pause. */
  void pauseInstance(int instance) throws Exception;

  /** SIGCONT after {@link #pauseInstance}. */
  void resumeInstance(int instance) throws Exception;

  /** A clean stop (SIGTERM-like: Kafka Streams closed, state checkpointed). */
  void stopInstance(int instance) throws Exception;

  /** Starts a stopped or killed instance again: same member id, HTTP port and state directory. */
  void startInstance(int instance) throws Exception;

  /** Deletes the state directory of a stopped instance: its stores must come back from the changelogs. */
  void wipeState(int instance) throws Exception;

  /** SIGKILL of the broker. */
  void killBroker() throws Exception;

  /** Starts the broker again on the same ports and data directory. */
  void restartBroker() throws Exception;

  /** Whether instance {@code i} answers {@code /health/ready} with 200 (Kafka Streams RUNNING). */
  boolean ready(int instance);

  /**
   * Records of the application's source topics (input, commands, verdicts, repartitions) that its
   * consumer group has not committed yet: 0 means every output of every record is committed.
   */
  long lag() throws Exception;

  /** End offsets of the input topic's partitions now. */
  java.util.Map<org.apache.kafka.common.TopicPartition, Long> inputEnds() throws Exception;

  /** Whether the application's consumer group has committed the input at least up to {@code ends}. */
  boolean committedPast(java.util.Map<org.apache.kafka.common.TopicPartition, Long> ends) throws Exception;

  /**
   * Waits until every live instance is ready and {@link #lag()} is 0; returns how long that took.
   *
   * @throws IllegalStateException naming what was missing when {@code timeout} passes first
   */
  Duration awaitSettled(Duration timeout) throws Exception;
}
