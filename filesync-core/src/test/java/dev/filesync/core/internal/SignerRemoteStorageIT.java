package dev.filesync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorageException;
import dev.filesync.core.RemoteStorages;
import dev.filesync.core.TransferListener;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.S3ProxyFixture;
import dev.filesync.server.ServerConfig;
import dev.filesync.server.StorageMode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SignerRemoteStorage} against a real {@link FileSyncServer} on {@code 127.0.0.1:0}, in
 * gateway mode (bytes through the server, filesystem blobs) and in signer mode (presigned URLs
 * straight to s3proxy).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StorageMode.class)
class SignerRemoteStorageIT {

  static final String TOKEN = "core-storage-token";
  static final String STORE = "user_42_main";

  @TempDir static Path data;
  static S3ProxyFixture s3;
  static FileSyncServer server;

  @Parameter StorageMode mode;
  @TempDir Path tmp;
  RemoteStorage remote;

  static ServerConfig.Builder config(StorageMode mode) throws IOException {
    ServerConfig.Builder b =
        ServerConfig.builder()
            .port(0)
            .dataDirectory(Files.createTempDirectory(data, mode.name()))
            .token(TOKEN, List.of("*"));
    if (mode == StorageMode.SIGNER) {
      if (s3 == null) {
        s3 = S3ProxyFixture.start();
      }
      b.storageMode(StorageMode.SIGNER).s3(s3.newBucket());
    }
    return b;
  }

  @BeforeParameterizedClassInvocation
  static void startServer(StorageMode mode) throws IOException {
    server = FileSyncServer.create(config(mode).build()).start();
  }

  @AfterParameterizedClassInvocation
  static void stopServer() {
    try {
      if (server != null) {
        server.close();
        server = null;
      }
    } finally {
      if (s3 != null) {
        s3.close();
        s3 = null;
      }
    }
  }

  static URI signerBase(FileSyncServer s) {
    return s.baseUri().resolve("/api");
  }

  @BeforeEach
  void open() {
    remote = RemoteStorages.signer(signerBase(server), () -> TOKEN);
  }

  @AfterEach
  void close() {
    remote.close();
  }

  Path file(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String key(byte[] bytes) {
    return STORE + "/" + sha256(bytes);
  }

  static RemoteStorageException remoteFailure(ThrowingRunnable r) {
    try {
      r.run();
    } catch (RemoteStorageException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a RemoteStorageException, got " + e, e);
    }
    throw new AssertionError("expected a RemoteStorageException");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Records progress calls. */
  static final class Recorder implements TransferListener {
    final List<long[]> calls = new CopyOnWriteArrayList<>();

    @Override
    public void progress(long bytesDone, long bytesTotal) {
      calls.add(new long[] {bytesDone, bytesTotal});
    }

    long[] last() {
      return calls.getLast();
    }

    boolean sawMidTransfer(long size) {
      return calls.stream().anyMatch(c -> c[0] > 0 && c[0] < size && c[1] == size);
    }

    boolean monotonic() {
      long prev = -1;
      for (long[] c : calls) {
        if (c[0] < prev) {
          return false;
        }
        prev = c[0];
      }
      return true;
    }
  }

  @Test
  void healthyWhileTheServerRuns() {
    assertThat(remote.healthy()).isTrue();
  }

  @Test
  void roundTripOfAFewMiBWithProgress() throws Exception {
    byte[] bytes = random(3 * 1024 * 1024 + 123, 1);
    String key = key(bytes);
    Path source = file("up", bytes);

    Recorder up = new Recorder();
    remote.upload(key, source, bytes.length, sha256(bytes), null, up);

    assertThat(up.sawMidTransfer(bytes.length)).isTrue();
    assertThat(up.monotonic()).isTrue();
    assertThat(up.last()).containsExactly(bytes.length, bytes.length);

    Recorder down = new Recorder();
    Path target = tmp.resolve("down");
    assertThat(remote.download(key, target, down)).isEqualTo(bytes.length);

    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    assertThat(down.sawMidTransfer(bytes.length)).isTrue();
    assertThat(down.monotonic()).isTrue();
    assertThat(down.last()).containsExactly(bytes.length, bytes.length);
  }

  @Test
  void downloadReplacesAnExistingTarget() throws Exception {
    byte[] bytes = "short".getBytes(StandardCharsets.UTF_8);
    remote.upload(key(bytes), file("up", bytes), 5, sha256(bytes), null, TransferListener.NONE);
    Path target = file("down", random(10_000, 2));

    remote.download(key(bytes), target, TransferListener.NONE);

    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
  }

  @Test
  void anEmptyFileRoundTrips() throws Exception {
    byte[] empty = new byte[0];
    Recorder up = new Recorder();
    remote.upload(key(empty), file("empty", empty), 0, sha256(empty), null, up);
    assertThat(up.last()).containsExactly(0, 0);

    Path target = tmp.resolve("down");
    assertThat(remote.download(key(empty), target, TransferListener.NONE)).isZero();
    assertThat(Files.size(target)).isZero();
  }

  @Test
  void bytesThatDoNotMatchTheDeclaredHashAreRefusedAndNotStored() throws Exception {
    byte[] declared = random(100_000, 3);
    byte[] actual = random(100_000, 4);
    String key = key(declared);

    RemoteStorageException e =
        remoteFailure(
            () ->
                remote.upload(
                    key,
                    file("wrong", actual),
                    actual.length,
                    sha256(declared),
                    null,
                    TransferListener.NONE));

    assertThat(e.retryable()).isFalse();
    assertThat(e.status()).isBetween(400, 499);
    assertThat(e.key()).isEqualTo(key);
    if (mode == StorageMode.GATEWAY) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e).hasMessageContaining("ChecksumMismatch");
    }
    RemoteStorageException missing =
        remoteFailure(() -> remote.download(key, tmp.resolve("down"), TransferListener.NONE));
    assertThat(missing.status()).isEqualTo(404);
  }

  @Test
  void aMissingKeyIs404AndNotRetryable() {
    String key = STORE + "/" + "0".repeat(64);

    RemoteStorageException e =
        remoteFailure(() -> remote.download(key, tmp.resolve("down"), TransferListener.NONE));

    assertThat(e.status()).isEqualTo(404);
    assertThat(e.retryable()).isFalse();
    assertThat(e.key()).isEqualTo(key);
  }

  @Test
  void aWrongTokenIs401AndNotRetryable() throws Exception {
    byte[] bytes = "secret".getBytes(StandardCharsets.UTF_8);
    Path source = file("up", bytes);
    try (RemoteStorage wrong = RemoteStorages.signer(signerBase(server), () -> "not-the-token")) {
      RemoteStorageException e =
          remoteFailure(
              () -> wrong.upload(key(bytes), source, 6, sha256(bytes), null, (d, t) -> {}));

      assertThat(e.status()).isEqualTo(401);
      assertThat(e.retryable()).isFalse();
      assertThat(e).hasMessageContaining("Unauthorized");
      assertThat(remoteFailure(() -> wrong.delete(key(bytes))).status()).isEqualTo(401);
      assertThat(remoteFailure(() -> wrong.downloadUrl(key(bytes))).status()).isEqualTo(401);
    }
  }

  @Test
  void theTokenIsAskedForOnEveryRequest() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    try (RemoteStorage rotating =
        RemoteStorages.signer(
            signerBase(server), () -> asked.incrementAndGet() == 1 ? "expired" : TOKEN)) {
      assertThat(remoteFailure(() -> rotating.downloadUrl(STORE + "/x")).status()).isEqualTo(401);
      assertThat(rotating.downloadUrl(STORE + "/x")).isNotNull();
      assertThat(asked).hasValue(2);
    }
  }

  @Test
  void aClosedServerIsUnhealthyAndRetryableWithStatus0() throws Exception {
    FileSyncServer gone = FileSyncServer.create(config(mode).build()).start();
    URI base = signerBase(gone);
    gone.close();
    byte[] bytes = "nobody home".getBytes(StandardCharsets.UTF_8);
    Path source = file("up", bytes);

    try (RemoteStorage dead = RemoteStorages.signer(base, () -> TOKEN)) {
      assertThat(dead.healthy()).isFalse();
      RemoteStorageException up =
          remoteFailure(
              () ->
                  dead.upload(key(bytes), source, bytes.length, sha256(bytes), null, (d, t) -> {}));
      assertThat(up.status()).isZero();
      assertThat(up.retryable()).isTrue();
      RemoteStorageException down =
          remoteFailure(() -> dead.download(key(bytes), tmp.resolve("d"), (d, t) -> {}));
      assertThat(down.status()).isZero();
      assertThat(down.retryable()).isTrue();
      assertThat(remoteFailure(() -> dead.delete(key(bytes))).retryable()).isTrue();
    }
  }

  @Test
  void deleteIsIdempotent() throws Exception {
    byte[] bytes = "to delete".getBytes(StandardCharsets.UTF_8);
    String key = key(bytes);
    remote.upload(key, file("up", bytes), bytes.length, sha256(bytes), null, (d, t) -> {});

    remote.delete(key);
    remote.delete(key);
    remote.delete(STORE + "/" + "1".repeat(64));

    assertThat(remoteFailure(() -> remote.download(key, tmp.resolve("d"), (d, t) -> {})).status())
        .isEqualTo(404);
  }

  @Test
  void downloadUrlIsFetchableWithPlainHttpAndKeepsTheContentType() throws Exception {
    byte[] bytes = "<p>hello</p>".getBytes(StandardCharsets.UTF_8);
    String key = key(bytes);
    remote.upload(key, file("up", bytes), bytes.length, sha256(bytes), "text/html", (d, t) -> {});

    URI url = remote.downloadUrl(key);

    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<byte[]> r =
          http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(bytes);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html");
    }
  }

  @Test
  void trailingSlashesInTheBaseAreIgnored() throws Exception {
    URI base = URI.create(signerBase(server) + "///");
    byte[] bytes = "slashes".getBytes(StandardCharsets.UTF_8);
    try (RemoteStorage slashed = RemoteStorages.signer(base, () -> TOKEN)) {
      assertThat(slashed.healthy()).isTrue();
      slashed.upload(
          key(bytes), file("up", bytes), bytes.length, sha256(bytes), null, (d, t) -> {});
      Path target = tmp.resolve("down");
      slashed.download(key(bytes), target, TransferListener.NONE);
      assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    }
  }

  @Test
  void aSourceOfAnotherSizeIsRefusedBeforeAnythingIsSent() throws Exception {
    byte[] bytes = "four".getBytes(StandardCharsets.UTF_8);
    Path source = file("up", bytes);

    assertThatThrownBy(
            () -> remote.upload(key(bytes), source, 5, sha256(bytes), null, (d, t) -> {}))
        .isNotInstanceOf(RemoteStorageException.class)
        .hasMessageContaining("4 bytes");
  }

  @Test
  void anInterruptedUploadFailsRetryablyAndKeepsTheInterrupt() throws Exception {
    byte[] bytes = random(8 * 1024 * 1024, 5);
    Path source = file("big", bytes);
    Thread caller = Thread.currentThread();
    AtomicLong interruptedAt = new AtomicLong(-1);

    RemoteStorageException e =
        remoteFailure(
            () ->
                remote.upload(
                    key(bytes),
                    source,
                    bytes.length,
                    sha256(bytes),
                    null,
                    (done, total) -> {
                      // told on the HTTP client's thread: interrupt the waiting caller once
                      if (done > 0 && interruptedAt.compareAndSet(-1, done)) {
                        caller.interrupt();
                      }
                    }));

    assertThat(Thread.interrupted()).isTrue(); // and clears it for the next test
    assertThat(e.retryable()).isTrue();
    assertThat(e.status()).isZero();
    assertThat(e).hasMessageContaining("interrupted");
  }

  @Test
  void anInterruptedDownloadFailsRetryablyAndKeepsTheInterrupt() throws Exception {
    byte[] bytes = random(4 * 1024 * 1024, 6);
    String key = key(bytes);
    remote.upload(key, file("up", bytes), bytes.length, sha256(bytes), null, (d, t) -> {});

    RemoteStorageException e =
        remoteFailure(
            () ->
                remote.download(
                    key, tmp.resolve("down"), (done, total) -> Thread.currentThread().interrupt()));

    assertThat(Thread.interrupted()).isTrue();
    assertThat(e.retryable()).isTrue();
    assertThat(e).hasMessageContaining("interrupted");
  }

  @Test
  void aClosedClientFailsRetryably() throws Exception {
    remote.close();
    RemoteStorageException e = remoteFailure(() -> remote.downloadUrl(STORE + "/x"));
    assertThat(e.retryable()).isTrue();
    assertThat(remote.healthy()).isFalse();
  }
}
