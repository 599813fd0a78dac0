package io.testpulse.benchmarks.flink;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
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
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Flink peer of the testpulse topology, run by the benchmark harness in a child JVM:
 * {@code FlinkPeerJob <bootstrap> <inputTopic> <statsTopic> <workDir> <parallelism> <checkpointMillis>
 * [<enrichedTopic> <bucketsTopic>]} (both default to the stats topic).
 * A local MiniCluster, RocksDB state backend, exactly-once checkpoints and an exactly-once
 * (transactional) Kafka sink; the source is bounded at the input's end offsets, so the job ends
 * when it has processed the whole input and committed its last transaction. The last line on
 * standard output is {@code RESULT {json}} with the job's wall and CPU time.
 */
public final class FlinkPeerJob {

  private FlinkPeerJob() {
  }

  /** An {@link Out} as a Kafka record of its topic, key and JSON value (UTF-8). */
  static final class OutSerializer implements KafkaRecordSerializationSchema<Out> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(Out out, KafkaSinkContext context, Long timestamp) {
      return new ProducerRecord<>(out.topic, out.key.getBytes(StandardCharsets.UTF_8),
          out.json.getBytes(StandardCharsets.UTF_8));
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String input = args[1];
    String output = args[2];
    Path work = Path.of(args[3]);
    int parallelism = Integer.parseInt(args[4]);
    long checkpointMillis = Long.parseLong(args[5]);
    String enriched = args.length > 6 ? args[6] : output;
    String buckets = args.length > 7 ? args[7] : output;

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
    KafkaSink<Out> sink = KafkaSink.<Out>builder()
        .setBootstrapServers(bootstrap)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix("bench-flink-" + System.nanoTime())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(new OutSerializer())
        .build();

    SingleOutputStreamOperator<Out> tests = env.fromSource(source, WatermarkStrategy.noWatermarks(), "executions")
        .keyBy(e -> e.key)
        .process(new TestJobFunction(output, enriched, buckets))
        .name("test-job");
    DataStream<Out> suites = tests.getSideOutput(TestJobFunction.SUITE_DURATIONS)
        .keyBy(d -> d.suite)
        .process(new SuiteRollupFunction(buckets))
        .name("suite-rollups");
    tests.union(suites).sinkTo(sink).name("outputs");

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
