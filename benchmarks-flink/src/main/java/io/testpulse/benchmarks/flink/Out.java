package io.testpulse.benchmarks.flink;

/** One output record of the job: its topic, key and JSON value. */
public class Out {
  public String topic;
  public String key;
  public String json;

  public Out() {
  }

  static Out of(String topic, String key, String json) {
    Out out = new Out();
    out.topic = topic;
    out.key = key;
    out.json = json;
    return out;
  }
}
