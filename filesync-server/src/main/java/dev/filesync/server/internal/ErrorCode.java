package dev.filesync.server.internal;

/**
 * Every error the sync API answers with, and its HTTP status: the one place where the two are
 * mapped (the table of {@code docs/sync-protocol.md}).
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
