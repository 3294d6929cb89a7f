package dev.filesync.core.internal;

import dev.filesync.core.FileSyncEvent;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.function.Consumer;

/**
 * Delivers {@link FileSyncEvent}s on one daemon thread, never on the engine's: a slow subscriber
 * loses events (its buffer is bounded) instead of slowing transfers.
 */
public final class EventHub implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EventHub.class.getName());
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "filesync-events");
            t.setDaemon(true);
            return t;
          });
  private final SubmissionPublisher<FileSyncEvent> publisher =
      new SubmissionPublisher<>(thread, 4096);

  /** Offers an event to every subscriber without blocking. */
  public void emit(FileSyncEvent event) {
    if (!publisher.isClosed()) {
      publisher.offer(event, (s, e) -> false);
    }
  }

  /** The publisher. */
  public Flow.Publisher<FileSyncEvent> publisher() {
    return publisher;
  }

  /** Subscribes a listener that gets every event; returns a handle that unsubscribes. */
  public Runnable addListener(Consumer<? super FileSyncEvent> listener) {
    Flow.Subscription[] holder = new Flow.Subscription[1];
    publisher.subscribe(
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            synchronized (holder) {
              holder[0] = s;
            }
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(FileSyncEvent item) {
            try {
              listener.accept(item);
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "FileSync listener failed", e);
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        });
    return () -> {
      synchronized (holder) {
        if (holder[0] != null) {
          holder[0].cancel();
        }
      }
    };
  }

  /** Completes subscribers and stops the thread. */
  @Override
  public void close() {
    publisher.close();
    thread.shutdown();
  }
}
