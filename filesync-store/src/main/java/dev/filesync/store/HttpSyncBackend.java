package dev.filesync.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filesync.store.internal.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@link SyncBackend} for FileSync's own sync service ({@code docs/sync-protocol.md}), over
 * {@code java.net.http}. Pulls are long polls; a push that the server refuses with {@code
 * ServerAhead} or {@code BackendIdMismatch} is an answer, not an exception.
 *
 * {@snippet :
 * SyncBackend backend = HttpSyncBackend.builder(URI.create("http://127.0.0.1:8787"))
 *     .token(() -> currentToken())
 *     .build();
 * }
 */
public final class HttpSyncBackend implements SyncBackend {
  private final URI base;
  private final Supplier<String> token;
  private final HttpClient http;
  private final Duration requestTimeout;

  private HttpSyncBackend(Builder b) {
    this.base = b.base;
    this.token = b.token;
    this.requestTimeout = b.requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** A builder for the server at {@code baseUri} (e.g. {@code http://127.0.0.1:8787}). */
  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  @Override
  public PullResult pull(String storeId, long after, int limit, Duration wait)
      throws SyncBackendException {
    URI uri =
        base.resolve(
            "/sync/v1/pull?storeId="
                + enc(storeId)
                + "&after="
                + after
                + "&limit="
                + limit
                + "&waitMs="
                + wait.toMillis());
    HttpRequest req = request(uri).timeout(requestTimeout.plus(wait)).GET().build();
    JsonNode body = send(req, "pull");
    List<GlobalEvent> events = new ArrayList<>();
    for (JsonNode e : body.path("events")) {
      events.add(
          new GlobalEvent(
              e.path("name").asText(),
              e.path("args").toString(),
              e.path("seqNum").asLong(),
              e.path("parentSeqNum").asLong(),
              e.path("clientId").asText(),
              e.path("sessionId").asText()));
    }
    JsonNode info = body.path("pageInfo");
    long remaining =
        "MoreKnown".equals(info.path("_tag").asText())
            ? Math.max(1, info.path("remaining").asLong())
            : 0;
    return new PullResult(
        body.path("backendId").asText(null), body.path("head").asLong(), events, remaining);
  }

  @Override
  public PushResult push(String storeId, String backendId, List<GlobalEvent> batch)
      throws SyncBackendException {
    String payload;
    try (StringWriter out = new StringWriter();
        JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("batch");
      for (GlobalEvent e : batch) {
        g.writeStartObject();
        g.writeStringField("name", e.name());
        g.writeFieldName("args");
        g.writeRawValue(e.argsJson()); // sent byte for byte as it was committed
        g.writeNumberField("seqNum", e.seqNum());
        g.writeNumberField("parentSeqNum", e.parentSeqNum());
        g.writeStringField("clientId", e.clientId());
        g.writeStringField("sessionId", e.sessionId());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (backendId != null) {
        g.writeStringField("backendId", backendId);
      }
      g.writeEndObject();
      g.flush();
      payload = out.toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a push", e);
    }
    HttpRequest req =
        request(base.resolve("/sync/v1/push?storeId=" + enc(storeId)))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(payload))
            .build();
    HttpResponse<String> resp = exchange(req, "push");
    JsonNode body = parseBody(resp, "push");
    if (resp.statusCode() == 200) {
      return new PushResult.Admitted(
          body.path("head").asLong(), body.path("backendId").asText(null));
    }
    String code = body.path("error").path("code").asText("");
    if (resp.statusCode() == 409 && code.equals("ServerAhead")) {
      return new PushResult.ServerAhead(body.path("error").path("head").asLong());
    }
    if (resp.statusCode() == 409 && code.equals("BackendIdMismatch")) {
      return new PushResult.BackendIdMismatch(body.path("backendId").asText(null));
    }
    throw refusal(resp, body, "push");
  }

  @Override
  public void close() {
    // not close(): that waits for requests in flight, and a long poll may have 20 s to go
    http.shutdownNow();
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    String t = token.get();
    if (t != null) {
      b.header("Authorization", "Bearer " + t);
    }
    return b;
  }

  private JsonNode send(HttpRequest req, String what) throws SyncBackendException {
    HttpResponse<String> resp = exchange(req, what);
    JsonNode body = parseBody(resp, what);
    if (resp.statusCode() != 200) {
      throw refusal(resp, body, what);
    }
    return body;
  }

  private HttpResponse<String> exchange(HttpRequest req, String what) throws SyncBackendException {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SyncBackendException(what + " to " + base + " failed: " + e, 0, null, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SyncBackendException(what + " to " + base + " was interrupted", 0, null, true, e);
    }
  }

  private static JsonNode parseBody(HttpResponse<String> resp, String what)
      throws SyncBackendException {
    try {
      JsonNode n = Json.parse(resp.body());
      return n == null ? Json.MAPPER.createObjectNode() : n;
    } catch (IllegalArgumentException e) {
      throw new SyncBackendException(
          what + ": the server answered " + resp.statusCode() + " with a body that is not JSON",
          resp.statusCode(),
          null,
          resp.statusCode() >= 500,
          e);
    }
  }

  private static SyncBackendException refusal(
      HttpResponse<String> resp, JsonNode body, String what) {
    int status = resp.statusCode();
    String code = body.path("error").path("code").asText(null);
    String message = body.path("error").path("message").asText("");
    boolean retryable = status >= 500 || status == 429 || status == 408;
    return new SyncBackendException(
        what
            + " refused: "
            + status
            + (code == null ? "" : " " + code)
            + (message.isEmpty() ? "" : ": " + message),
        status,
        code,
        retryable,
        null);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Builds an {@link HttpSyncBackend}. */
  public static final class Builder {
    private final URI base;
    private Supplier<String> token = () -> null;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder(URI base) {
      Objects.requireNonNull(base, "baseUri");
      if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
        throw new IllegalArgumentException("base URI must be http or https: " + base);
      }
      this.base = base;
    }

    /** A fixed bearer token. */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      this.token = () -> token;
      return this;
    }

    /** A bearer token read before each request (for tokens that expire). */
    public Builder token(Supplier<String> supplier) {
      this.token = Objects.requireNonNull(supplier, "supplier");
      return this;
    }

    /** How long connecting may take (default 10 s). */
    public Builder connectTimeout(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + d);
      }
      this.connectTimeout = d;
      return this;
    }

    /** How long a request may take, on top of a pull's wait (default 30 s). */
    public Builder requestTimeout(Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be positive: " + d);
      }
      this.requestTimeout = d;
      return this;
    }

    /** The backend. */
    public HttpSyncBackend build() {
      return new HttpSyncBackend(this);
    }
  }
}
