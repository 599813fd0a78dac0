package io.testpulse.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the harness: its own process, so its CPU time and memory are its own. Standard
 * error and standard output go to {@code <logDir>/<name>.log}; output lines of the form
 * {@code <WORD> {json}} (RESULT, STATS, READY ...) are also handed to {@link #await}. Commands are
 * sent on its standard input.
 */
public final class ChildJvm implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  public static ChildJvm start(String name, String classpath, List<String> jvmArgs, String mainClass, List<String> args,
                        Path logDir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    Path log = logDir.resolve(name + ".log");
    Files.writeString(log, String.join(" ", command) + "\n");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    ChildJvm child = new ChildJvm(name, builder.start());
    Thread reader = new Thread(() -> child.pump(log), name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    return child;
  }

  private void pump(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        out.flush();
        if (line.matches("^[A-Z_]+ \\{.*")) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** Waits for the next output line {@code <word> {json}}; fails if the process ends or the timeout passes first. */
  public JsonNode await(String word, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(word + " ")) {
        return JSON.readTree(line.substring(word.length() + 1));
      }
      if (line == null && !process.isAlive() && lines.isEmpty()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing " + word
            + " (see its log)");
      }
    }
    throw new IllegalStateException(name + " printed no " + word + " within " + timeout + " (see its log)");
  }

  public void send(String command) {
    stdin.println(command);
  }

  public long pid() {
    return process.pid();
  }

  /** CPU time the process has used so far (user plus system), from the OS. */
  public double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * SIGKILL on Linux ({@link Process#destroyForcibly()}): the process ends at once, without shutdown
   * hooks or a clean close, as in a crash. Returns once it has ended.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not end within 30 s of SIGKILL");
    }
  }

  /** Exit code, or -1 while it runs. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  public boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
