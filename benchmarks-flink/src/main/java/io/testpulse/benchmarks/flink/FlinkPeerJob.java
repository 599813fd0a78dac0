package io.testpulse.benchmarks.flink;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink peer of the testpulse topology, run by the benchmark harness in a child JVM:
 * {@code FlinkPeerJob <bootstrap> <inputTopic> <outputTopic> <workDir> <parallelism> <checkpointMillis>}.
 * A local MiniCluster, RocksDB state backend, exactly-once checkpoints and an exactly-once
 * (transactional) Kafka sink; the source is bounded at the input's end offsets, so the job ends
 * when it has processed the whole input and committed its last transaction. The last line on
 * standard output is {@code RESULT {json}} with the job's wall and CPU time.
 */
public final class FlinkPeerJob {

  private FlinkPeerJob() {
  }

  /** The record key: the {@code key} field the job writes first, {@code {"key":"<tenant/test_id>",...}}. */
  static final class KeyOfJson implements SerializationSchema<String> {
    @Override
    public byte[] serialize(String json) {
      return json.substring(8, json.indexOf('"', 8)).getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The JSON document as UTF-8. */
  static final class Utf8 implements SerializationSchema<String> {
    @Override
    public byte[] serialize(String json) {
      return json.getBytes(StandardCharsets.UTF_8);
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String input = args[1];
    String output = args[2];
    Path work = Path.of(args[3]);
    int parallelism = Integer.parseInt(args[4]);
    long checkpointMillis = Long.parseLong(args[5]);

    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    // A failure ends the run (and the harness reports it) instead of restarting from a checkpoint.
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("512m"));
    conf.setString("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
    conf.setString("io.tmp.dirs", work.resolve("tmp").toString());

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    env.enableCheckpointing(checkpointMillis, CheckpointingMode.EXACTLY_ONCE);

    Properties consumer = new Properties();
    consumer.put("isolation.level", "read_committed");
    KafkaSource<Exec> source = KafkaSource.<Exec>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(input)
        .setGroupId("bench-flink")
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.latest())
        .setDeserializer(new ExecDeserializer())
        .setProperties(consumer)
        .build();

    Properties producer = new Properties();
    producer.put("transaction.timeout.ms", "600000");
    KafkaSink<String> sink = KafkaSink.<String>builder()
        .setBootstrapServers(bootstrap)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix("bench-flink-" + System.nanoTime())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
            .setTopic(output)
            .setKeySerializationSchema(new KeyOfJson())
            .setValueSerializationSchema(new Utf8())
            .build())
        .build();

    env.fromSource(source, WatermarkStrategy.noWatermarks(), "executions")
        .keyBy(e -> e.key)
        .process(new TestJobFunction())
        .name("test-job")
        .sinkTo(sink)
        .name("test-stats");

    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    JobExecutionResult result = env.execute("testpulse-peer");
    long wall = System.nanoTime() - t0;
    long cpu = os.getProcessCpuTime() - cpu0;
    System.out.println("RESULT {\"wall_s\":" + wall / 1e9 + ",\"cpu_s\":" + cpu / 1e9
        + ",\"job_runtime_s\":" + result.getNetRuntime() / 1e3 + "}");
    System.out.flush();
    System.exit(0);
  }
}
