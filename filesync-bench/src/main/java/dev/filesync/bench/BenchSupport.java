package dev.filesync.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;

/** What several benchmarks measure the same way: heap peaks and the curl they compare with. */
final class BenchSupport {
  private BenchSupport() {}

  /** The heap in use now, summed over the heap pools. */
  static long usedHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getUsage().getUsed();
      }
    }
    return sum;
  }

  /** Starts a new peak measurement of every heap pool. */
  static void resetPeakHeap() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** The sum of the heap pools' peaks since the reset: an upper bound of the heap used. */
  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** The first words of {@code curl --version}, or {@code curl not found}. */
  static String curlVersion() {
    try {
      Process p = new ProcessBuilder("curl", "--version").start();
      String first =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      p.waitFor();
      return first == null ? "curl ?" : first.split(" \\(")[0];
    } catch (Exception e) {
      return "curl not found";
    }
  }
}
