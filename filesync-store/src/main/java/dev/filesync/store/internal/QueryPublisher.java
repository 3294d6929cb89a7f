package dev.filesync.store.internal;

import dev.filesync.store.Query;
import dev.filesync.store.Subscription;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

/**
 * A query's results as a {@link Flow.Publisher}: each subscriber gets its own store subscription
 * feeding a {@link SubmissionPublisher}, which buffers per subscriber and honours its demand. When
 * the buffer is full the oldest pending result is dropped: only the latest state matters.
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
    SubmissionPublisher<T> pub = new SubmissionPublisher<>();
    pub.subscribe(subscriber);
    Subscription[] storeSub = new Subscription[1];
    storeSub[0] =
        store.subscribe(
            query,
            result -> {
              if (pub.isClosed() || (pub.getNumberOfSubscribers() == 0)) {
                if (storeSub[0] != null) {
                  storeSub[0].cancel();
                }
                pub.close();
                return;
              }
              pub.offer(result, (s, dropped) -> false);
            });
  }
}
