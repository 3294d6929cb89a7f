package dev.filesync.store;

import java.io.IOException;

/**
 * The root of FileSync's checked exceptions: something in the environment (disk, network, a
 * server's refusal) stopped an operation. Mistakes of the caller are unchecked ({@link
 * IllegalArgumentException}, {@link IllegalStateException}).
 */
public class FileSyncException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public FileSyncException(String message) {
    super(message);
  }

  /** An exception with a message and a cause. */
  public FileSyncException(String message, Throwable cause) {
    super(message, cause);
  }
}
