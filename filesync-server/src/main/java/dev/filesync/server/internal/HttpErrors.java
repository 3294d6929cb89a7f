package dev.filesync.server.internal;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns refusals into JSON error bodies ({@code {"error":{"code","message"}}}) for every route,
 * sync and storage alike: {@link ApiException}s, Javalin's own 4xx, unknown routes (404), wrong
 * methods (405) and unexpected exceptions (500, logged).
 */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  private static final String JSON = "application/json";
  private static final String RESPONDED = "filesync.errorResponded";

  private HttpErrors() {}

  /**
   * Registers the exception mapping and the 404/405 answers.
   *
   * @param routes Javalin's route configuration
   */
  public static void register(RoutesConfig routes) {
    routes.exception(ApiException.class, (e, ctx) -> respond(ctx, e));
    routes.exception(
        HttpResponseException.class,
        (e, ctx) -> respond(ctx, new ApiException(fromStatus(e.getStatus()), e.getMessage())));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          respond(ctx, new ApiException(ErrorCode.INTERNAL, "internal server error"));
        });
    routes.error(
        404,
        ctx -> {
          if (ctx.attribute(RESPONDED) == null) {
            respond(ctx, new ApiException(ErrorCode.NOT_FOUND, "no route " + clip(ctx.path())));
          }
        });
    routes.error(
        405,
        ctx -> {
          if (ctx.attribute(RESPONDED) == null) {
            respond(
                ctx,
                new ApiException(
                    ErrorCode.METHOD_NOT_ALLOWED,
                    ctx.method() + " is not allowed on " + clip(ctx.path())));
          }
        });
  }

  static ErrorCode fromStatus(int status) {
    return switch (status) {
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      default -> status >= 400 && status < 500 ? ErrorCode.MALFORMED_REQUEST : ErrorCode.INTERNAL;
    };
  }

  /**
   * Sends the JSON error body of a refusal, unless the response is already committed.
   *
   * @param ctx the request
   * @param e the refusal
   */
  public static void respond(Context ctx, ApiException e) {
    if (ctx.res().isCommitted()) {
      LOG.debug("cannot send {} on a committed response", e.code().code());
      return;
    }
    ctx.attribute(RESPONDED, Boolean.TRUE);
    ctx.status(e.code().status());
    if (e.code() == ErrorCode.UNAUTHORIZED) {
      ctx.header("WWW-Authenticate", "Bearer");
    }
    if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE) {
      ctx.header("Connection", "close");
    }
    ctx.contentType(JSON).result(Json.error(e));
  }

  /** Shortens a client-provided string for a message and hides control characters. */
  static String clip(String s) {
    String clipped = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    StringBuilder b = new StringBuilder(clipped.length());
    clipped.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
