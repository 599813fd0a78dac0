package io.testpulse.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {

  private final Topics topics = Topics.withPrefix("tp");

  @Test
  void shouldGiveTheDeadLetterTopicRoomForARecordOfTheBrokersDefaultLimitPlusHeadersWhenCreated() {
    NewTopic deadLetters = topics.newTopic(topics.deadLetters(), 3, (short) 1);
    NewTopic executions = topics.newTopic(topics.executions(), 3, (short) 1);

    assertThat(deadLetters.configs()).containsEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
        Integer.toString(Topics.DEAD_LETTER_MAX_MESSAGE_BYTES)).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "delete");
    assertThat(executions.configs()).doesNotContainKey(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    assertThat(Topics.DEAD_LETTER_MAX_MESSAGE_BYTES).isGreaterThan(1_048_588 + 64 * 1024);
  }

  @Test
  void shouldLetKafkaStreamsSendADeadLetterAsLargeAsTheTopicTakesWhenDefaultsAreUsed() {
    assertThat(TestpulseConfig.recommendedStreamsDefaults(topics))
        .containsEntry(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
            Topics.DEAD_LETTER_MAX_MESSAGE_BYTES);
  }
}
