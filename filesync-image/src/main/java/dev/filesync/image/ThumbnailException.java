package dev.filesync.image;

import dev.filesync.store.FileSyncException;

/**
 * A thumbnail cannot be had: the file is not an image, its image is bad, generation failed for
 * good, or its bytes are not on this device yet.
 */
public final class ThumbnailException extends FileSyncException {
  private static final long serialVersionUID = 1L;

  private final String fileId;
  private final ThumbnailStatus status;

  /** An exception about {@code fileId}, whose size is in {@code status}. */
  public ThumbnailException(String fileId, ThumbnailStatus status, String message) {
    super(message);
    this.fileId = fileId;
    this.status = status;
  }

  /** The file concerned. */
  public String fileId() {
    return fileId;
  }

  /** The size's status: {@code ERROR}, {@code SKIPPED} or {@code PENDING}. */
  public ThumbnailStatus status() {
    return status;
  }
}
