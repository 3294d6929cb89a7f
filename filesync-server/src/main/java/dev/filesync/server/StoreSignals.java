package dev.filesync.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-process wake-ups for threads waiting for new events of a store. Appenders {@link #publish} the
 * new head after their transaction commits; waiters {@link #await} a head greater than theirs. The
 * published head only ever grows, and is never greater than the real head, so a waiter is never
 * woken for nothing it cannot read.
 */
final class StoreSignals {

  private static final class Signal {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    long head;
  }

  private final ConcurrentMap<String, Signal> signals = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Records that the store's head is now at least {@code head} and wakes its waiters. */
  void publish(String storeId, long head) {
    Signal signal = signals.computeIfAbsent(storeId, id -> new Signal());
    signal.lock.lock();
    try {
      if (head > signal.head) {
        signal.head = head;
      }
      signal.changed.signalAll();
    } finally {
      signal.lock.unlock();
    }
  }

  /**
   * Waits until a head greater than {@code after} is published, the time passes or the signals are
   * closed.
   *
   * @return whether a head greater than {@code after} was published
   */
  boolean await(String storeId, long after, long timeoutNanos) throws InterruptedException {
    Signal signal = signals.computeIfAbsent(storeId, id -> new Signal());
    long remaining = timeoutNanos;
    signal.lock.lock();
    try {
      while (signal.head <= after && remaining > 0 && !closed) {
        remaining = signal.changed.awaitNanos(remaining);
      }
      return signal.head > after;
    } finally {
      signal.lock.unlock();
    }
  }

  /** Wakes every waiter; later waits return at once. */
  void close() {
    closed = true;
    for (Signal signal : signals.values()) {
      signal.lock.lock();
      try {
        signal.changed.signalAll();
      } finally {
        signal.lock.unlock();
      }
    }
  }

  static long nanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
