package dev.filesync.store;

/** A registration that can be cancelled. Cancelling twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  /** Stops deliveries; a delivery already running finishes. */
  void cancel();

  /** Same as {@link #cancel()}. */
  @Override
  default void close() {
    cancel();
  }
}
