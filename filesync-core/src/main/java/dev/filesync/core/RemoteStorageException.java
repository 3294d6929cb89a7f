package dev.filesync.core;

import dev.filesync.store.FileSyncException;

/**
 * Remote storage refused a request or could not be reached. {@link #retryable()} tells the engine
 * whether to try again (network trouble, 5xx, 408, 429) or to give up on this attempt for good
 * (401, 403, 404, 4xx).
 */
public class RemoteStorageException extends FileSyncException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String key;
  private final boolean retryable;

  /**
   * An exception.
   *
   * @param message what happened
   * @param key the object key concerned, or {@code null}
   * @param status the HTTP status, or 0 when there was no answer
   * @param retryable whether trying again later may succeed
   * @param cause the cause, or {@code null}
   */
  public RemoteStorageException(
      String message, String key, int status, boolean retryable, Throwable cause) {
    super(message, cause);
    this.key = key;
    this.status = status;
    this.retryable = retryable;
  }

  /** The HTTP status, or 0 when the storage did not answer. */
  public int status() {
    return status;
  }

  /** The object key concerned, or {@code null}. */
  public String key() {
    return key;
  }

  /** Whether trying again later may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
