package io.testpulse.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What a child JVM measures of itself: process CPU time, heap, resident set size. */
final class SelfMeasure {

  private SelfMeasure() {
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * CPU time (user plus system) of another process of this user, such as the broker's JVM, or -1 when
   * unknown ({@code pid < 0}, the process is gone, or the OS does not say). On Linux this is
   * {@code utime + stime} of {@code /proc/<pid>/stat}, in clock ticks (10 ms).
   */
  static long processCpuNanos(long pid) {
    if (pid < 0) {
      return -1;
    }
    return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
  }

  /** Heap after a full GC (live data), committed heap, resident set and its peak, from /proc/self/status. */
  static Map<String, Object> memory() {
    System.gc();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("heap_used_after_gc_bytes", heap.getUsed());
    m.put("heap_committed_bytes", heap.getCommitted());
    m.put("heap_max_bytes", heap.getMax());
    m.put("rss_bytes", procStatus("VmRSS:"));
    m.put("rss_peak_bytes", procStatus("VmHWM:"));
    return m;
  }

  private static long procStatus(String field) {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines.filter(l -> l.startsWith(field)).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long directoryBytes(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException gone) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      return -1;
    }
  }
}
