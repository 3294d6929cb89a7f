package dev.filesync.server;

import java.io.IOException;
import java.util.Objects;

/**
 * A {@link BlobStore} refused a request for a reason the caller can act on; nothing was stored.
 * {@link #kind()} says which, and the HTTP layer maps it to a status.
 */
public class BlobStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Why the request was refused. */
  public enum Kind {
    /** The body was longer than allowed (413). */
    TOO_LARGE,
    /** The bytes did not hash to the expected SHA-256 (400). */
    CHECKSUM_MISMATCH,
    /** The body ended before its declared length (400). */
    INCOMPLETE_BODY,
    /** No such multipart upload (404). */
    NO_SUCH_UPLOAD,
    /** A completion named a part that is missing, or whose ETag differs (400). */
    BAD_PART,
    /** A byte range starts past the end of the object (416). */
    BAD_RANGE
  }

  private final Kind kind;

  /** An exception of {@code kind} with a message. */
  public BlobStoreException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** Why the request was refused. */
  public Kind kind() {
    return kind;
  }
}
