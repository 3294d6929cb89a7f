package dev.filesync.core;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay: the engine's retry backoff and health checks. Injected so tests move
 * time by hand, as Caffeine's {@code Scheduler}. Tasks must be quick; the engine only uses them to
 * post a command to its own thread.
 */
@FunctionalInterface
public interface Scheduler {

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run; does nothing otherwise. */
    void cancel();
  }

  /** Runs {@code task} once, after {@code delay}. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduler on one daemon thread of {@code service}. */
  static Scheduler of(ScheduledExecutorService service) {
    return (delay, task) -> {
      ScheduledFuture<?> f = service.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }

  /** A new scheduler on its own daemon thread (used when none is configured). */
  static ScheduledExecutorService newDaemonService() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "filesync-scheduler");
          t.setDaemon(true);
          return t;
        });
  }
}
