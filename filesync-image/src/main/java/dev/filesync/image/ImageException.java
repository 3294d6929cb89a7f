package dev.filesync.image;

import dev.filesync.store.FileSyncException;

/**
 * An image could not be read: its format is not supported, its bytes are corrupt or truncated, or
 * it declares more pixels than allowed. Retrying the same bytes gives the same result.
 */
public final class ImageException extends FileSyncException {
  private static final long serialVersionUID = 1L;

  /** Why an image was refused. */
  public enum Reason {
    /** Not an image, or a format no installed decoder reads. */
    UNSUPPORTED,
    /** Truncated or corrupt bytes. */
    CORRUPT,
    /** More pixels than the configured limit (a decompression bomb, or just too big). */
    TOO_LARGE
  }

  private final Reason reason;

  /** An exception with a reason and a message. */
  public ImageException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** An exception with a reason, a message and a cause. */
  public ImageException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why the image was refused. */
  public Reason reason() {
    return reason;
  }
}
