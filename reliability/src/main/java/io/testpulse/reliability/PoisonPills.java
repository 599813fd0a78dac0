package io.testpulse.reliability;

import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.serdes.AvroSerde;
import io.testpulse.topology.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The records of the poison-pill scenario: valid executions and every kind of record the topology
 * must dead-letter instead of counting or dying on. Each pill is keyed by one of the scenario's own
 * tests where a key is needed, so pills share partitions (and stream tasks) with valid records.
 */
final class PoisonPills {

  /** What makes a record a pill. */
  enum Kind {
    /** Random bytes, no Avro header. */
    RANDOM_BYTES,
    /** Random bytes as large as a producer with default limits may send: the dead letter adds headers to it. */
    RANDOM_BYTES_AT_SIZE_LIMIT,
    /** A valid single-object encoding cut short. */
    TRUNCATED_AVRO,
    /** A valid encoding whose schema fingerprint no release ever wrote. */
    UNKNOWN_FINGERPRINT,
    /** Valid Avro with a test name of most of the broker's message size. */
    OVERSIZED_NAME,
    /** Valid Avro with a name of control characters: small in Avro, six times larger as JSON output. */
    OVERSIZED_ESCAPED_NAME,
    /** Valid Avro with a tag value of most of the broker's message size. */
    OVERSIZED_TAG_VALUE,
    /** Valid Avro under the key of another test. */
    WRONG_KEY,
    /** Valid Avro under a key that is not UTF-8. */
    GARBAGE_KEY,
    /** Valid Avro without a key. */
    NULL_KEY,
    /** A tombstone on the input topic. */
    NULL_VALUE,
    /** Valid Avro that breaks an invariant: negative duration, bad tenant, missing run key. */
    INVALID_FIELDS
  }

  /** One record to produce: a pill (kind set) or a valid execution (testId set). */
  record Item(Kind kind, String testId, byte[] key, byte[] value) {
    boolean pill() {
      return kind != null;
    }
  }

  /** The largest value a producer with the default max.request.size (1 MiB) sends, minus room for the key. */
  static final int SIZE_LIMIT_VALUE_BYTES = 1_048_576 - 1_024;

  private static final AvroSerde<TestExecution> SERDE = AvroSerde.of(TestExecution.class);

  private final Random random;
  private final String tenant;
  private final String suite;
  private final Instant start;
  private int sequence;

  PoisonPills(long seed, String tenant, String suite, Instant start) {
    this.random = new Random(seed);
    this.tenant = tenant;
    this.suite = suite;
    this.start = start;
  }

  static String testName(int test) {
    return "test-" + test;
  }

  String testId(int test) {
    return TestKeys.testId(tenant, suite, "PoisonPills", testName(test));
  }

  /** A valid execution of test {@code test}, passed or failed, with a new id and run. */
  Item valid(int test) {
    TestExecution e = execution(tenant, testName(test), random.nextBoolean() ? Result.PASSED : Result.FAILED);
    return new Item(null, e.getTestId(), key(e), SERDE.encode(e));
  }

  /** A pill of {@code kind}, keyed (where it has a key) by test {@code test}. */
  Item pill(Kind kind, int test) {
    byte[] key = TestKeys.key(tenant, testId(test)).getBytes(StandardCharsets.UTF_8);
    return switch (kind) {
      case RANDOM_BYTES -> new Item(kind, null, key, randomBytes(1 + random.nextInt(4096)));
      case RANDOM_BYTES_AT_SIZE_LIMIT -> new Item(kind, null, key, randomBytes(SIZE_LIMIT_VALUE_BYTES));
      case TRUNCATED_AVRO -> {
        byte[] full = SERDE.encode(execution(tenant, testName(test), Result.PASSED));
        yield new Item(kind, null, key, Arrays.copyOf(full, 1 + random.nextInt(full.length - 1)));
      }
      case UNKNOWN_FINGERPRINT -> {
        byte[] bytes = SERDE.encode(execution(tenant, testName(test), Result.PASSED));
        byte[] fingerprint = randomBytes(8);
        System.arraycopy(fingerprint, 0, bytes, 2, 8);
        yield new Item(kind, null, key, bytes);
      }
      case OVERSIZED_NAME -> keyed(kind, execution(tenant, "x".repeat(900_000) + sequence, Result.PASSED));
      case OVERSIZED_ESCAPED_NAME -> keyed(kind, execution(tenant, "\u0001".repeat(300_000) + sequence, Result.PASSED));
      case OVERSIZED_TAG_VALUE -> {
        TestExecution e = execution(tenant, "big tag " + sequence, Result.PASSED);
        e.setTags(Map.of("instance_type", "y".repeat(900_000)));
        yield keyed(kind, e);
      }
      case WRONG_KEY -> new Item(kind, null, TestKeys.key(tenant, testId(test + 1)).getBytes(StandardCharsets.UTF_8),
          SERDE.encode(execution(tenant, testName(test), Result.PASSED)));
      case GARBAGE_KEY -> new Item(kind, null, new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff, 0x2f},
          SERDE.encode(execution(tenant, testName(test), Result.PASSED)));
      case NULL_KEY -> new Item(kind, null, null, SERDE.encode(execution(tenant, testName(test), Result.PASSED)));
      case NULL_VALUE -> new Item(kind, null, key, null);
      case INVALID_FIELDS -> invalidFields(kind, test);
    };
  }

  private Item invalidFields(Kind kind, int test) {
    TestExecution e = execution(tenant, testName(test), Result.FAILED);
    switch (sequence % 3) {
      case 0 -> e.setDurationMicros(-1L);
      case 1 -> {
        e.setTenant("../" + tenant);
        return new Item(kind, null, TestKeys.key(e.getTenant(), e.getTestId()).getBytes(StandardCharsets.UTF_8),
            SERDE.encode(e));
      }
      default -> e.getRun().setKey("");
    }
    return keyed(kind, e);
  }

  private static Item keyed(Kind kind, TestExecution e) {
    return new Item(kind, null, key(e), SERDE.encode(e));
  }

  private static byte[] key(TestExecution e) {
    return TestKeys.key(e.getTenant(), e.getTestId()).getBytes(StandardCharsets.UTF_8);
  }

  private TestExecution execution(String tenant, String name, Result result) {
    int n = sequence++;
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(tenant).setSuite(suite).setTestId(TestKeys.testId(tenant, suite, "PoisonPills", name))
        .setScope("PoisonPills").setName(name)
        .setResult(result).setDurationMicros(1_000L + random.nextInt(100_000))
        .setEventTime(start.plusMillis(n))
        .setRun(RunInfo.newBuilder().setKey("pills-run-" + n).setBranch("main").setCommitSha("c" + n).build())
        .setTags(new java.util.HashMap<>(Map.of("arch", "x86_64")))
        .build();
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  static List<Kind> kinds() {
    return List.of(Kind.values());
  }
}
