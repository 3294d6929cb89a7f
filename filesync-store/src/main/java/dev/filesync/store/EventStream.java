package dev.filesync.store;

import java.time.Duration;
import java.util.List;

/**
 * A reader of confirmed events that can wait for more, from {@link Store#confirmedEvents}. Each
 * call to {@link #poll} continues after the last event it returned. Not thread-safe: one consumer.
 */
public interface EventStream extends AutoCloseable {

  /**
   * Up to {@code max} next events; waits up to {@code timeout} for the first one when there is none
   * yet.
   *
   * @return the events, empty when the time passed or the stream was closed
   */
  List<StoredEvent> poll(int max, Duration timeout) throws InterruptedException;

  /** The position after which the next poll reads: the last event returned, or the start. */
  SeqNum position();

  /** Ends the stream; a waiting poll returns empty. */
  @Override
  void close();
}
