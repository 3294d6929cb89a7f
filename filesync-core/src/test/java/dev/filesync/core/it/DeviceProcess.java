package dev.filesync.core.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@link DeviceMain} in a child JVM and reads what it prints. */
final class DeviceProcess implements AutoCloseable {
  final Process process;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final List<String> all = new CopyOnWriteArrayList<>();

  DeviceProcess(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx256m");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DeviceMain.class.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  all.add(l);
                  lines.add(l);
                }
              } catch (IOException ignored) {
                // the process ended
              }
            });
  }

  void send(String command) {
    stdin.println(command);
  }

  /** The next line starting with {@code prefix}; fails after 120 s. */
  String expect(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new AssertionError("no line starting with '" + prefix + "'; saw " + all);
      }
      if (l.startsWith(prefix)) {
        return l;
      }
    }
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      send("exit");
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
