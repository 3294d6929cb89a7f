package dev.filesync.server.internal;

import dev.filesync.server.AppendResult;
import dev.filesync.server.Authenticator;
import dev.filesync.server.EventLog;
import dev.filesync.server.LogEvent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP handlers of the sync API ({@code /sync/v1/push}, {@code pull}, {@code live}, {@code
 * head}) and {@code /health}. Every handler runs on its own virtual thread and blocks: a long poll
 * or a live stream simply waits in {@link EventLog#awaitAfter}.
 */
public final class SyncHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(SyncHandlers.class);
  private static final String JSON = "application/json";
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
  private static final byte[] HEALTH = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
  private static final long DRAIN_LIMIT = 8L * 1024 * 1024;

  /**
   * The limits the handlers enforce.
   *
   * @param maxBodyBytes the largest request body
   * @param maxBatch the most events of one push
   * @param maxPage the largest page of a pull
   * @param longPollMax the longest {@code waitMs}
   * @param ssePingInterval how often an idle live stream is pinged
   */
  public record Limits(
      long maxBodyBytes,
      int maxBatch,
      int maxPage,
      Duration longPollMax,
      Duration ssePingInterval) {}

  private final EventLog log;
  private final Authenticator authenticator;
  private final Limits limits;
  private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  /**
   * Creates the handlers.
   *
   * @param log the event log
   * @param authenticator checks bearer tokens
   * @param limits the limits
   */
  public SyncHandlers(EventLog log, Authenticator authenticator, Limits limits) {
    this.log = log;
    this.authenticator = authenticator;
    this.limits = limits;
  }

  /**
   * Registers the routes; the JSON error answers are {@link HttpErrors}'s.
   *
   * @param routes Javalin's route configuration
   */
  public void register(RoutesConfig routes) {
    routes.get("/health", ctx -> ctx.contentType(JSON).result(HEALTH));
    routes.post("/sync/v1/push", this::push);
    routes.get("/sync/v1/pull", this::pull);
    routes.get("/sync/v1/live", this::live);
    routes.get("/sync/v1/head", this::head);
    for (String path : List.of("/sync/v1/pull", "/sync/v1/live", "/sync/v1/head")) {
      // Otherwise Jetty answers HEAD itself, with an empty 200 that skips authentication.
      routes.head(
          path,
          ctx -> {
            throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "HEAD is not allowed on " + path);
          });
    }
  }

  /** Wakes every long poll and live stream so that the server can stop at once. */
  public void shutdown() {
    closing = true;
    for (Thread t : waiters) {
      t.interrupt();
    }
  }

  /**
   * How many requests are waiting right now (long polls in their wait, open live streams).
   *
   * @return the count
   */
  public int waitingRequests() {
    return waiters.size();
  }

  // --- push ------------------------------------------------------------------------------------

  private void push(Context ctx) throws IOException {
    String storeId = authorize(ctx);
    String contentType = ctx.header("Content-Type");
    String mediaType =
        contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals(JSON)) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a push must have Content-Type: application/json");
    }
    byte[] body = readBody(ctx);
    PushParser.PushRequest request = PushParser.parse(body, limits.maxBatch());
    String backendId = log.backendId(storeId);
    if (request.backendId() != null && !request.backendId().equals(backendId)) {
      throw new ApiException(
              ErrorCode.BACKEND_ID_MISMATCH,
              "the store's backend id is not the one the client synced with")
          .withTopField("backendId", backendId);
    }
    AppendResult result = log.append(storeId, request.batch());
    if (result instanceof AppendResult.ServerAhead ahead) {
      throw new ApiException(
              ErrorCode.SERVER_AHEAD,
              "the server has events after "
                  + request.batch().get(0).parentSeqNum()
                  + "; pull, rebase and push again")
          .withErrorField("head", ahead.head())
          .withTopField("backendId", ahead.backendId());
    }
    ctx.contentType(JSON).result(Json.headAndBackendId(result.head(), result.backendId()));
  }

  private byte[] readBody(Context ctx) throws IOException {
    long max = limits.maxBodyBytes();
    InputStream in = ctx.req().getInputStream();
    if (ctx.req().getContentLengthLong() > max) {
      drain(in);
      throw tooLarge(max);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(chunk)) != -1) {
      total += n;
      if (total > max) {
        drain(in);
        throw tooLarge(max);
      }
      body.write(chunk, 0, n);
    }
    return body.toByteArray();
  }

  /**
   * Reads and drops what is left of a refused body, up to a bound, so that the client gets the 413
   * instead of a reset connection; a larger body just gets the connection closed.
   */
  private static void drain(InputStream in) {
    byte[] chunk = new byte[16 * 1024];
    long drained = 0;
    try {
      int n;
      while (drained < DRAIN_LIMIT && (n = in.read(chunk)) != -1) {
        drained += n;
      }
    } catch (IOException e) {
      LOG.debug("draining a refused body failed", e);
    }
  }

  private static ApiException tooLarge(long max) {
    return new ApiException(
        ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + max + " bytes");
  }

  // --- pull, head ------------------------------------------------------------------------------

  private void pull(Context ctx) throws IOException {
    String storeId = authorize(ctx);
    long after = param(ctx, "after", 0, 0, Long.MAX_VALUE - 1);
    int limit = (int) param(ctx, "limit", Math.min(100, limits.maxPage()), 1, limits.maxPage());
    long waitMs = param(ctx, "waitMs", 0, 0, limits.longPollMax().toMillis());
    String backendId = log.backendId(storeId);
    long head = log.head(storeId);
    if (head <= after && waitMs > 0) {
      // Register before looking at closing: shutdown() either sees this thread or we see closing.
      waiters.add(Thread.currentThread());
      try {
        if (!closing) {
          log.awaitAfter(storeId, after, Duration.ofMillis(waitMs));
        }
      } catch (InterruptedException e) {
        LOG.debug("long poll interrupted: the server is stopping");
      } finally {
        waiters.remove(Thread.currentThread());
        Thread.interrupted(); // a late interrupt from shutdown() must not hit the reads below
      }
      head = log.head(storeId);
    }
    ctx.contentType(JSON).result(page(storeId, backendId, after, limit, head));
  }

  /** Reads one page after {@code after}, never past {@code head}. */
  private byte[] page(String storeId, String backendId, long after, int limit, long head)
      throws IOException {
    List<LogEvent> events =
        head > after ? log.read(storeId, after, (int) Math.min(limit, head - after)) : List.of();
    long last = events.isEmpty() ? after : events.get(events.size() - 1).seqNum();
    return Json.page(backendId, head, events, Math.max(0, head - last));
  }

  private void head(Context ctx) throws IOException {
    String storeId = authorize(ctx);
    String backendId = log.backendId(storeId);
    ctx.contentType(JSON).result(Json.headAndBackendId(log.head(storeId), backendId));
  }

  // --- live ------------------------------------------------------------------------------------

  /** Signals that the client went away while we wrote to it. */
  private static final class ClientGone extends Exception {
    private static final long serialVersionUID = 1L;

    ClientGone(IOException cause) {
      super(cause.toString(), cause, false, false);
    }
  }

  private void live(Context ctx) throws IOException {
    String storeId = authorize(ctx);
    long after = param(ctx, "after", 0, 0, Long.MAX_VALUE - 1);
    int limit = (int) param(ctx, "limit", Math.min(100, limits.maxPage()), 1, limits.maxPage());
    String backendId = log.backendId(storeId);

    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType("text/event-stream;charset=utf-8");
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("X-Accel-Buffering", "no");
    OutputStream out = res.getOutputStream();

    waiters.add(Thread.currentThread());
    try {
      long last = after;
      boolean first = true;
      while (!closing) {
        long head = log.head(storeId);
        if (head > last) {
          while (last < head) {
            List<LogEvent> events = log.read(storeId, last, (int) Math.min(limit, head - last));
            if (events.isEmpty()) {
              break;
            }
            last = events.get(events.size() - 1).seqNum();
            send(out, Json.page(backendId, head, events, head - last));
          }
        } else if (first) {
          // An empty first message tells the client the stream is live, the head and backend id.
          send(out, Json.page(backendId, head, List.of(), 0));
        }
        first = false;
        if (!log.awaitAfter(storeId, last, limits.ssePingInterval())) {
          write(out, ": ping\n\n".getBytes(StandardCharsets.UTF_8));
        }
      }
    } catch (ClientGone e) {
      LOG.debug("live stream of {} closed by the client: {}", storeId, e.getMessage());
    } catch (InterruptedException e) {
      LOG.debug("live stream of {} ended: the server is stopping", storeId);
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        LOG.warn("live stream of {} failed", storeId, e);
      }
    } finally {
      waiters.remove(Thread.currentThread());
      Thread.interrupted();
    }
  }

  private static void send(OutputStream out, byte[] json) throws ClientGone {
    String data = new String(json, StandardCharsets.UTF_8);
    StringBuilder message = new StringBuilder(data.length() + 32).append("event: events\n");
    // Raw args may hold line breaks (JSON whitespace); SSE carries each line as its own data:.
    for (String line : data.split("\r\n|\r|\n", -1)) {
      message.append("data: ").append(line).append('\n');
    }
    message.append('\n');
    write(out, message.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void write(OutputStream out, byte[] bytes) throws ClientGone {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new ClientGone(e);
    }
  }

  // --- auth and parameters ---------------------------------------------------------------------

  /** Checks the bearer token and the store id; returns the store id. */
  private String authorize(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null
        || header.length() <= 7
        || !header.regionMatches(true, 0, "Bearer ", 0, 7)
        || header.substring(7).isBlank()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "missing bearer token");
    }
    Optional<List<String>> patterns = authenticator.patternsFor(header.substring(7).trim());
    if (patterns.isEmpty()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "unknown bearer token");
    }
    String storeId = ctx.queryParam("storeId");
    String why = StorePatterns.whyInvalid(storeId);
    if (why != null) {
      throw new ApiException(ErrorCode.INVALID_STORE_ID, why);
    }
    if (!StorePatterns.grants(patterns.get(), storeId)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "the token does not grant this store");
    }
    return storeId;
  }

  private static long param(Context ctx, String name, long defaultValue, long min, long max) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return defaultValue;
    }
    if (!DIGITS.matcher(value).matches()) {
      throw new ApiException(
          ErrorCode.MALFORMED_REQUEST,
          name + " must be an integer from " + min + " to " + max + ": '" + clip(value) + "'");
    }
    long n = Long.parseLong(value);
    if (n < min || n > max) {
      throw new ApiException(
          ErrorCode.MALFORMED_REQUEST, name + " must be from " + min + " to " + max + ": " + n);
    }
    return n;
  }

  private static String clip(String s) {
    String clipped = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    StringBuilder b = new StringBuilder(clipped.length());
    clipped.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
