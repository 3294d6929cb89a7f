package dev.filesync.store;

/** What a store's sync client is doing. */
public enum SyncStatus {
  /** The store has no sync backend; it confirms its own events. */
  LOCAL_ONLY,
  /** Another process holds the writer lock and syncs for this data directory. */
  NOT_LEADER,
  /** The last exchange with the backend succeeded. */
  ONLINE,
  /**
   * The backend could not be reached and the client retries with backoff; or this process has no
   * backend for a store that syncs, and its commits wait for a process that has one.
   */
  OFFLINE,
  /**
   * Syncing stopped and needs the application: the backend's identity changed under {@link
   * BackendResetPolicy#HALT}, or the backend refused events for good. {@link SyncState#lastError()}
   * says why.
   */
  HALTED
}
