package io.testpulse.examples.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.topology.TopicHandle;
import io.testpulse.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped Kafka Connect configuration cannot run here (the ClickHouse connector is not on Maven
 * Central), so this checks what can go wrong in it: every ClickHouse output topic is consumed, as
 * schemaless JSON, into a table the shipped DDL creates; and the Kafka-engine DDL reads every topic too.
 * The README quotes the shipped queries, which ClickHouseIT runs, word for word.
 */
class ClickHouseFilesTest {

  private static final Topics DEFAULT_TOPICS = Topics.withPrefix("testpulse");

  /**
   * The keys the ClickHouse Kafka Connect sink documents (clickhouse.com/docs/integrations/kafka/clickhouse-kafka-connect-sink,
   * "Configuration options"), and the Kafka Connect framework keys a sink connector config may carry
   * (converters, error handling, topics). A key outside this list is a typo the connector would ignore.
   */
  private static final Set<String> DOCUMENTED_KEYS = Set.of(
      // ClickHouse sink
      "hostname", "port", "ssl", "jdbcConnectionProperties", "username", "password", "database", "exactlyOnce",
      "clickhouseSettings", "topic2TableMap", "tableRefreshInterval", "keeperOnCluster", "bypassRowBinary",
      "dateTimeFormats", "tolerateStateMismatch", "ignorePartitionsWhenBatching", "customInsertFormat",
      "insertFormat", "errors.retry.timeout",
      // Kafka Connect
      "connector.class", "tasks.max", "topics", "topics.regex", "key.converter", "value.converter",
      "value.converter.schemas.enable", "errors.tolerance", "errors.deadletterqueue.topic.name",
      "errors.deadletterqueue.context.headers.enable", "errors.deadletterqueue.topic.replication.factor",
      "errors.log.enable", "errors.log.include.messages");

  @Test
  void shouldSinkEveryOutputTopicIntoATableOfTheShippedDdlWhenUsingTheConnector() throws Exception {
    JsonNode config = new ObjectMapper().readTree(Files.readString(ClickHouseFiles.SINK_CONNECTOR)).path("config");
    List<String> topics = Arrays.stream(config.path("topics").asText().split(",")).map(String::strip).toList();
    Map<String, String> topicToTable = new LinkedHashMap<>();
    for (String entry : config.path("topic2TableMap").asText().split(",")) {
      String[] pair = entry.strip().split("=", 2);
      topicToTable.put(pair[0], pair[1]);
    }
    List<String> tables = ClickHouseFiles.createdTables(ClickHouseFiles.TABLES);

    assertThat(config.path("connector.class").asText()).isEqualTo("com.clickhouse.kafka.connect.ClickHouseSinkConnector");
    assertThat(config.path("value.converter").asText()).isEqualTo("org.apache.kafka.connect.json.JsonConverter");
    assertThat(config.path("value.converter.schemas.enable").asText()).isEqualTo("false");
    assertThat(topics).containsExactlyInAnyOrderElementsOf(names(DEFAULT_TOPICS.clickHouseOutputs()));
    assertThat(topicToTable.keySet()).containsExactlyInAnyOrderElementsOf(topics);
    String database = config.path("database").asText();
    assertThat(topicToTable.values()).allSatisfy(table -> assertThat(tables).contains(database + "." + table));
  }

  @Test
  void shouldUseOnlyDocumentedKeysWhenConfiguringTheConnector() throws Exception {
    JsonNode config = new ObjectMapper().readTree(Files.readString(ClickHouseFiles.SINK_CONNECTOR)).path("config");
    List<String> keys = new java.util.ArrayList<>();
    config.fieldNames().forEachRemaining(keys::add);

    assertThat(keys).isNotEmpty().allSatisfy(key -> assertThat(DOCUMENTED_KEYS).as("documented key").contains(key));
    assertThat(config.path("hostname").asText()).isNotBlank();
    assertThat(config.path("ssl").asText()).isIn("true", "false");
    assertThat(config.path("exactlyOnce").asText())
        .as("at least once, which the executions table's ReplacingMergeTree and FINAL absorb").isEqualTo("false");
  }

  @Test
  void shouldReadEveryOutputTopicIntoATargetTableWhenUsingTheKafkaEngine() throws Exception {
    List<String> statements = ClickHouseFiles.statements(ClickHouseFiles.KAFKA_ENGINE,
        Map.of("KAFKA_BROKERS", "kafka:9092", "TOPIC_PREFIX", DEFAULT_TOPICS.prefix()));
    List<String> targets = ClickHouseFiles.createdTables(ClickHouseFiles.TABLES);

    for (TopicHandle<?, ?> topic : DEFAULT_TOPICS.clickHouseOutputs()) {
      assertThat(statements).as(topic.name())
          .anyMatch(s -> s.contains("ENGINE = Kafka") && s.contains("kafka_topic_list = '" + topic.name() + "'"));
    }
    assertThat(targets).allSatisfy(table -> assertThat(statements).as(table)
        .anyMatch(s -> s.startsWith("CREATE MATERIALIZED VIEW") && s.contains(" TO " + table + " AS")));
  }

  @Test
  void shouldQuoteEveryShippedQueryInTheReadmeWordForWord() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Map<String, String> queries = ClickHouseFiles.queries();

    assertThat(queries).containsOnlyKeys(
        "flakiest_tests_by_suite", "duration_percentiles_by_tags_30d", "reliability_trend_per_day");
    assertThat(queries).allSatisfy((name, sql) -> assertThat(readme).as(name).contains(sql + ";"));
  }

  private static List<String> names(List<TopicHandle<?, ?>> topics) {
    return topics.stream().map(TopicHandle::name).toList();
  }
}
