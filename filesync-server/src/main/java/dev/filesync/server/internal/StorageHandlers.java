package dev.filesync.server.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filesync.server.Authenticator;
import dev.filesync.server.BlobStore;
import dev.filesync.server.BlobStore.Blob;
import dev.filesync.server.BlobStore.BlobInfo;
import dev.filesync.server.BlobStore.ByteRange;
import dev.filesync.server.BlobStore.PartInfo;
import dev.filesync.server.BlobStoreException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of the storage service ({@code docs/storage-server.md}): the signer API under the
 * signer base path ({@code /api}: {@code health}, {@code v1/sign/upload}, {@code v1/sign/download},
 * {@code v1/delete}, {@code v1/multipart/*}), compatible with the livestore-filesync JS client, and
 * in gateway mode the data plane under the files base path ({@code PUT/GET/HEAD/DELETE
 * /livestore-filesync-files/<key>}), which streams bodies and never holds one whole in memory.
 *
 * <p>Every handler runs on its own virtual thread and blocks on storage I/O.
 */
public final class StorageHandlers {

  private static final Logger LOG = LoggerFactory.getLogger(StorageHandlers.class);
  private static final String JSON = "application/json";
  private static final int BUFFER = 64 * 1024;
  private static final long DRAIN_LIMIT = 8L * 1024 * 1024;
  private static final int MAX_PARTS_PER_SIGN = 1000;
  private static final int MAX_PART_NUMBER = 10_000;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
  private static final Pattern HOST =
      Pattern.compile("(?:[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");
  private static final Pattern RANGE = Pattern.compile("bytes=([0-9]{0,18})-([0-9]{0,18})");
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
  private static final byte[] HEALTH_OK = "{\"status\":\"ok\"}".getBytes();
  private static final byte[] HEALTH_ERROR = "{\"status\":\"error\"}".getBytes();
  private static final long HEALTH_CACHE_NANOS = 5_000_000_000L;

  /** Request attribute: request body bytes read, for {@link Metrics}. */
  public static final String IN_BYTES = "filesync.inBytes";

  /**
   * The largest multipart part accepted by the gateway, 64 MiB: S3 needs at least 5 MiB per part
   * (but the last) and the S3 blob store holds one part in memory while sending it.
   */
  static final long MAX_PART_BYTES = 64L << 20;

  private static final java.util.regex.Pattern SHA256_HEX =
      java.util.regex.Pattern.compile("[0-9a-f]{64}");
  private static final java.util.regex.Pattern UPLOAD_ID_HEX =
      java.util.regex.Pattern.compile("[0-9a-f]{32}");
  private static final java.util.regex.Pattern PRINTABLE =
      java.util.regex.Pattern.compile("[\\x20-\\x7e]{1,255}");

  /** Request attribute: response body bytes written, for {@link Metrics}. */
  public static final String OUT_BYTES = "filesync.outBytes";

  /**
   * The limits and paths of the storage routes.
   *
   * @param signerBasePath the signer API's base, such as {@code /api}
   * @param filesBasePath the data plane's base, such as {@code /livestore-filesync-files}
   * @param maxObjectBytes the largest object (and part)
   * @param maxSignerBodyBytes the largest JSON body of a signer call
   * @param urlTtl the default lifetime of a signed URL
   * @param maxUrlTtl the longest lifetime; requested and default lifetimes are clamped to it
   * @param corsOrigins the origins allowed by CORS ({@code *} for all); empty for no CORS headers
   */
  public record Settings(
      String signerBasePath,
      String filesBasePath,
      long maxObjectBytes,
      long maxSignerBodyBytes,
      Duration urlTtl,
      Duration maxUrlTtl,
      List<String> corsOrigins) {}

  private final StorageBackend backend;
  private final GatewayBackend gateway;
  private final Authenticator authenticator;
  private final Settings settings;
  private final Set<String> corsOrigins;
  private final boolean corsAny;
  private volatile long healthCheckedAt;
  private volatile boolean healthCached;
  private volatile boolean healthHasValue;

  /**
   * Creates the handlers.
   *
   * @param backend the storage backend; a {@link GatewayBackend} also gets the data plane
   * @param authenticator checks bearer tokens (the same as the sync service's)
   * @param settings limits and paths
   */
  public StorageHandlers(StorageBackend backend, Authenticator authenticator, Settings settings) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.gateway = backend instanceof GatewayBackend g ? g : null;
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.corsOrigins = Set.copyOf(settings.corsOrigins());
    this.corsAny = corsOrigins.contains("*");
  }

  /**
   * Registers the routes and the CORS handling.
   *
   * @param routes Javalin's route configuration
   */
  public void register(RoutesConfig routes) {
    String api = settings.signerBasePath();
    routes.get(api + "/health", this::health);
    Map<String, Handler> posts = new HashMap<>();
    posts.put(api + "/v1/sign/upload", this::signUpload);
    posts.put(api + "/v1/sign/download", this::signDownload);
    posts.put(api + "/v1/delete", this::delete);
    posts.put(api + "/v1/multipart/create", this::multipartCreate);
    posts.put(api + "/v1/multipart/sign-parts", this::multipartSignParts);
    posts.put(api + "/v1/multipart/list-parts", this::multipartListParts);
    posts.put(api + "/v1/multipart/complete", this::multipartComplete);
    posts.put(api + "/v1/multipart/abort", this::multipartAbort);
    posts.forEach(routes::post);
    if (!corsOrigins.isEmpty()) {
      routes.before(api + "/*", this::cors);
      routes.options(api + "/health", this::preflight);
      posts.keySet().forEach(path -> routes.options(path, this::preflight));
    }
    if (gateway != null) {
      String files = settings.filesBasePath() + "/<key>";
      routes.put(files, this::objectPut);
      routes.get(files, this::objectGet);
      routes.head(files, this::objectGet);
      routes.delete(files, this::objectDelete);
      if (!corsOrigins.isEmpty()) {
        routes.before(settings.filesBasePath() + "/*", this::cors);
        routes.options(files, this::preflight);
      }
    }
  }

  // --- CORS ------------------------------------------------------------------------------------

  private boolean allowedOrigin(String origin) {
    return origin != null && (corsAny || corsOrigins.contains(origin));
  }

  private void cors(Context ctx) {
    ctx.res().addHeader("Vary", "Origin");
    String origin = ctx.header("Origin");
    if (allowedOrigin(origin)) {
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Access-Control-Expose-Headers", "ETag, Content-Length, Content-Range");
    }
  }

  private void preflight(Context ctx) {
    String origin = ctx.header("Origin");
    if (allowedOrigin(origin)) {
      ctx.header("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE, OPTIONS");
      ctx.header(
          "Access-Control-Allow-Headers", "Authorization, Content-Type, Range, If-None-Match");
      ctx.header("Access-Control-Max-Age", "86400");
    }
    ctx.status(204);
  }

  // --- control plane ---------------------------------------------------------------------------

  private void health(Context ctx) {
    long now = System.nanoTime();
    boolean ok;
    if (healthHasValue && now - healthCheckedAt < HEALTH_CACHE_NANOS) {
      ok = healthCached;
    } else {
      ok = backend.healthy();
      healthCached = ok;
      healthCheckedAt = now;
      healthHasValue = true;
    }
    ctx.status(ok ? 200 : 503).contentType(JSON).result(ok ? HEALTH_OK : HEALTH_ERROR);
  }

  /** An authorized signer call: its grants and its JSON body. */
  private record Call(KeyGrants grants, JsonNode body, String key) {}

  private Call call(Context ctx) throws IOException {
    KeyGrants grants = authenticate(ctx);
    if (grants == null) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "missing bearer token");
    }
    JsonNode body = readJson(ctx);
    JsonNode keyNode = body.get("key");
    if (keyNode == null || keyNode.isNull()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "key is missing");
    }
    if (!keyNode.isTextual()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "key must be a string");
    }
    String key = Keys.check(keyNode.textValue());
    if (!grants.allows(key)) {
      throw new ApiException(ErrorCode.FORBIDDEN, "the token does not grant this key");
    }
    return new Call(grants, body, key);
  }

  /**
   * The grants of the request's bearer token, or null when there is no token.
   *
   * @throws ApiException 401 when the token is unknown
   */
  private KeyGrants authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null
        || header.length() <= 7
        || !header.regionMatches(true, 0, "Bearer ", 0, 7)
        || header.substring(7).isBlank()) {
      return null;
    }
    Optional<List<String>> patterns = authenticator.patternsFor(header.substring(7).trim());
    if (patterns.isEmpty()) {
      throw new ApiException(ErrorCode.UNAUTHORIZED, "unknown bearer token");
    }
    return KeyGrants.of(patterns.get());
  }

  private JsonNode readJson(Context ctx) throws IOException {
    long max = settings.maxSignerBodyBytes();
    InputStream in = ctx.req().getInputStream();
    if (ctx.req().getContentLengthLong() > max) {
      drain(in);
      throw new ApiException(
          ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + max + " bytes");
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    long total = 0;
    int n;
    while ((n = in.read(chunk)) != -1) {
      total += n;
      if (total > max) {
        drain(in);
        throw new ApiException(
            ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + max + " bytes");
      }
      body.write(chunk, 0, n);
    }
    ctx.attribute(IN_BYTES, total);
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(body.toByteArray());
    } catch (JacksonException e) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "the body must be a JSON object");
    }
    return node;
  }

  private URI origin(Context ctx) {
    String host = ctx.header("Host");
    if (host == null || host.isEmpty()) {
      host = ctx.req().getLocalAddr() + ":" + ctx.req().getLocalPort();
      if (host.indexOf(':') != host.lastIndexOf(':')) {
        host = "[" + ctx.req().getLocalAddr() + "]:" + ctx.req().getLocalPort();
      }
    }
    if (!HOST.matcher(host).matches()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "the Host header is not a host[:port]");
    }
    String scheme = ctx.req().getScheme();
    return URI.create(scheme + "://" + host);
  }

  private Duration ttl(JsonNode body) {
    Duration ttl = settings.urlTtl();
    JsonNode expiresIn = body.get("expiresIn");
    if (expiresIn != null && !expiresIn.isNull()) {
      if (!expiresIn.isIntegralNumber() || expiresIn.longValue() < 1) {
        throw new ApiException(
            ErrorCode.MALFORMED_REQUEST, "expiresIn must be a positive integer (seconds)");
      }
      ttl = Duration.ofSeconds(Math.min(expiresIn.longValue(), Integer.MAX_VALUE));
    }
    return ttl.compareTo(settings.maxUrlTtl()) > 0 ? settings.maxUrlTtl() : ttl;
  }

  private static String optionalString(JsonNode body, String field, int maxLength) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, field + " must be a string");
    }
    String s = n.textValue();
    if (s.isEmpty()) {
      return null;
    }
    if (s.length() > maxLength) {
      throw new ApiException(
          ErrorCode.MALFORMED_REQUEST, field + " is longer than " + maxLength + " characters");
    }
    return s;
  }

  private static String contentType(JsonNode body) {
    String ct = optionalString(body, "contentType", 255);
    if (ct != null) {
      for (int i = 0; i < ct.length(); i++) {
        char c = ct.charAt(i);
        if (c < 0x20 || c >= 0x7f) {
          throw new ApiException(
              ErrorCode.MALFORMED_REQUEST, "contentType must be printable ASCII");
        }
      }
    }
    return ct;
  }

  private static String sha256(JsonNode body) {
    String sha = optionalString(body, "sha256", 64);
    if (sha == null) {
      return null;
    }
    sha = sha.toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(sha).matches()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "sha256 must be 64 hexadecimal digits");
    }
    return sha;
  }

  private static String uploadId(JsonNode body) {
    JsonNode n = body.get("uploadId");
    if (n == null || !n.isTextual() || n.textValue().isEmpty()) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "uploadId must be a non-empty string");
    }
    String id = n.textValue();
    if (id.length() > 1024 || StorePatterns.hasControl(id)) {
      throw new ApiException(ErrorCode.MALFORMED_REQUEST, "uploadId is malformed");
    }
    return id;
  }

  private static int partNumber(JsonNode n) {
    if (n == null
        || !n.isIntegralNumber()
        || n.longValue() < 1
        || n.longValue() > MAX_PART_NUMBER) {
      throw new ApiException(
          ErrorCode.MALFORMED_REQUEST, "partNumber must be an integer from 1 to 10000");
    }
    return n.intValue();
  }

  private void signUpload(Context ctx) throws IOException {
    Call c = call(ctx);
    String contentType = contentType(c.body());
    String sha = sha256(c.body());
    long length = -1;
    JsonNode len = c.body().get("contentLength");
    if (len != null && !len.isNull()) {
      if (!len.isIntegralNumber() || len.longValue() < 0 || !len.canConvertToLong()) {
        throw new ApiException(
            ErrorCode.MALFORMED_REQUEST, "contentLength must be a non-negative integer");
      }
      length = len.longValue();
      if (length > settings.maxObjectBytes()) {
        throw new ApiException(
            ErrorCode.PAYLOAD_TOO_LARGE,
            "contentLength is larger than the limit of " + settings.maxObjectBytes() + " bytes");
      }
    }
    StorageBackend.Signed s =
        backend.signUpload(origin(ctx), c.key(), contentType, length, sha, ttl(c.body()));
    ctx.contentType(JSON).result(signed(s, true));
  }

  private void signDownload(Context ctx) throws IOException {
    Call c = call(ctx);
    StorageBackend.Signed s = backend.signDownload(origin(ctx), c.key(), ttl(c.body()));
    ctx.contentType(JSON).result(signed(s, false));
  }

  private void delete(Context ctx) throws IOException {
    Call c = call(ctx);
    storage(() -> backend.delete(c.key()));
    ctx.status(204);
  }

  private void multipartCreate(Context ctx) throws IOException {
    Call c = call(ctx);
    String contentType = contentType(c.body());
    String id = storage(() -> backend.createMultipart(c.key(), contentType));
    ctx.contentType(JSON)
        .result(
            Json.write(
                g -> {
                  g.writeStartObject();
                  g.writeStringField("uploadId", id);
                  g.writeEndObject();
                }));
  }

  private void multipartSignParts(Context ctx) throws IOException {
    Call c = call(ctx);
    String uploadId = uploadId(c.body());
    JsonNode numbers = c.body().get("partNumbers");
    if (numbers == null
        || !numbers.isArray()
        || numbers.isEmpty()
        || numbers.size() > MAX_PARTS_PER_SIGN) {
      throw new ApiException(
          ErrorCode.MALFORMED_REQUEST,
          "partNumbers must be an array of 1 to " + MAX_PARTS_PER_SIGN + " part numbers");
    }
    List<Integer> parts = new ArrayList<>(numbers.size());
    Set<Integer> seen = new HashSet<>();
    for (JsonNode n : numbers) {
      int p = partNumber(n);
      if (seen.add(p)) {
        parts.add(p);
      }
    }
    // only uploads that exist (for this key) get part URLs: listing them checks both
    storage(() -> backend.listParts(c.key(), uploadId));
    List<StorageBackend.Signed> signed =
        storage(() -> backend.signParts(origin(ctx), c.key(), uploadId, parts, ttl(c.body())));
    ctx.contentType(JSON)
        .result(
            Json.write(
                g -> {
                  g.writeStartObject();
                  g.writeArrayFieldStart("parts");
                  for (int i = 0; i < signed.size(); i++) {
                    StorageBackend.Signed s = signed.get(i);
                    g.writeStartObject();
                    g.writeNumberField("partNumber", parts.get(i));
                    writeSigned(g, s, true);
                    g.writeEndObject();
                  }
                  g.writeEndArray();
                  g.writeEndObject();
                }));
  }

  private void multipartListParts(Context ctx) throws IOException {
    Call c = call(ctx);
    String uploadId = uploadId(c.body());
    List<PartInfo> parts = storage(() -> backend.listParts(c.key(), uploadId));
    ctx.contentType(JSON)
        .result(
            Json.write(
                g -> {
                  g.writeStartObject();
                  g.writeArrayFieldStart("parts");
                  for (PartInfo p : parts) {
                    g.writeStartObject();
                    g.writeNumberField("partNumber", p.partNumber());
                    g.writeStringField("etag", p.etag());
                    g.writeNumberField("size", p.size());
                    g.writeEndObject();
                  }
                  g.writeEndArray();
                  g.writeEndObject();
                }));
  }

  private void multipartComplete(Context ctx) throws IOException {
    Call c = call(ctx);
    String uploadId = uploadId(c.body());
    String sha = sha256(c.body());
    JsonNode list = c.body().get("parts");
    if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_PART_NUMBER) {
      throw new ApiException(
          ErrorCode.MALFORMED_REQUEST, "parts must be an array of 1 to 10000 parts");
    }
    List<PartInfo> parts = new ArrayList<>(list.size());
    int last = 0;
    for (JsonNode p : list) {
      if (!p.isObject()) {
        throw new ApiException(ErrorCode.MALFORMED_REQUEST, "each part must be {partNumber, etag}");
      }
      int number = partNumber(p.get("partNumber"));
      if (number <= last) {
        throw new ApiException(
            ErrorCode.MALFORMED_REQUEST, "parts must be in strictly ascending partNumber order");
      }
      last = number;
      JsonNode etag = p.get("etag");
      if (etag == null || !etag.isTextual() || etag.textValue().isEmpty()) {
        throw new ApiException(ErrorCode.MALFORMED_REQUEST, "each part needs an etag string");
      }
      parts.add(new PartInfo(number, unquote(etag.textValue()), -1));
    }
    // The parts are each within the limit; their sum must be too.
    long total = 0;
    Map<Integer, Long> sizes = new HashMap<>();
    for (PartInfo p : storage(() -> backend.listParts(c.key(), uploadId))) {
      sizes.put(p.partNumber(), p.size());
    }
    for (PartInfo p : parts) {
      total += sizes.getOrDefault(p.partNumber(), 0L);
    }
    if (total > settings.maxObjectBytes()) {
      throw new ApiException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "the parts add up to more than the limit of " + settings.maxObjectBytes() + " bytes");
    }
    BlobInfo info = storage(() -> backend.completeMultipart(c.key(), uploadId, parts, sha));
    if (info.size() > settings.maxObjectBytes()) {
      // a part replaced between the check above and the join: refuse the result
      storage(() -> backend.delete(c.key()));
      throw new ApiException(
          ErrorCode.PAYLOAD_TOO_LARGE,
          "the object is larger than the limit of " + settings.maxObjectBytes() + " bytes");
    }
    ctx.contentType(JSON)
        .result(
            Json.write(
                g -> {
                  g.writeStartObject();
                  g.writeStringField("key", info.key());
                  g.writeStringField("etag", info.etag());
                  g.writeNumberField("size", info.size());
                  g.writeEndObject();
                }));
  }

  private void multipartAbort(Context ctx) throws IOException {
    Call c = call(ctx);
    String uploadId = uploadId(c.body());
    storage(() -> backend.abortMultipart(c.key(), uploadId));
    ctx.status(204);
  }

  private static byte[] signed(StorageBackend.Signed s, boolean withMethod) {
    return Json.write(
        g -> {
          g.writeStartObject();
          writeSigned(g, s, withMethod);
          g.writeEndObject();
        });
  }

  private static void writeSigned(
      com.fasterxml.jackson.core.JsonGenerator g, StorageBackend.Signed s, boolean withMethod)
      throws IOException {
    if (withMethod) {
      g.writeStringField("method", s.method());
    }
    g.writeStringField("url", s.url().toString());
    if (s.headers() != null && !s.headers().isEmpty()) {
      g.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> h : s.headers().entrySet()) {
        g.writeStringField(h.getKey(), h.getValue());
      }
      g.writeEndObject();
    }
    g.writeStringField("expiresAt", s.expiresAt().toString());
  }

  /** A storage call that may be refused. */
  @FunctionalInterface
  private interface StorageCall<T> {
    T call() throws IOException;
  }

  /** A storage call without a result. */
  @FunctionalInterface
  private interface StorageRun {
    void run() throws IOException;
  }

  private static <T> T storage(StorageCall<T> call) throws IOException {
    try {
      return call.call();
    } catch (BlobStoreException e) {
      throw refusal(e);
    }
  }

  private static void storage(StorageRun run) throws IOException {
    try {
      run.run();
    } catch (BlobStoreException e) {
      throw refusal(e);
    }
  }

  private static ApiException refusal(BlobStoreException e) {
    ErrorCode code =
        switch (e.kind()) {
          case TOO_LARGE -> ErrorCode.PAYLOAD_TOO_LARGE;
          case CHECKSUM_MISMATCH -> ErrorCode.CHECKSUM_MISMATCH;
          case INCOMPLETE_BODY -> ErrorCode.INCOMPLETE_BODY;
          case NO_SUCH_UPLOAD -> ErrorCode.NO_SUCH_UPLOAD;
          case BAD_PART -> ErrorCode.INVALID_PART;
          case BAD_RANGE -> ErrorCode.RANGE_NOT_SATISFIABLE;
        };
    return new ApiException(code, e.getMessage() == null ? code.code() : e.getMessage());
  }

  // --- data plane (gateway mode) ---------------------------------------------------------------

  /** The decoded, checked key of a data-plane request. */
  private String objectKey(Context ctx) {
    String raw = ctx.req().getRequestURI();
    String prefix = settings.filesBasePath() + "/";
    if (raw == null || !raw.startsWith(prefix)) {
      throw new ApiException(ErrorCode.INVALID_KEY, "the path is not under the files base");
    }
    return Keys.check(Keys.decodePath(raw.substring(prefix.length())));
  }

  private static String single(Context ctx, String name) {
    List<String> values = ctx.queryParams(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw new ApiException(
          ErrorCode.SIGNATURE_MISMATCH, "the " + name + " parameter is repeated");
    }
    return values.get(0);
  }

  /** Whether the request carries a signature at all ({@code exp} or {@code sig}). */
  private static boolean hasSignature(Context ctx) {
    return !ctx.queryParams("sig").isEmpty() || !ctx.queryParams("exp").isEmpty();
  }

  /**
   * Checks the request's signature against the claims it makes; returns the claims.
   *
   * @throws ApiException 401 without {@code exp} and {@code sig}, 403 when it does not verify
   */
  private GatewaySignature.Claims verify(Context ctx, String method, String key, boolean part) {
    String exp = single(ctx, "exp");
    String sig = single(ctx, "sig");
    if (exp == null || sig == null) {
      throw new ApiException(
          ErrorCode.UNAUTHORIZED, "a signed URL (exp and sig) or a bearer token is required");
    }
    if (!DIGITS.matcher(exp).matches()) {
      throw new ApiException(ErrorCode.SIGNATURE_MISMATCH, "exp is not Unix seconds");
    }
    String uploadId = single(ctx, "uploadId");
    String partText = single(ctx, "partNumber");
    if ((uploadId == null) != (partText == null) || (uploadId != null && !part)) {
      throw new ApiException(
          ErrorCode.SIGNATURE_MISMATCH, "uploadId and partNumber go together, on PUT only");
    }
    int partNumber = 0;
    if (uploadId != null) {
      if (!DIGITS.matcher(partText).matches()
          || Long.parseLong(partText) < 1
          || Long.parseLong(partText) > MAX_PART_NUMBER) {
        throw new ApiException(
            ErrorCode.MALFORMED_REQUEST, "partNumber must be an integer from 1 to 10000");
      }
      partNumber = Integer.parseInt(partText);
    }
    String sha = single(ctx, "sha256");
    String len = single(ctx, "len");
    String type = single(ctx, "type");
    if ((sha != null || len != null || type != null) && (uploadId != null || !part)) {
      throw new ApiException(
          ErrorCode.SIGNATURE_MISMATCH, "sha256, len and type are only signed on object uploads");
    }
    if (len != null && !DIGITS.matcher(len).matches()) {
      throw new ApiException(ErrorCode.SIGNATURE_MISMATCH, "len is not a length");
    }
    // every signed field is checked for its shape before the MAC, so that no value can carry
    // another field's line into the signed message
    if (sha != null && !SHA256_HEX.matcher(sha).matches()) {
      throw new ApiException(ErrorCode.SIGNATURE_MISMATCH, "sha256 is not 64 lowercase hex digits");
    }
    if (type != null && !PRINTABLE.matcher(type).matches()) {
      throw new ApiException(ErrorCode.SIGNATURE_MISMATCH, "type is not a printable media type");
    }
    if (uploadId != null && !UPLOAD_ID_HEX.matcher(uploadId).matches()) {
      throw new ApiException(ErrorCode.SIGNATURE_MISMATCH, "uploadId is not an upload id");
    }
    GatewaySignature.Claims claims =
        new GatewaySignature.Claims(
            method,
            key,
            Long.parseLong(exp),
            uploadId,
            partNumber,
            sha,
            len == null ? -1 : Long.parseLong(len),
            type);
    switch (gateway.signature().verify(claims, sig)) {
      case VALID -> {
        return claims;
      }
      case EXPIRED -> throw new ApiException(ErrorCode.URL_EXPIRED, "the signed URL has expired");
      default ->
          throw new ApiException(
              ErrorCode.SIGNATURE_MISMATCH, "the signature does not match this request");
    }
  }

  private void objectPut(Context ctx) throws IOException {
    InputStream raw = ctx.req().getInputStream();
    try {
      put(ctx, raw);
    } catch (ApiException e) {
      drain(raw);
      throw e;
    }
  }

  private void put(Context ctx, InputStream raw) throws IOException {
    String key = objectKey(ctx);
    GatewaySignature.Claims claims = verify(ctx, "PUT", key, true);
    BlobStore store = gateway.store();
    long declared = ctx.req().getContentLengthLong();
    // a part is at most MAX_PART_BYTES: the S3 store holds one part in memory while it sends it
    long max =
        claims.uploadId() != null
            ? Math.min(settings.maxObjectBytes(), MAX_PART_BYTES)
            : settings.maxObjectBytes();
    if (declared > max) {
      throw new ApiException(
          ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit of " + max + " bytes");
    }
    CountingInputStream in = new CountingInputStream(raw);
    try {
      if (claims.uploadId() != null) {
        PartInfo part =
            storage(
                () ->
                    store.uploadPart(
                        key, claims.uploadId(), claims.partNumber(), in, declared, max));
        ctx.header("ETag", quote(part.etag()));
        ctx.status(200);
        return;
      }
      String requestType = ctx.header("Content-Type");
      if (claims.contentType() != null
          && (requestType == null || !requestType.trim().equalsIgnoreCase(claims.contentType()))) {
        throw new ApiException(
            ErrorCode.CONTENT_TYPE_MISMATCH,
            "Content-Type must be the one the upload was signed with");
      }
      long length = declared;
      long limit = max;
      if (claims.length() >= 0) {
        if (declared >= 0 && declared != claims.length()) {
          throw new ApiException(
              ErrorCode.CONTENT_LENGTH_MISMATCH,
              "Content-Length must be the one the upload was signed with: " + claims.length());
        }
        length = claims.length();
        limit = Math.min(max, claims.length());
      }
      String ifNoneMatch = ctx.header("If-None-Match");
      if (ifNoneMatch != null && ifNoneMatch.trim().equals("*") && store.head(key).isPresent()) {
        throw new ApiException(ErrorCode.PRECONDITION_FAILED, "an object exists under this key");
      }
      String storedType = claims.contentType() != null ? claims.contentType() : requestType;
      long finalLength = length;
      long finalLimit = limit;
      BlobInfo info =
          storage(
              () -> store.put(key, in, finalLength, finalLimit, storedType, claims.sha256Hex()));
      ctx.header("ETag", quote(info.etag()));
      ctx.status(200);
    } finally {
      ctx.attribute(IN_BYTES, in.count);
    }
  }

  private void objectGet(Context ctx) throws IOException {
    String key = objectKey(ctx);
    GatewaySignature.Claims claims = verify(ctx, "GET", key, false);
    BlobStore store = gateway.store();
    boolean head = ctx.method().name().equals("HEAD");
    String rangeHeader = ctx.header("Range");
    String ifNoneMatch = ctx.header("If-None-Match");
    Optional<BlobInfo> found = store.head(key);
    if (found.isEmpty()) {
      throw new ApiException(ErrorCode.NO_SUCH_KEY, "no object under this key");
    }
    BlobInfo info = found.get();
    HttpServletResponse res = ctx.res();
    long maxAge = Math.max(0, claims.exp() - gateway.signature().nowSeconds());
    res.setHeader("ETag", quote(info.etag()));
    res.setHeader("Accept-Ranges", "bytes");
    res.setHeader(
        "Last-Modified", HTTP_DATE.format(Instant.ofEpochMilli(info.lastModifiedMillis())));
    res.setHeader("Cache-Control", "private, max-age=" + maxAge + ", immutable");
    // stored bytes are data, never active content on this origin (the API's and the sync's)
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Content-Security-Policy", "sandbox; default-src 'none'");
    if (ifNoneMatch != null && etagMatches(ifNoneMatch, info.etag())) {
      res.setStatus(304);
      return;
    }
    ByteRange range = null;
    if (rangeHeader != null) {
      range = parseRange(rangeHeader, info.size());
      if (range == UNSATISFIABLE) {
        res.setHeader("Content-Range", "bytes */" + info.size());
        throw new ApiException(
            ErrorCode.RANGE_NOT_SATISFIABLE,
            "the range is outside the object's " + info.size() + " bytes");
      }
    }
    String type = info.contentType() != null ? info.contentType() : "application/octet-stream";
    if (head) {
      long length = range == null ? info.size() : range.last() - range.first() + 1;
      if (range != null) {
        res.setStatus(206);
        res.setHeader(
            "Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + info.size());
      } else {
        res.setStatus(200);
      }
      res.setContentType(type);
      res.setContentLengthLong(length);
      return;
    }
    ByteRange finalRange = range;
    Optional<Blob> opened;
    try {
      opened = storage(() -> store.get(key, finalRange));
    } catch (ApiException e) {
      if (e.code() == ErrorCode.RANGE_NOT_SATISFIABLE) {
        res.setHeader("Content-Range", "bytes */" + info.size());
      }
      throw e;
    }
    if (opened.isEmpty()) {
      throw new ApiException(ErrorCode.NO_SUCH_KEY, "no object under this key");
    }
    try (Blob blob = opened.get()) {
      BlobInfo now = blob.info();
      res.setHeader("ETag", quote(now.etag()));
      if (range != null) {
        res.setStatus(206);
        res.setHeader(
            "Content-Range",
            "bytes " + blob.first() + "-" + (blob.first() + blob.length() - 1) + "/" + now.size());
      } else {
        res.setStatus(200);
      }
      res.setContentType(
          now.contentType() != null ? now.contentType() : "application/octet-stream");
      res.setContentLengthLong(blob.length());
      OutputStream out = res.getOutputStream();
      byte[] buffer = new byte[BUFFER];
      long written = 0;
      int n;
      try {
        while ((n = blob.body().read(buffer)) != -1) {
          out.write(buffer, 0, n);
          written += n;
        }
        out.flush();
      } finally {
        ctx.attribute(OUT_BYTES, written);
      }
    }
  }

  private void objectDelete(Context ctx) throws IOException {
    String key = objectKey(ctx);
    if (hasSignature(ctx)) {
      verify(ctx, "DELETE", key, false);
    } else {
      KeyGrants grants = authenticate(ctx);
      if (grants == null) {
        throw new ApiException(
            ErrorCode.UNAUTHORIZED, "a signed URL (exp and sig) or a bearer token is required");
      }
      if (!grants.allows(key)) {
        throw new ApiException(ErrorCode.FORBIDDEN, "the token does not grant this key");
      }
    }
    gateway.store().delete(key);
    ctx.status(204);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

  /**
   * Parses a single {@code bytes=} range against the object's size: null to serve the whole object
   * (no range, several ranges, or a syntax we ignore as RFC 9110 allows), {@link #UNSATISFIABLE},
   * or the inclusive range.
   */
  static ByteRange parseRange(String header, long size) {
    Matcher m = RANGE.matcher(header.trim());
    if (!m.matches()) {
      return null;
    }
    String a = m.group(1);
    String b = m.group(2);
    if (a.isEmpty() && b.isEmpty()) {
      return null;
    }
    if (a.isEmpty()) {
      long suffix = Long.parseLong(b);
      if (suffix == 0 || size == 0) {
        return UNSATISFIABLE;
      }
      return new ByteRange(Math.max(0, size - suffix), size - 1);
    }
    long first = Long.parseLong(a);
    long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
    if (!b.isEmpty() && last < first) {
      return null;
    }
    if (first >= size) {
      return UNSATISFIABLE;
    }
    return new ByteRange(first, Math.min(last, size - 1));
  }

  private static boolean etagMatches(String header, String etag) {
    if (header.trim().equals("*")) {
      return true;
    }
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (unquote(c).equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static String quote(String etag) {
    return "\"" + etag + "\"";
  }

  private static String unquote(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1)
        : etag;
  }

  /**
   * Reads and drops what is left of a refused body, up to a bound, so that the client gets the
   * answer instead of a reset connection; a larger body just gets the connection closed.
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

  /** Counts the bytes read through it. */
  private static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += Math.max(0, s);
      return s;
    }
  }
}
