package dev.filesync.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C and {@code kill} for a command that runs until it is stopped. A shutdown hook asks the
 * command's own thread to stop, waits until that thread has closed everything (in its order, in one
 * place, so nothing is closed twice or concurrently), then ends the JVM with the command's status.
 *
 * <p>Why the hook halts: a JVM ended by a signal exits with 128 + the signal's number once its
 * hooks are done, and {@link System#exit} called while the hooks run (as {@code FileSyncCli.main}
 * does when the command returns) blocks for good. So the command returns, its {@code System.exit}
 * waits, and the hook, which knows the command finished cleanly, calls {@link Runtime#halt} with
 * the command's status. If the command does not finish within {@link #GRACE}, the hook halts with
 * status 1.
 *
 * <p>Without a signal the hook is removed when the command is done ({@link #close()}), so commands
 * run in-process (tests) leave nothing behind.
 */
final class StopSignal implements AutoCloseable {
  /** How long the hook waits for the command to close everything. */
  static final Duration GRACE = Duration.ofSeconds(20);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;
  private volatile int status = 1;
  private volatile boolean signalled;

  private StopSignal(String name) {
    this.hook = new Thread(this::onShutdown, name);
  }

  /** Installs the hook; after a signal the JVM exits with the status given to {@link #finished}. */
  static StopSignal install(String name) {
    StopSignal s = new StopSignal(name);
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** Asks the command to stop (what the hook does; also for a time limit). */
  void request() {
    requested.countDown();
  }

  /** Whether a stop was asked for. */
  boolean requested() {
    return requested.getCount() == 0;
  }

  /** Whether the stop came from a signal (Ctrl-C, {@code kill}). */
  boolean signalled() {
    return signalled;
  }

  /**
   * Waits up to {@code timeout} for a stop request.
   *
   * @return whether a stop was asked for
   */
  boolean await(Duration timeout) throws InterruptedException {
    return requested.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  /**
   * The command has closed everything and ends with {@code status}; a waiting hook may end the JVM
   * now.
   */
  void finished(int status) {
    this.status = status;
    finished.countDown();
  }

  private void onShutdown() {
    signalled = true;
    requested.countDown();
    boolean done;
    try {
      done = finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      done = false;
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(done ? status : 1);
  }

  /** Removes the hook (a no-op once the JVM is shutting down: the hook then ends it). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook is running and will halt with our status
    }
  }
}
