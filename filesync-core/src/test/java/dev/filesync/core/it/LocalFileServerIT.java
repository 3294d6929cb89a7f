package dev.filesync.core.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.filesync.core.DisplayState;
import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.LocalFileServer;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorages;
import dev.filesync.core.TransferListener;
import dev.filesync.core.internal.Rows;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.FileSyncException;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local endpoint of device B serves files that device A saved and uploaded through a real
 * {@link FileSyncServer} (gateway mode), before B's engine downloaded them: B's engine is paused,
 * so the bytes can only come through the endpoint, which streams them from remote storage, verifies
 * them and keeps them as B's local copy.
 */
class LocalFileServerIT {
  static final String TOKEN = "it-token";
  static final String STORE = "endpoint-store";
  static final Duration SETTLE = Duration.ofSeconds(60);

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  FileSyncServer server;
  RealDevice a;

  // device B: its remote storage can be told to hand out other URLs
  Store storeB;
  RedirectingStorage remoteB;
  FileSync filesB;
  LocalFileServer endpoint;

  @BeforeEach
  void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(dir.resolve("server"))
                    .token(TOKEN, List.of("*"))
                    .build())
            .start();
    open.add(server);
    // B first, paused before any file exists: its engine never starts a download in this test
    Path dataB = dir.resolve("b");
    storeB =
        Store.open(
            StoreConfig.builder(dataB, STORE, FileSyncSchema.schema())
                .syncBackend(HttpSyncBackend.builder(server.baseUri()).token(TOKEN).build())
                .pullWait(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .build());
    open.add(storeB);
    remoteB =
        new RedirectingStorage(
            RemoteStorages.signer(server.baseUri().resolve("/api"), () -> TOKEN));
    open.add(remoteB);
    filesB = FileSync.builder(storeB, dataB).remote(remoteB).start();
    filesB.pause();
    open.add(filesB);
    endpoint = LocalFileServer.builder(filesB).start();
    open.add(endpoint);
    a = new RealDevice(dir.resolve("a"), server.baseUri(), TOKEN, STORE);
    open.add(a);
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A saves {@code bytes} and uploads them; returns once B knows the file is uploaded. */
  private String saveOnA(byte[] bytes, String name, String mime) throws Exception {
    String id = a.files.save(bytes, name, mime);
    a.awaitSettled(SETTLE);
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (!filesB.displayState(id).uploaded()) {
      assertThat(System.nanoTime()).as("B sees %s uploaded", id).isLessThan(deadline);
      storeB.awaitSynced(Duration.ofMillis(100));
    }
    return id;
  }

  private HttpResponse<byte[]> get(URI uri, String... headers) throws Exception {
    return send("GET", uri, headers);
  }

  private HttpResponse<byte[]> send(String method, URI uri, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private Rows.LocalState stateB(String id) {
    return Rows.state(storeB, id).orElseThrow();
  }

  private long tempFilesB() throws IOException {
    Path tmp = dir.resolve("b").resolve("livestore-filesync-files").resolve(".tmp");
    if (!Files.isDirectory(tmp)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(tmp)) {
      return s.count();
    }
  }

  @Test
  void aFileNotDownloadedYetIsStreamedFromRemoteStorageThenKeptVerified() throws Exception {
    byte[] bytes = new byte[3 * 1024 * 1024 + 5];
    new Random(11).nextBytes(bytes);
    String id = saveOnA(bytes, "photo.jpg", "image/jpeg");
    assertThat(filesB.localPath(id)).isEmpty();
    assertThat(stateB(id).downloadStatus()).isEqualTo("queued");
    assertThat(endpoint.resolve(id)).hasValue(endpoint.url(id));

    // a range must wait for the download; HEAD answers without the length
    HttpResponse<byte[]> range = get(endpoint.url(id), "Range", "bytes=100-199");
    assertThat(range.statusCode()).isEqualTo(503);
    assertThat(range.headers().firstValue("Retry-After")).hasValue("2");
    HttpResponse<byte[]> head = send("HEAD", endpoint.url(id));
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("ETag")).hasValue("\"" + sha256(bytes) + "\"");
    assertThat(filesB.localPath(id)).isEmpty();
    assertThat(remoteB.urls.get()).isZero();

    HttpResponse<byte[]> r = get(endpoint.url(id), "Range", "bytes=0-"); // as <video> asks
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(sha256(r.body())).isEqualTo(sha256(bytes));
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    assertThat(r.headers().firstValue("ETag")).hasValue("\"" + sha256(bytes) + "\"");
    assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(bytes.length));
    assertThat(remoteB.urls.get()).isEqualTo(1);

    // kept before the client had its last bytes, and recorded by B's (paused) engine
    Path local = filesB.localPath(id).orElseThrow();
    assertThat(sha256(Files.readAllBytes(local))).isEqualTo(sha256(bytes));
    assertThat(filesB.awaitIdle(SETTLE)).isTrue();
    DisplayState state = filesB.displayState(id);
    assertThat(state.hasLocalCopy()).isTrue();
    assertThat(state.queued()).isFalse();
    assertThat(state.downloading()).isFalse();
    assertThat(stateB(id).downloadStatus()).isEqualTo("done");
    assertThat(stateB(id).localHash()).isEqualTo(sha256(bytes));
    assertThat(tempFilesB()).isZero();

    // now local: served from disk, ranges included, remote storage untouched
    HttpResponse<byte[]> part = get(endpoint.url(id), "Range", "bytes=100-199");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 200));
    assertThat(get(endpoint.url(id)).body()).isEqualTo(bytes);
    assertThat(remoteB.urls.get()).isEqualTo(1);

    // the engine, resumed, has nothing to download
    filesB.resume();
    assertThat(filesB.awaitIdle(SETTLE)).isTrue();
    assertThat(remoteB.downloads.get()).isZero();
    assertThat(filesB.status().downloads().get("done")).isEqualTo(1L);
  }

  @Test
  void wrongBytesFromRemoteStorageAreNotKept() throws Exception {
    byte[] wanted = new byte[200_000];
    new Random(1).nextBytes(wanted);
    byte[] other = "some other object".getBytes(UTF_8);
    String id = saveOnA(wanted, "wanted.bin", "application/octet-stream");
    String otherId = saveOnA(other, "other.txt", "text/plain");
    String otherKey = Rows.file(storeB, otherId).orElseThrow().remoteKey();

    // remote storage hands out the URL of another object
    remoteB.redirect.set(key -> otherKey);
    assertThatThrownBy(() -> get(endpoint.url(id))).isInstanceOf(IOException.class);
    assertThat(filesB.localPath(id)).isEmpty();
    assertThat(stateB(id).downloadStatus()).isEqualTo("queued");
    assertThat(tempFilesB()).isZero();

    // an object that does not exist: a bad gateway, nothing kept
    remoteB.redirect.set(key -> key.substring(0, key.lastIndexOf('/') + 1) + "0".repeat(64));
    assertThat(get(endpoint.url(id)).statusCode()).isEqualTo(502);
    assertThat(filesB.localPath(id)).isEmpty();

    remoteB.redirect.set(null);
    HttpResponse<byte[]> r = get(endpoint.url(id));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(wanted);
    assertThat(filesB.localPath(id)).isPresent();
  }

  @Test
  void aCutRemoteStreamKeepsNothingAndTheClientSeesATruncatedBody() throws Exception {
    byte[] bytes = new byte[500_000];
    new Random(2).nextBytes(bytes);
    String id = saveOnA(bytes, "cut.bin", "application/octet-stream");

    // a storage that promises every byte and sends half of them
    HttpServer cutting =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    cutting.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(200, bytes.length);
          ex.getResponseBody().write(bytes, 0, bytes.length / 2);
          ex.getResponseBody().flush();
          throw new IOException("cut (test)"); // the server drops the connection
        });
    cutting.start();
    try {
      URI cut = URI.create("http://127.0.0.1:" + cutting.getAddress().getPort() + "/object?sig=x");
      remoteB.url.set(cut);
      assertThatThrownBy(() -> get(endpoint.url(id))).isInstanceOf(IOException.class);
    } finally {
      cutting.stop(0);
    }
    assertThat(filesB.localPath(id)).isEmpty();
    assertThat(stateB(id).downloadStatus()).isEqualTo("queued");
    assertThat(tempFilesB()).isZero();

    // remote storage unreachable: 503, it will come
    remoteB.url.set(URI.create("http://127.0.0.1:" + freePort() + "/gone"));
    HttpResponse<byte[]> down = get(endpoint.url(id));
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.headers().firstValue("Retry-After")).isPresent();

    remoteB.url.set(null);
    assertThat(get(endpoint.url(id)).body()).isEqualTo(bytes);
    assertThat(filesB.localPath(id)).isPresent();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * The signer storage, with control over the download URLs it hands out (another key, or any URL)
   * and counts of URLs and engine downloads.
   */
  static final class RedirectingStorage implements RemoteStorage {
    final RemoteStorage delegate;
    final AtomicReference<UnaryOperator<String>> redirect = new AtomicReference<>();
    final AtomicReference<URI> url = new AtomicReference<>();
    final AtomicInteger urls = new AtomicInteger();
    final AtomicInteger downloads = new AtomicInteger();

    RedirectingStorage(RemoteStorage delegate) {
      this.delegate = delegate;
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
      delegate.upload(key, source, size, sha256Hex, contentType, progress);
    }

    @Override
    public long download(String key, Path target, TransferListener progress)
        throws FileSyncException {
      downloads.incrementAndGet();
      return delegate.download(key, target, progress);
    }

    @Override
    public void delete(String key) throws FileSyncException {
      delegate.delete(key);
    }

    @Override
    public URI downloadUrl(String key) throws FileSyncException {
      urls.incrementAndGet();
      URI fixed = url.get();
      if (fixed != null) {
        return fixed;
      }
      UnaryOperator<String> r = redirect.get();
      return delegate.downloadUrl(r == null ? key : r.apply(key));
    }

    @Override
    public boolean healthy() {
      return delegate.healthy();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
