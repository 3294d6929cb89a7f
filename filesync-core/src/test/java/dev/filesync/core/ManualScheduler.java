package dev.filesync.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Scheduler} and {@link Clock} that move only when a test calls {@link #advance}: delayed
 * tasks run on the calling thread when their time comes.
 */
final class ManualScheduler extends Clock implements Scheduler {
  private record Task(Instant due, long seq, Runnable run, boolean[] cancelled) {}

  private Instant now = Instant.parse("2025-01-01T10:00:00Z");
  private long seq;
  private final List<Task> tasks = new ArrayList<>();
  private final List<Duration> delays = new ArrayList<>();

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    tasks.add(new Task(now.plus(delay), seq++, task, cancelled));
    delays.add(delay);
    notifyAll();
    return () -> {
      synchronized (ManualScheduler.this) {
        cancelled[0] = true;
      }
    };
  }

  /** Moves time forward by {@code d}, running every task that falls due, in order. */
  void advance(Duration d) {
    Instant target;
    synchronized (this) {
      target = now.plus(d);
    }
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> !t.due().isAfter(target))
                .min(Comparator.comparing(Task::due).thenComparing(Task::seq))
                .orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        if (next.due().isAfter(now)) {
          now = next.due();
        }
        if (next.cancelled()[0]) {
          continue;
        }
      }
      next.run().run();
    }
  }

  /**
   * Waits (on this monitor) until a task shorter than {@code below} is pending, and returns its
   * delay from now.
   */
  synchronized Duration awaitTask(Duration below) throws InterruptedException {
    long deadline = System.nanoTime() + Device.WAIT.toNanos();
    while (true) {
      Optional<Duration> d = pending().stream().filter(p -> p.compareTo(below) < 0).findFirst();
      if (d.isPresent()) {
        return d.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no task below " + below + " was scheduled; pending " + pending());
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Every delay asked for so far. */
  synchronized List<Duration> delays() {
    return List.copyOf(delays);
  }

  /** Delays of tasks not yet run nor cancelled. */
  synchronized List<Duration> pending() {
    return tasks.stream()
        .filter(t -> !t.cancelled()[0])
        .map(t -> Duration.between(now, t.due()))
        .toList();
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
