package dev.filesync.store;

import java.time.Duration;
import java.util.List;

/**
 * Where a store pushes its events and pulls everyone else's: a linear log per store id that admits
 * a batch only on top of its head (LiveStore's sync backend contract). {@link HttpSyncBackend}
 * talks to FileSync's own sync service; tests wrap it to inject faults.
 *
 * <p>Implementations are thread-safe: the store pulls and pushes from two threads.
 */
public interface SyncBackend extends AutoCloseable {

  /**
   * The events after {@code after}, at most {@code limit}; when there are none, waits up to {@code
   * wait} for some (a long poll).
   *
   * @throws SyncBackendException when the backend cannot be reached or refuses
   */
  PullResult pull(String storeId, long after, int limit, Duration wait) throws SyncBackendException;

  /**
   * Offers a contiguous batch whose first parent should be the backend's head.
   *
   * @param backendId the backend identity the client synced with, or {@code null} on first contact
   * @throws SyncBackendException when the backend cannot be reached or refuses for another reason
   */
  PushResult push(String storeId, String backendId, List<GlobalEvent> batch)
      throws SyncBackendException;

  /** Releases connections. */
  @Override
  void close();

  /**
   * A page of pulled events.
   *
   * @param backendId the backend's identity
   * @param head the backend's head
   * @param events the events, in order
   * @param remaining how many more events the backend has after this page
   */
  record PullResult(String backendId, long head, List<GlobalEvent> events, long remaining) {
    /** Copies the list. */
    public PullResult {
      events = List.copyOf(events);
    }
  }

  /** The backend's answer to a push. */
  sealed interface PushResult {
    /**
     * The batch was appended.
     *
     * @param head the new head
     * @param backendId the backend's identity
     */
    record Admitted(long head, String backendId) implements PushResult {}

    /**
     * The backend has events the client has not pulled; nothing was appended.
     *
     * @param head the backend's head
     */
    record ServerAhead(long head) implements PushResult {}

    /**
     * The backend is not the one the client synced with; nothing was appended.
     *
     * @param backendId the backend's identity now
     */
    record BackendIdMismatch(String backendId) implements PushResult {}
  }
}
