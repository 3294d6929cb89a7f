package dev.filesync.core;

/**
 * What the sync engine does, as typed events delivered to {@link FileSync#addListener} and {@link
 * FileSync#events()}. Transfer events come in pairs: every {@link TransferStarted} is followed by
 * one {@link TransferCompleted} or {@link TransferFailed} for the same attempt.
 */
public sealed interface FileSyncEvent {

  /** The direction of a transfer. */
  enum Direction {
    /** Local bytes to remote storage. */
    UPLOAD,
    /** Remote storage to local bytes. */
    DOWNLOAD
  }

  /**
   * An attempt started.
   *
   * @param direction upload or download
   * @param fileId the file
   * @param attempt the attempt number, from 1
   */
  record TransferStarted(Direction direction, String fileId, int attempt)
      implements FileSyncEvent {}

  /**
   * Bytes moved so far in the current attempt.
   *
   * @param direction upload or download
   * @param fileId the file
   * @param bytes bytes moved
   * @param total the whole size, or -1 when unknown
   */
  record TransferProgress(Direction direction, String fileId, long bytes, long total)
      implements FileSyncEvent {}

  /**
   * The transfer succeeded (or was found unnecessary).
   *
   * @param direction upload or download
   * @param fileId the file
   */
  record TransferCompleted(Direction direction, String fileId) implements FileSyncEvent {}

  /**
   * An attempt failed.
   *
   * @param direction upload or download
   * @param fileId the file
   * @param attempt the attempt number, from 1
   * @param retryable whether another attempt will follow
   * @param message what went wrong
   */
  record TransferFailed(
      Direction direction, String fileId, int attempt, boolean retryable, String message)
      implements FileSyncEvent {}

  /**
   * Every attempt failed; the file's status is now {@code error} until {@link
   * FileSync#retryErrors()}.
   *
   * @param direction upload or download
   * @param fileId the file
   * @param attempts attempts made
   * @param message the last failure
   */
  record TransferExhausted(Direction direction, String fileId, int attempts, String message)
      implements FileSyncEvent {}

  /** Remote storage answers again; transfers resume. */
  record Online() implements FileSyncEvent {}

  /** Remote storage does not answer; transfers wait without spending attempts. */
  record Offline() implements FileSyncEvent {}

  /**
   * This process gained or lost the store's writer lock, and with it the engine.
   *
   * @param leader whether this process now runs the engine
   */
  record LeadershipChanged(boolean leader) implements FileSyncEvent {}
}
