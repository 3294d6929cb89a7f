package dev.filesync.store;

/**
 * Whether this process holds a store's writer lock (LiveStore's {@code has-lock}/{@code no-lock}).
 */
public enum LockStatus {
  /** This process holds the lock and runs the sync client. */
  HAS_LOCK,
  /** Another process holds it; this one reads and commits, and takes the lock when it is freed. */
  NO_LOCK
}
