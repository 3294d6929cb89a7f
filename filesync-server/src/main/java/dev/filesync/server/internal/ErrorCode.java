package dev.filesync.server.internal;

/**
 * Every error the sync and storage APIs answer with, and its HTTP status: the one place where the
 * two are mapped (the tables of {@code docs/sync-protocol.md} and {@code docs/storage-server.md}).
 */
public enum ErrorCode {
  /** The body is not JSON. */
  MALFORMED_JSON("MalformedJson", 400),
  /** A missing or wrong-typed request field, or a bad query parameter. */
  MALFORMED_REQUEST("MalformedRequest", 400),
  /** An envelope field missing, wrong-typed, out of range or unknown. */
  MALFORMED_EVENT("MalformedEvent", 400),
  /** The args of a reference file event are wrong. */
  INVALID_ARGS("InvalidArgs", 400),
  /** A client-only event was pushed. */
  CLIENT_ONLY_EVENT("ClientOnlyEvent", 400),
  /** The events of a batch do not follow each other. */
  NON_CONTIGUOUS_BATCH("NonContiguousBatch", 400),
  /** An empty batch or one over the limit. */
  BATCH_TOO_LARGE("BatchTooLarge", 400),
  /** A missing or malformed store id. */
  INVALID_STORE_ID("InvalidStoreId", 400),
  /** No bearer token, or an unknown one. */
  UNAUTHORIZED("Unauthorized", 401),
  /** The token does not grant the store. */
  FORBIDDEN("Forbidden", 403),
  /** No such route. */
  NOT_FOUND("NotFound", 404),
  /** A known route with the wrong method. */
  METHOD_NOT_ALLOWED("MethodNotAllowed", 405),
  /** The server has events the client has not pulled. */
  SERVER_AHEAD("ServerAhead", 409),
  /** The client's backend id is not the store's. */
  BACKEND_ID_MISMATCH("BackendIdMismatch", 409),
  /** The body is over the size limit. */
  PAYLOAD_TOO_LARGE("PayloadTooLarge", 413),
  /** A push that is not {@code application/json}. */
  UNSUPPORTED_MEDIA_TYPE("UnsupportedMediaType", 415),
  /** An unsafe object key ({@link Keys}). */
  INVALID_KEY("InvalidKey", 400),
  /** The uploaded bytes do not have the SHA-256 the upload was signed with. */
  CHECKSUM_MISMATCH("ChecksumMismatch", 400),
  /** The body's length is not the one the upload was signed with. */
  CONTENT_LENGTH_MISMATCH("ContentLengthMismatch", 400),
  /** The body's media type is not the one the upload was signed with. */
  CONTENT_TYPE_MISMATCH("ContentTypeMismatch", 400),
  /** The body ended before its declared length. */
  INCOMPLETE_BODY("IncompleteBody", 400),
  /** A multipart completion names a missing part or one with another ETag. */
  INVALID_PART("InvalidPart", 400),
  /** A signed URL whose signature does not verify (tampered, another key or method). */
  SIGNATURE_MISMATCH("SignatureMismatch", 403),
  /** A signed URL past its expiry. */
  URL_EXPIRED("UrlExpired", 403),
  /** No object under the key. */
  NO_SUCH_KEY("NoSuchKey", 404),
  /** No such multipart upload. */
  NO_SUCH_UPLOAD("NoSuchUpload", 404),
  /** {@code If-None-Match: *} on a key that already has an object. */
  PRECONDITION_FAILED("PreconditionFailed", 412),
  /** A byte range that starts past the end of the object. */
  RANGE_NOT_SATISFIABLE("RangeNotSatisfiable", 416),
  /** A server fault. */
  INTERNAL("Internal", 500);

  private final String code;
  private final int status;

  ErrorCode(String code, int status) {
    this.code = code;
    this.status = status;
  }

  /**
   * The code of the JSON error body.
   *
   * @return for example {@code ServerAhead}
   */
  public String code() {
    return code;
  }

  /**
   * The HTTP status.
   *
   * @return for example 409
   */
  public int status() {
    return status;
  }
}
