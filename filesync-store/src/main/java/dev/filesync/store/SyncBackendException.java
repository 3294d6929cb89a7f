package dev.filesync.store;

/**
 * A sync backend could not be reached or refused a request. {@link #retryable()} tells whether
 * trying again later may succeed (network trouble, a 5xx) or not (a 4xx: bad token, forbidden
 * store, a request the server will always refuse).
 */
public class SyncBackendException extends FileSyncException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final boolean retryable;

  /**
   * An exception.
   *
   * @param message what happened
   * @param status the HTTP status, or 0 when there was no answer
   * @param code the server's error code, or {@code null}
   * @param retryable whether trying again later may succeed
   * @param cause the cause, or {@code null}
   */
  public SyncBackendException(
      String message, int status, String code, boolean retryable, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
  }

  /** The HTTP status, or 0 when the backend did not answer. */
  public int status() {
    return status;
  }

  /** The server's error code (e.g. {@code Forbidden}), or {@code null}. */
  public String code() {
    return code;
  }

  /** Whether trying again later may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
