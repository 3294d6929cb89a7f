package dev.filesync.store;

/**
 * What a store does when its sync backend answers with another {@code backendId} than the one it
 * synced with: the backend's log was wiped or replaced, so the history this device confirmed is no
 * longer the backend's.
 */
public enum BackendResetPolicy {
  /**
   * Adopt the backend's history: drop the confirmed events and the state, keep every pending
   * (unconfirmed) event, pull the backend's log from the start and push the pending events on top
   * of it. Nothing committed here and not yet confirmed is lost.
   */
  RESET_TO_BACKEND,
  /**
   * Stop syncing with {@link SyncStatus#HALTED}, keep everything, and let the application decide.
   */
  HALT
}
