package dev.filesync.server;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The per-store event log storage behind the sync service: one linear log of {@link LogEvent}s per
 * store id, plus the store's backend id.
 *
 * <p>Implementations are thread-safe and shared by all request handlers. {@link #append} is
 * linearizable per store, also across several server processes sharing one database where the
 * implementation supports it (see {@link EventLogs#postgres}). Create one with {@link EventLogs}.
 *
 * <p>{@link #close()} releases the database connections and background threads and wakes every
 * thread blocked in {@link #awaitAfter}; any call after it throws {@link IllegalStateException}.
 * Failures of the database are reported as {@link IOException}.
 */
public interface EventLog extends AutoCloseable {

  /**
   * Returns the backend id of a store, creating the store (with a new random backend id and an
   * empty log) on first use. The id never changes afterwards, also across restarts.
   *
   * @param storeId the store id
   * @return the backend id, for example {@code b-3f9c0a1b2c3d4e5f}
   * @throws IOException if the database fails
   */
  String backendId(String storeId) throws IOException;

  /**
   * Returns the head of a store: the sequence number of its last event.
   *
   * @param storeId the store id
   * @return the head, 0 for a store without events (or never used)
   * @throws IOException if the database fails
   */
  long head(String storeId) throws IOException;

  /**
   * Appends a batch if, and only if, {@code batch.get(0).parentSeqNum()} equals the head; the check
   * and the insert happen in one transaction per store. Otherwise nothing is appended and the
   * result is {@link AppendResult.ServerAhead} with the current head.
   *
   * @param storeId the store id
   * @param batch one or more events, each the successor of the previous one
   * @return {@link AppendResult.Admitted} or {@link AppendResult.ServerAhead}
   * @throws IllegalArgumentException if the batch is empty or not contiguous
   * @throws IOException if the database fails
   */
  AppendResult append(String storeId, List<LogEvent> batch) throws IOException;

  /**
   * Reads events in order.
   *
   * @param storeId the store id
   * @param after return events with {@code seqNum > after}
   * @param limit the maximum number of events to return, at least 1
   * @return up to {@code limit} contiguous events starting at {@code after + 1}
   * @throws IllegalArgumentException if {@code after < 0} or {@code limit < 1}
   * @throws IOException if the database fails
   */
  List<LogEvent> read(String storeId, long after, int limit) throws IOException;

  /**
   * Blocks until the store's head is greater than {@code after}, the timeout passes or the log is
   * closed. Appends through this instance wake waiters at once; appends made by other processes are
   * seen as the implementation documents.
   *
   * @param storeId the store id
   * @param after the head the caller already has
   * @param timeout how long to wait at most
   * @return {@code true} if the head is now greater than {@code after}
   * @throws InterruptedException if the calling thread is interrupted while waiting
   * @throws IOException if the database fails
   */
  boolean awaitAfter(String storeId, long after, Duration timeout)
      throws IOException, InterruptedException;

  /** Releases connections and threads; idempotent. */
  @Override
  void close();
}
