package dev.filesync.store.internal;

import dev.filesync.store.Query;
import dev.filesync.store.Subscription;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A query's results as a {@link Flow.Publisher}. Each subscriber gets its own store subscription;
 * results are delivered as demand allows, and when results come faster than the subscriber asks
 * only the latest one is kept: a subscriber always ends on the current state, never on a stale one.
 * Cancelling removes the store subscription at once; closing the store completes every subscriber.
 */
final class QueryPublisher<T> implements Flow.Publisher<T> {
  private final RealStore store;
  private final Query<T> query;

  QueryPublisher(RealStore store, Query<T> query) {
    this.store = store;
    this.query = query;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    LatestValue<T> s = new LatestValue<>(subscriber);
    subscriber.onSubscribe(s);
    s.storeSubscription = store.subscribe(query, s::offer);
    s.closeHook = store.onClose(s::complete);
    if (s.cancelled) {
      s.release();
    }
  }

  /**
   * One subscriber's state; {@link #drain()} serializes signals with a work-in-progress counter.
   */
  private static final class LatestValue<T> implements Flow.Subscription {
    private final Flow.Subscriber<? super T> subscriber;
    private final AtomicInteger wip = new AtomicInteger();
    private final Object lock = new Object();
    private long demand;
    private T latest;
    private boolean hasLatest;
    private boolean completed;
    private boolean terminated;
    volatile boolean cancelled;
    volatile Subscription storeSubscription;
    volatile Runnable closeHook;

    LatestValue(Flow.Subscriber<? super T> subscriber) {
      this.subscriber = subscriber;
    }

    void offer(T value) {
      synchronized (lock) {
        latest = value;
        hasLatest = true;
      }
      drain();
    }

    void complete() {
      synchronized (lock) {
        completed = true;
      }
      drain();
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("Flow rule 3.9: request(" + n + ")"));
        return;
      }
      synchronized (lock) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      drain();
    }

    @Override
    public void cancel() {
      cancelled = true;
      release();
    }

    void release() {
      Subscription sub = storeSubscription;
      if (sub != null) {
        sub.cancel();
      }
      Runnable hook = closeHook;
      if (hook != null) {
        hook.run();
      }
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      do {
        while (true) {
          T next;
          boolean done;
          synchronized (lock) {
            if (cancelled || terminated) {
              break;
            }
            if (hasLatest && demand > 0) {
              next = latest;
              latest = null;
              hasLatest = false;
              demand--;
              done = false;
            } else if (completed && !hasLatest) {
              terminated = true;
              next = null;
              done = true;
            } else {
              break;
            }
          }
          if (done) {
            subscriber.onComplete();
            break;
          }
          subscriber.onNext(next);
        }
      } while (wip.decrementAndGet() != 0);
    }
  }
}
