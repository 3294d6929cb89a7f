package dev.filesync.cli;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncEvent;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A one-line progress bar on standard error, drawn from FileSync's transfer events: files done,
 * bytes moved of bytes known, and the transfers in flight. Drawn only on a terminal.
 */
final class ProgressBar implements AutoCloseable {
  private final PrintWriter err;
  private final dev.filesync.store.Subscription subscription;
  private final Map<String, long[]> inFlight = new ConcurrentHashMap<>();
  private volatile int completed;
  private volatile int failed;
  private long lastDraw;

  private ProgressBar(PrintWriter err, FileSync fs) {
    this.err = err;
    this.subscription = fs.addListener(this::on);
  }

  /** A bar when standard error is a terminal, else one that draws nothing. */
  static ProgressBar forTerminal(PrintWriter err, FileSync fs) {
    return System.console() != null ? new ProgressBar(err, fs) : new ProgressBar(null, fs);
  }

  private void on(FileSyncEvent e) {
    switch (e) {
      case FileSyncEvent.TransferProgress p ->
          inFlight.put(p.direction() + ":" + p.fileId(), new long[] {p.bytes(), p.total()});
      case FileSyncEvent.TransferCompleted c -> {
        inFlight.remove(c.direction() + ":" + c.fileId());
        completed++;
      }
      case FileSyncEvent.TransferExhausted x -> {
        inFlight.remove(x.direction() + ":" + x.fileId());
        failed++;
      }
      default -> {}
    }
    draw(false);
  }

  private synchronized void draw(boolean force) {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    if (!force && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    long done = 0;
    long total = 0;
    for (long[] v : inFlight.values()) {
      done += v[0];
      total += Math.max(v[1], v[0]);
    }
    err.printf(
        Locale.ROOT,
        "\r%s %d done, %d in flight %s%s   ",
        bar(done, total, 30),
        completed,
        inFlight.size(),
        total == 0
            ? ""
            : String.format(Locale.ROOT, "%.1f/%.1f MiB", done / 1048576.0, total / 1048576.0),
        failed == 0 ? "" : ", " + failed + " failed");
    err.flush();
  }

  /** {@code [#####.....]}: {@code done} of {@code total} in {@code width} characters. */
  static String bar(long done, long total, int width) {
    int filled = total <= 0 ? 0 : (int) Math.min(width, width * Math.max(0, done) / total);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }

  void finish() {
    if (err != null) {
      draw(true);
      err.println();
    }
  }

  @Override
  public void close() {
    subscription.cancel();
  }
}
