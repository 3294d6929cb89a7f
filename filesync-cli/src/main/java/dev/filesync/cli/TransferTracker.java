package dev.filesync.cli;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncEvent;
import dev.filesync.core.FileSyncEvent.Direction;
import dev.filesync.store.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a FileSync's transfers are doing, kept from its {@link FileSyncEvent}s: the transfers in
 * flight with their bytes, counts and bytes per direction, the first start and last end per
 * direction (for throughput), online and leadership state, and a log of the notable events (every
 * event but progress) for commands that print one line per event. Listeners run on FileSync's event
 * thread; readers take snapshots from any thread.
 */
final class TransferTracker implements AutoCloseable {
  /** A transfer in flight. */
  record Active(Direction direction, String fileId, int attempt, long bytes, long total) {}

  /** A notable event, with when it was seen and, for a completed transfer, its bytes. */
  record Logged(Instant at, long nanos, FileSyncEvent event, long bytes) {}

  /** Counts of one direction since the tracker started. */
  record Totals(
      int started,
      int completed,
      int failedAttempts,
      int exhausted,
      long bytesCompleted,
      long firstStartNanos,
      long lastEndNanos) {
    /** Nanoseconds from the first start to the last end, or 0. */
    long elapsedNanos() {
      return firstStartNanos < 0 || lastEndNanos < 0 ? 0 : lastEndNanos - firstStartNanos;
    }
  }

  private static final class Counter {
    int started;
    int completed;
    int failedAttempts;
    int exhausted;
    long bytesCompleted;
    long firstStartNanos = -1;
    long lastEndNanos = -1;

    Totals snapshot() {
      return new Totals(
          started,
          completed,
          failedAttempts,
          exhausted,
          bytesCompleted,
          firstStartNanos,
          lastEndNanos);
    }
  }

  private final Map<String, Active> active = new LinkedHashMap<>();
  private final Map<Direction, Counter> counters = new EnumMap<>(Direction.class);
  private final List<Logged> log = new ArrayList<>();
  private final Runnable onChange;
  private final Subscription subscription;
  private Boolean online;
  private Boolean leader;

  /**
   * Tracks {@code files}; {@code onChange} runs after each event (on the event thread) and must not
   * block.
   */
  TransferTracker(FileSync files, Runnable onChange) {
    for (Direction d : Direction.values()) {
      counters.put(d, new Counter());
    }
    this.onChange = onChange;
    this.subscription = files.addListener(this::on);
  }

  private void on(FileSyncEvent e) {
    long now = System.nanoTime();
    synchronized (this) {
      long bytes = 0;
      switch (e) {
        case FileSyncEvent.TransferStarted s -> {
          Counter c = counters.get(s.direction());
          c.started++;
          if (c.firstStartNanos < 0) {
            c.firstStartNanos = now;
          }
          active.put(
              key(s.direction(), s.fileId()),
              new Active(s.direction(), s.fileId(), s.attempt(), 0, -1));
        }
        case FileSyncEvent.TransferProgress p ->
            active.compute(
                key(p.direction(), p.fileId()),
                (k, a) ->
                    new Active(
                        p.direction(),
                        p.fileId(),
                        a == null ? 1 : a.attempt(),
                        p.bytes(),
                        p.total()));
        case FileSyncEvent.TransferCompleted c -> {
          Active a = active.remove(key(c.direction(), c.fileId()));
          bytes = a == null ? 0 : Math.max(a.bytes(), a.total());
          Counter k = counters.get(c.direction());
          k.completed++;
          k.bytesCompleted += bytes;
          k.lastEndNanos = now;
        }
        case FileSyncEvent.TransferFailed f -> {
          active.remove(key(f.direction(), f.fileId()));
          counters.get(f.direction()).failedAttempts++;
        }
        case FileSyncEvent.TransferExhausted x -> {
          active.remove(key(x.direction(), x.fileId()));
          counters.get(x.direction()).exhausted++;
        }
        case FileSyncEvent.Online o -> online = true;
        case FileSyncEvent.Offline o -> online = false;
        case FileSyncEvent.LeadershipChanged l -> leader = l.leader();
      }
      if (!(e instanceof FileSyncEvent.TransferProgress)) {
        log.add(new Logged(Instant.now(), now, e, bytes));
      }
    }
    onChange.run();
  }

  private static String key(Direction d, String fileId) {
    return d + ":" + fileId;
  }

  /** The transfers in flight, in the order they started. */
  synchronized List<Active> active() {
    return List.copyOf(active.values());
  }

  /** The counts of one direction. */
  synchronized Totals totals(Direction d) {
    return counters.get(d).snapshot();
  }

  /** Whether remote storage answers, as last reported; {@code null} before any report. */
  synchronized Boolean online() {
    return online;
  }

  /** Whether this process runs the engine, as last reported; {@code null} before any report. */
  synchronized Boolean leader() {
    return leader;
  }

  /** The notable events seen since the last call, oldest first. */
  synchronized List<Logged> drain() {
    List<Logged> copy = List.copyOf(log);
    log.clear();
    return copy;
  }

  @Override
  public void close() {
    subscription.cancel();
  }
}
