package dev.filesync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test double's controls do what engine tests rely on. */
class FakeRemoteStorageTest {

  static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);
  static final String HELLO_SHA = FakeRemoteStorage.sha256(HELLO);
  static final String KEY = "store/" + HELLO_SHA;

  FileSystem fs;
  Path source;
  FakeRemoteStorage remote = new FakeRemoteStorage();

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    source = Files.write(fs.getPath("/hello"), HELLO);
  }

  @AfterEach
  void tearDown() throws IOException {
    remote.close();
    fs.close();
  }

  RemoteStorageException failure(ThrowingRunnable r) {
    try {
      r.run();
    } catch (RemoteStorageException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a RemoteStorageException", e);
    }
    throw new AssertionError("expected a RemoteStorageException");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void roundTripWithProgressAndCounters() throws Exception {
    List<Long> seen = new ArrayList<>();
    remote.upload(KEY, source, 5, HELLO_SHA, "text/plain", (done, total) -> seen.add(done));
    assertThat(seen).hasSizeGreaterThan(1).last().isEqualTo(5L);
    assertThat(remote.keys()).containsExactly(KEY);
    assertThat(remote.bytes(KEY)).isEqualTo(HELLO);
    assertThat(remote.contentType(KEY)).isEqualTo("text/plain");

    Path target = fs.getPath("/down");
    assertThat(remote.download(KEY, target, TransferListener.NONE)).isEqualTo(5);
    assertThat(Files.readAllBytes(target)).isEqualTo(HELLO);
    assertThat(remote.downloadUrl(KEY).toString()).isEqualTo("https://fake-storage.invalid/" + KEY);

    remote.delete(KEY);
    remote.delete(KEY);
    assertThat(remote.keys()).isEmpty();
    assertThat(remote.uploads()).isEqualTo(1);
    assertThat(remote.downloads()).isEqualTo(1);
    assertThat(remote.deletes()).isEqualTo(2);
    RemoteStorageException missing = failure(() -> remote.download(KEY, target, (d, t) -> {}));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.retryable()).isFalse();
  }

  @Test
  void wrongBytesAreRefusedAndNotStored() {
    RemoteStorageException e =
        failure(() -> remote.upload(KEY, source, 5, "0".repeat(64), null, TransferListener.NONE));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.retryable()).isFalse();
    assertThat(remote.keys()).isEmpty();
    assertThat(remote.uploads()).isZero();
  }

  @Test
  void offlineAndPlannedFailures() throws Exception {
    remote.setOnline(false);
    assertThat(remote.healthy()).isFalse();
    RemoteStorageException offline = failure(() -> remote.delete(KEY));
    assertThat(offline.status()).isZero();
    assertThat(offline.retryable()).isTrue();
    remote.setOnline(true);
    assertThat(remote.healthy()).isTrue();

    remote.failNext(2, true);
    assertThat(failure(() -> remote.downloadUrl(KEY)).status()).isEqualTo(503);
    assertThat(failure(() -> remote.delete(KEY)).retryable()).isTrue();
    remote.delete(KEY);

    remote.failNext(1, false);
    RemoteStorageException refused =
        failure(() -> remote.upload(KEY, source, 5, HELLO_SHA, null, TransferListener.NONE));
    assertThat(refused.retryable()).isFalse();
    assertThat(refused.status()).isEqualTo(403);
    remote.upload(KEY, source, 5, HELLO_SHA, null, TransferListener.NONE);
    assertThat(remote.uploads()).isEqualTo(1);
  }

  @Test
  void corruptNextDownloadFlipsOneByteOnce() throws Exception {
    remote.put(KEY, HELLO);
    remote.corruptNextDownload();
    Path target = fs.getPath("/down");
    remote.download(KEY, target, TransferListener.NONE);
    assertThat(Files.readAllBytes(target)).isNotEqualTo(HELLO).hasSameSizeAs(HELLO);
    remote.download(KEY, target, TransferListener.NONE);
    assertThat(Files.readAllBytes(target)).isEqualTo(HELLO);
    assertThat(remote.bytes(KEY)).isEqualTo(HELLO);
  }

  @Test
  void blockedUploadsWaitForRelease() throws Exception {
    remote.blockUploads();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> upload =
          pool.submit(
              () -> {
                remote.upload(KEY, source, 5, HELLO_SHA, null, TransferListener.NONE);
                return null;
              });
      assertThat(remote.awaitBlockedUpload(10, TimeUnit.SECONDS)).isTrue();
      assertThat(upload.isDone()).isFalse();
      assertThat(remote.keys()).isEmpty();

      remote.release();
      upload.get(10, TimeUnit.SECONDS);
      assertThat(remote.keys()).containsExactly(KEY);

      // after release, uploads pass
      remote.upload(KEY, source, 5, HELLO_SHA, null, TransferListener.NONE);
      assertThat(remote.uploads()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anInterruptedBlockedUploadFailsRetryablyWithTheFlagSet() throws Exception {
    remote.blockUploads();
    CompletableFuture<RemoteStorageException> result = new CompletableFuture<>();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    remote.upload(KEY, source, 5, HELLO_SHA, null, TransferListener.NONE);
                    result.completeExceptionally(new AssertionError("uploaded"));
                  } catch (RemoteStorageException e) {
                    result.complete(
                        Thread.currentThread().isInterrupted() && e.retryable() ? e : null);
                  } catch (Exception e) {
                    result.completeExceptionally(e);
                  }
                });
    assertThat(remote.awaitBlockedUpload(10, TimeUnit.SECONDS)).isTrue();
    t.interrupt();
    assertThat(result.get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(remote.keys()).isEmpty();
  }

  @Test
  void closeFailsLaterCalls() {
    remote.close();
    assertThat(remote.healthy()).isFalse();
    assertThat(failure(() -> remote.delete(KEY)).retryable()).isTrue();
    assertThatThrownBy(() -> remote.failNext(-1, true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
