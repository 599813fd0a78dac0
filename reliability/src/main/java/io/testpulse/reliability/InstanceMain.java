package io.testpulse.reliability;

import io.testpulse.examples.TestpulseApp;
import io.testpulse.topology.TestpulseConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One testpulse instance of the chaos harness, as a child JVM: the bundled app
 * ({@link TestpulseApp}: topics, topology, HTTP API with the upload API) with the properties given
 * as {@code key=value} arguments. It prints {@code STARTED {"http_port": N}} once the HTTP server
 * and Kafka Streams are started; whether the stores are queryable is asked over HTTP
 * ({@code /health/ready}). Standard input closing (the harness ending) or {@code stop} closes it
 * cleanly; a SIGKILL from the harness does not, on purpose.
 */
public final class InstanceMain {

  private InstanceMain() {
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      props.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    TestpulseApp app = TestpulseApp.start(new TestpulseConfig(props));
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "instance-close"));
    System.out.println("STARTED {\"http_port\":" + app.httpPort() + "}");
    System.out.flush();
    // The app starts Kafka Streams itself (a state listener can only be set before): poll the state for the log.
    Thread states = new Thread(() -> {
      KafkaStreams.State last = null;
      while (true) {
        KafkaStreams.State now = app.streams().state();
        if (now != last) {
          System.out.println(java.time.LocalTime.now() + " STATE " + now);
          last = now;
        }
        try {
          TimeUnit.MILLISECONDS.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "state-log");
    states.setDaemon(true);
    states.start();
    BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String command;
    while ((command = commands.readLine()) != null) {
      if (command.trim().equals("stop")) {
        break;
      }
    }
    System.exit(0);
  }
}
