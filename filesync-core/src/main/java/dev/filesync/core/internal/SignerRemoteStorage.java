package dev.filesync.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorageException;
import dev.filesync.core.TransferListener;
import dev.filesync.store.FileSyncException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link RemoteStorage} over the signer API of a FileSync server (or any server speaking the
 * reference's signer contract): each transfer is signed by {@code POST {base}/v1/sign/upload} or
 * {@code /v1/sign/download} with a bearer token, then sent to the returned URL with the returned
 * method and headers. Gateway and signer mode look the same from here.
 *
 * <p>One {@link HttpClient} (HTTP/1.1) per instance; {@link #close()} shuts it down at once,
 * failing transfers in flight.
 */
public final class SignerRemoteStorage implements RemoteStorage {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUFFER_SIZE = 64 * 1024;
  private static final int MAX_ERROR_BODY = 8 * 1024;
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]{1,200})</Code>");
  private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]{1,500})</Message>");

  private final String base;
  private final Supplier<String> token;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final java.util.concurrent.ExecutorService httpExecutor;

  /**
   * A client.
   *
   * @param signerBaseUrl the signer API base, such as {@code http://127.0.0.1:8787/api}; trailing
   *     slashes are ignored
   * @param token the bearer token, read before each signer request; {@code null} or blank sends no
   *     {@code Authorization}
   * @param connectTimeout how long to wait for a connection
   * @param requestTimeout how long a signer request may take, and how long a transfer may go
   *     without moving bytes or without an answer
   */
  public SignerRemoteStorage(
      URI signerBaseUrl, Supplier<String> token, Duration connectTimeout, Duration requestTimeout) {
    Objects.requireNonNull(signerBaseUrl, "signerBaseUrl");
    String scheme = signerBaseUrl.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || signerBaseUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "signerBaseUrl must be an absolute http(s) URL: " + signerBaseUrl);
    }
    if (signerBaseUrl.getRawQuery() != null || signerBaseUrl.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "signerBaseUrl must have no query or fragment: " + signerBaseUrl);
    }
    this.base = signerBaseUrl.toString().replaceAll("/+$", "");
    this.token = Objects.requireNonNull(token, "token");
    this.requestTimeout = positive(requestTimeout, "requestTimeout");
    // Completions of sendAsync run on this executor, not the common ForkJoin pool (one thread on
    // 2 cores, which application code may keep busy and so stall every transfer).
    this.httpExecutor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    this.http =
        HttpClient.newBuilder()
            .executor(httpExecutor)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(positive(connectTimeout, "connectTimeout"))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  @Override
  public void upload(
      String key,
      Path source,
      long size,
      String sha256Hex,
      String contentType,
      TransferListener progress)
      throws FileSyncException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(progress, "progress");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative: " + size);
    }
    long actualSize;
    try {
      actualSize = Files.size(source);
    } catch (IOException e) {
      throw new FileSyncException("cannot read the upload source " + source + ": " + e, e);
    }
    if (actualSize != size) {
      throw new FileSyncException(
          "the upload source " + source + " has " + actualSize + " bytes, not " + size);
    }

    ObjectNode body = JSON.createObjectNode().put("key", key).put("contentLength", size);
    if (sha256Hex != null) {
      body.put("sha256", sha256Hex);
    }
    if (contentType != null && !contentType.isEmpty()) {
      body.put("contentType", contentType);
    }
    JsonNode signed = sign("/v1/sign/upload", body, key);
    String method = text(signed, "method");
    if (!"PUT".equals(method) && !"POST".equals(method)) {
      throw new RemoteStorageException(
          "the signer answered an unusable upload method " + method + " for " + key,
          key,
          0,
          false,
          null);
    }

    AtomicLong sent = new AtomicLong();
    BodyPublisher publisher;
    if (size == 0) {
      publisher = BodyPublishers.ofByteArray(new byte[0]);
    } else {
      // a fixed length, so the bound Content-Length is sent rather than chunked encoding
      publisher =
          BodyPublishers.fromPublisher(
              BodyPublishers.ofInputStream(() -> openCounting(source, size, sent, progress)), size);
    }
    HttpRequest request = transfer(signed, key).method(method, publisher).build();
    CompletableFuture<HttpResponse<InputStream>> future =
        http.sendAsync(request, BodyHandlers.ofInputStream());
    HttpResponse<InputStream> response = await(future, sent, key, "upload");
    try (InputStream in = response.body()) {
      if (!ok(response.statusCode())) {
        throw refusal("upload of " + key, key, response.statusCode(), in);
      }
    } catch (FileSyncException e) {
      throw e;
    } catch (IOException e) {
      throw noAnswer("upload of " + key, key, e);
    }
    progress.progress(size, size);
  }

  private static InputStream openCounting(
      Path source, long size, AtomicLong sent, TransferListener progress) {
    try {
      sent.set(0); // a retried body starts again
      return new CountingInputStream(Files.newInputStream(source), size, sent, progress);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long download(String key, Path target, TransferListener progress)
      throws FileSyncException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(progress, "progress");
    JsonNode signed = sign("/v1/sign/download", JSON.createObjectNode().put("key", key), key);
    HttpRequest request = transfer(signed, key).GET().build();
    AtomicLong received = new AtomicLong();
    HttpResponse<InputStream> response =
        await(http.sendAsync(request, BodyHandlers.ofInputStream()), received, key, "download");
    try (InputStream in = response.body()) {
      int status = response.statusCode();
      if (!ok(status)) {
        throw refusal("download of " + key, key, status, in);
      }
      long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      long done = copy(in, target, total, key, progress);
      if (total >= 0 && done != total) {
        throw new RemoteStorageException(
            "download of " + key + " ended after " + done + " of " + total + " bytes",
            key,
            status,
            true,
            null);
      }
      progress.progress(done, total >= 0 ? total : done);
      return done;
    } catch (FileSyncException e) {
      throw e;
    } catch (IOException e) {
      throw noAnswer("download of " + key, key, e);
    }
  }

  /** Copies the body into {@code target}, telling apart network reads and local writes. */
  private static long copy(
      InputStream in, Path target, long total, String key, TransferListener progress)
      throws FileSyncException {
    byte[] buffer = new byte[BUFFER_SIZE];
    long done = 0;
    OutputStream out;
    try {
      out =
          Files.newOutputStream(
              target,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new FileSyncException("cannot write the download of " + key + " to " + target, e);
    }
    try (out) {
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw noAnswer("download of " + key, key, e);
        }
        if (n < 0) {
          break;
        }
        if (Thread.currentThread().isInterrupted()) {
          throw interrupted("download of " + key, key, null);
        }
        try {
          out.write(buffer, 0, n);
        } catch (IOException e) {
          throw new FileSyncException("cannot write the download of " + key + " to " + target, e);
        }
        done += n;
        progress.progress(done, total);
      }
    } catch (FileSyncException e) {
      throw e;
    } catch (IOException e) {
      throw new FileSyncException("cannot write the download of " + key + " to " + target, e);
    }
    return done;
  }

  @Override
  public void delete(String key) throws FileSyncException {
    Objects.requireNonNull(key, "key");
    HttpResponse<InputStream> response =
        post("/v1/delete", JSON.createObjectNode().put("key", key), key, requestTimeout);
    try (InputStream in = response.body()) {
      int status = response.statusCode();
      if (!ok(status) && status != 404) {
        throw refusal("delete of " + key, key, status, in);
      }
    } catch (FileSyncException e) {
      throw e;
    } catch (IOException e) {
      throw noAnswer("delete of " + key, key, e);
    }
  }

  @Override
  public URI downloadUrl(String key) throws FileSyncException {
    Objects.requireNonNull(key, "key");
    JsonNode signed = sign("/v1/sign/download", JSON.createObjectNode().put("key", key), key);
    try {
      return new URI(text(signed, "url"));
    } catch (java.net.URISyntaxException e) {
      throw new RemoteStorageException(
          "the signer answered an unusable URL for " + key, key, 0, false, e);
    }
  }

  @Override
  public boolean healthy() {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base + "/health"))
              .timeout(shorter(requestTimeout, HEALTH_TIMEOUT))
              .GET();
      authorize(b);
      HttpResponse<Void> r = http.send(b.build(), BodyHandlers.discarding());
      return ok(r.statusCode());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Shuts the HTTP client down at once; transfers in flight fail. Idempotent. */
  @Override
  public void close() {
    http.shutdownNow();
    httpExecutor.shutdownNow();
  }

  @Override
  public String toString() {
    return "SignerRemoteStorage[" + base + "]";
  }

  // ---- signer calls

  private JsonNode sign(String path, ObjectNode body, String key) throws FileSyncException {
    HttpResponse<InputStream> response = post(path, body, key, requestTimeout);
    try (InputStream in = response.body()) {
      if (!ok(response.statusCode())) {
        throw refusal("signing " + path + " for " + key, key, response.statusCode(), in);
      }
      JsonNode json;
      try {
        json = JSON.readTree(in);
      } catch (JsonProcessingException e) {
        json = null;
      }
      if (json == null || !json.isObject() || text(json, "url") == null) {
        throw new RemoteStorageException(
            "the signer's answer to " + path + " for " + key + " has no url",
            key,
            response.statusCode(),
            false,
            null);
      }
      return json;
    } catch (IOException e) {
      if (e instanceof FileSyncException fse) {
        throw fse;
      }
      throw noAnswer("signing " + path + " for " + key, key, e);
    }
  }

  private HttpResponse<InputStream> post(String path, ObjectNode body, String key, Duration timeout)
      throws FileSyncException {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(BodyPublishers.ofByteArray(json));
    authorize(b);
    try {
      return http.send(b.build(), BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      throw interrupted(path + " for " + key, key, e);
    } catch (IOException e) {
      throw noAnswer(path + " for " + key, key, e);
    } catch (IllegalStateException e) {
      throw closed(key, e);
    }
  }

  private void authorize(HttpRequest.Builder b) {
    String t = token.get();
    if (t != null && !t.isBlank()) {
      b.header("Authorization", "Bearer " + t);
    }
  }

  // ---- transfers

  /** A request to a signed URL with the signed headers, minus those java.net.http sets itself. */
  private static HttpRequest.Builder transfer(JsonNode signed, String key)
      throws RemoteStorageException {
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(new URI(text(signed, "url")));
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new RemoteStorageException(
          "the signer answered an unusable URL for " + key, key, 0, false, e);
    }
    JsonNode headers = signed.get("headers");
    if (headers != null && headers.isObject()) {
      for (Map.Entry<String, JsonNode> h : headers.properties()) {
        String name = h.getKey().toLowerCase(Locale.ROOT);
        if (name.equals("host") || name.equals("content-length") || !h.getValue().isTextual()) {
          continue;
        }
        try {
          b.header(h.getKey(), h.getValue().textValue());
        } catch (IllegalArgumentException e) {
          throw new RemoteStorageException(
              "the signer answered a header java.net.http cannot send: " + h.getKey(),
              key,
              0,
              false,
              e);
        }
      }
    }
    return b;
  }

  /**
   * Waits for the answer to a transfer, giving up when {@code moved} has not changed for the
   * request timeout; an interrupt cancels the exchange.
   */
  private <T> HttpResponse<T> await(
      CompletableFuture<HttpResponse<T>> future, AtomicLong moved, String key, String what)
      throws FileSyncException {
    long nanos = requestTimeout.toNanos();
    long seen = moved.get();
    while (true) {
      try {
        return future.get(nanos, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        long now = moved.get();
        if (now == seen) {
          future.cancel(true);
          throw new RemoteStorageException(
              what + " of " + key + " made no progress for " + requestTimeout, key, 0, true, null);
        }
        seen = now;
      } catch (InterruptedException e) {
        future.cancel(true);
        throw interrupted(what + " of " + key, key, e);
      } catch (CancellationException e) {
        throw closed(key, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UncheckedIOException u
            && u.getCause() instanceof java.nio.file.NoSuchFileException) {
          throw new FileSyncException("the upload source is gone: " + u.getCause(), u.getCause());
        }
        if (cause instanceof IllegalStateException ise) {
          throw closed(key, ise);
        }
        throw noAnswer(what + " of " + key, key, cause);
      }
    }
  }

  // ---- errors

  private static boolean ok(int status) {
    return status >= 200 && status < 300;
  }

  /** Whether trying again later may help with an answer of {@code status}. */
  static boolean retryable(int status) {
    return status >= 500 || status == 408 || status == 429 || status == 0;
  }

  private static RemoteStorageException refusal(String what, String key, int status, InputStream in)
      throws IOException {
    byte[] head = in.readNBytes(MAX_ERROR_BODY);
    String detail = errorDetail(new String(head, StandardCharsets.UTF_8));
    return new RemoteStorageException(
        what + " refused: HTTP " + status + (detail == null ? "" : " " + detail),
        key,
        status,
        retryable(status),
        null);
  }

  /**
   * The code and message of our JSON error ({@code {"error":{"code","message"}}}) or of an S3 XML
   * error, or {@code null}.
   */
  static String errorDetail(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    String trimmed = body.strip();
    if (trimmed.startsWith("{")) {
      try {
        JsonNode error = JSON.readTree(trimmed).path("error");
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        if (!code.isEmpty() || !message.isEmpty()) {
          return code + (message.isEmpty() ? "" : ": " + message);
        }
      } catch (JsonProcessingException e) {
        return null;
      }
      return null;
    }
    Matcher code = XML_CODE.matcher(trimmed);
    if (code.find()) {
      Matcher message = XML_MESSAGE.matcher(trimmed);
      return code.group(1) + (message.find() ? ": " + message.group(1) : "");
    }
    return null;
  }

  private static RemoteStorageException noAnswer(String what, String key, Throwable cause) {
    if (cause instanceof InterruptedIOException
        || cause instanceof InterruptedException
        || (cause != null && cause.getCause() instanceof InterruptedException)
        || Thread.currentThread().isInterrupted()) {
      return interrupted(what, key, cause);
    }
    return new RemoteStorageException(what + " failed, no answer: " + cause, key, 0, true, cause);
  }

  private static RemoteStorageException interrupted(String what, String key, Throwable cause) {
    Thread.currentThread().interrupt();
    return new RemoteStorageException(what + " interrupted", key, 0, true, cause);
  }

  private static RemoteStorageException closed(String key, Throwable cause) {
    return new RemoteStorageException("the remote storage client is closed", key, 0, true, cause);
  }

  private static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * Counts bytes read (never more than {@code limit}) and reports them as upload progress; read by
   * the HTTP client's threads, one read at a time.
   */
  private static final class CountingInputStream extends FilterInputStream {
    private final long limit;
    private final AtomicLong count;
    private final TransferListener progress;

    CountingInputStream(InputStream in, long limit, AtomicLong count, TransferListener progress) {
      super(in);
      this.limit = limit;
      this.count = count;
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long left = limit - count.get();
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        long done = count.addAndGet(n);
        if (done < limit) {
          progress.progress(done, limit);
        }
      }
      return n;
    }
  }
}
