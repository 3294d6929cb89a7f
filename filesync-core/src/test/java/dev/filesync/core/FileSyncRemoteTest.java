package dev.filesync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.core.FileSyncEvent.Direction;
import dev.filesync.core.FileSyncEvent.TransferCompleted;
import dev.filesync.core.FileSyncEvent.TransferExhausted;
import dev.filesync.core.FileSyncEvent.TransferFailed;
import dev.filesync.core.FileSyncEvent.TransferStarted;
import dev.filesync.core.FileSyncSchema.FileCreated;
import dev.filesync.core.FileSyncSchema.FileUpdated;
import dev.filesync.core.internal.Rows;
import dev.filesync.store.ArgField;
import dev.filesync.store.FileSyncException;
import dev.filesync.store.Query;
import dev.filesync.store.Subscription;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One device with remote storage: uploads, downloads, retry, offline, priority, restart. */
class FileSyncRemoteTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path dir;
  private final FakeRemoteStorage remote = new FakeRemoteStorage();
  private Device device;

  @AfterEach
  void close() throws Exception {
    remote.release();
    if (device != null) {
      device.close();
    }
  }

  private Device open(UnaryOperator<FileSyncConfig.Builder> tweak) throws Exception {
    device = new Device(dir, null, remote, tweak);
    return device;
  }

  private Device open() throws Exception {
    return open(b -> b.healthCheckInterval(DAY));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** A row another device created and uploaded: the bytes are only remote. */
  private String remoteOnly(Device d, String id, byte[] bytes) throws Exception {
    String hash = sha256(bytes);
    String key = "shared/" + hash;
    String path = "livestore-filesync-files/shared/" + hash;
    remote.put(key, bytes);
    Instant t = Instant.parse("2025-01-01T09:00:00Z");
    d.store.commit(
        FileSyncSchema.FILE_CREATED.of(new FileCreated(id, path, hash, ArgField.absent(), t, t)),
        FileSyncSchema.FILE_UPDATED.of(new FileUpdated(id, path, key, hash, ArgField.absent(), t)));
    return id;
  }

  @Test
  void uploadPublishesTheRemoteKeyAndDuplicatesUploadOnce() throws Exception {
    Device d = open();
    String a = d.files.save("hello".getBytes(UTF_8), "a", "text/plain");
    d.awaitIdle();
    Rows.FileRow row = d.row(a);
    assertThat(row.remoteKey()).isEqualTo("shared/" + row.contentHash());
    assertThat(remote.bytes(row.remoteKey())).isEqualTo("hello".getBytes(UTF_8));
    assertThat(d.state(a).uploadStatus()).isEqualTo("done");
    assertThat(d.state(a).downloadStatus()).isEqualTo("done");
    assertThat(d.files.displayState(a))
        .isEqualTo(new DisplayState(true, true, true, false, false, false));
    d.awaitEvents(TransferCompleted.class, 1);
    assertThat(d.events(TransferStarted.class))
        .containsExactly(new TransferStarted(Direction.UPLOAD, a, 1));

    String b = d.files.save("hello".getBytes(UTF_8), "b", "text/plain");
    d.awaitIdle();
    assertThat(d.row(b).remoteKey()).isEqualTo(row.remoteKey());
    assertThat(remote.uploads()).as("the object already existed").isEqualTo(1);
    assertThat(d.files.status().uploads()).containsEntry("done", 2L);
  }

  @Test
  void staleUploadDoesNotPublishOverANewerEdit() throws Exception {
    Device d = open();
    remote.blockUploads();
    String id = d.files.save("v1".getBytes(UTF_8), "f", null);
    String h1 = d.row(id).contentHash();
    assertThat(remote.awaitBlockedUpload(20, TimeUnit.SECONDS)).isTrue();
    assertThat(d.files.displayState(id).uploading()).isTrue();
    d.files.update(id, new ByteArrayInputStream("v2".getBytes(UTF_8)), "f", null);
    assertThat(Files.exists(d.root.resolve("livestore-filesync-files/shared/" + h1)))
        .as("the running upload holds the old bytes")
        .isTrue();
    remote.release();
    d.awaitIdle();
    Rows.FileRow row = d.row(id);
    assertThat(row.contentHash()).isEqualTo(sha256("v2".getBytes(UTF_8)));
    assertThat(row.remoteKey()).isEqualTo("shared/" + row.contentHash());
    assertThat(remote.keys()).contains("shared/" + h1, row.remoteKey());
    assertThat(d.read(id)).isEqualTo("v2".getBytes(UTF_8));
    assertThat(Files.exists(d.root.resolve("livestore-filesync-files/shared/" + h1)))
        .as("old bytes freed once the upload let go")
        .isFalse();
    // Every row pairs a remote key only with the bytes stored under it.
    for (Rows.FileRow r : Rows.files(d.store)) {
      assertThat(r.remoteKey()).isIn("", "shared/" + r.contentHash());
    }
    assertThat(d.state(id).uploadStatus()).as("no inProgress left behind").isEqualTo("done");
  }

  @Test
  void downloadIsVerifiedAndRetriedAfterCorruptBytes() throws Exception {
    Device d = open();
    remote.corruptNextDownload();
    byte[] bytes = "from elsewhere".getBytes(UTF_8);
    String id = remoteOnly(d, "r1", bytes);
    List<TransferFailed> failed = d.awaitEvents(TransferFailed.class, 1);
    assertThat(failed.get(0).direction()).isEqualTo(Direction.DOWNLOAD);
    assertThat(failed.get(0).attempt()).isEqualTo(1);
    assertThat(failed.get(0).retryable()).isTrue();
    assertThat(failed.get(0).message()).contains("mismatch");
    Duration delay = d.time.awaitTask(HOUR);
    assertThat(delay).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
    assertThat(d.state(id).downloadStatus()).isEqualTo("queued");
    assertThat(d.state(id).lastSyncError()).contains("mismatch");
    assertThat(d.files.resolve(id))
        .contains(FakeRemoteStorage.BASE_URL.resolve(d.row(id).remoteKey()));

    d.time.advance(delay);
    d.awaitIdle();
    assertThat(d.read(id)).isEqualTo(bytes);
    assertThat(d.state(id))
        .isEqualTo(
            new Rows.LocalState(id, d.row(id).path(), d.row(id).contentHash(), "done", "done", ""));
    assertThat(remote.downloads()).isEqualTo(2);

    // The same file needs downloading again in the same session (reference 9.B9 lost these).
    Files.write(d.root.resolve(d.row(id).path()), "garbage".getBytes(UTF_8));
    assertThatThrownBy(() -> d.files.open(id)).isInstanceOf(FileSyncException.class);
    d.awaitIdle();
    assertThat(d.read(id)).isEqualTo(bytes);
    assertThat(remote.downloads()).isEqualTo(3);
  }

  @Test
  void progressAndCompletionArePublished() throws Exception {
    Device d = open();
    List<FileSyncEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch completed = new CountDownLatch(1);
    d.files
        .events()
        .subscribe(
            new java.util.concurrent.Flow.Subscriber<FileSyncEvent>() {
              @Override
              public void onSubscribe(java.util.concurrent.Flow.Subscription sub) {
                sub.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(FileSyncEvent e) {
                seen.add(e);
                if (e instanceof TransferCompleted) {
                  completed.countDown();
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onComplete() {}
            });
    String id = d.files.save(new byte[1000], "z", null);
    assertThat(completed.await(20, TimeUnit.SECONDS)).isTrue();
    List<FileSyncEvent.TransferProgress> progress =
        seen.stream()
            .filter(FileSyncEvent.TransferProgress.class::isInstance)
            .map(FileSyncEvent.TransferProgress.class::cast)
            .toList();
    assertThat(progress).isNotEmpty().allMatch(p -> p.fileId().equals(id) && p.total() == 1000);
    assertThat(progress.get(progress.size() - 1).bytes()).isEqualTo(1000);
    assertThat(seen.get(seen.size() - 1)).isEqualTo(new TransferCompleted(Direction.UPLOAD, id));
  }

  @Test
  void uploadsRespectTheConcurrencyLimit() throws Exception {
    Device d = open(b -> b.healthCheckInterval(DAY).concurrency(1, 1));
    remote.blockUploads();
    for (int i = 0; i < 3; i++) {
      d.files.save(("f" + i).getBytes(UTF_8), "f" + i, null);
    }
    assertThat(remote.awaitBlockedUpload(20, TimeUnit.SECONDS)).isTrue();
    assertThat(remote.awaitBlockedUpload(200, TimeUnit.MILLISECONDS)).as("one at a time").isFalse();
    assertThat(d.files.status().uploads())
        .containsEntry("inProgress", 1L)
        .containsEntry("queued", 2L);
    remote.release();
    d.awaitIdle();
    assertThat(remote.uploads()).isEqualTo(3);
  }

  @Test
  void healthChecksNoticeOutagesWithoutTraffic() throws Exception {
    Device d = open(b -> b);
    remote.setOnline(false);
    d.time.awaitTask(Duration.ofSeconds(11)); // the engine started and set its health timer
    d.time.advance(Duration.ofSeconds(10));
    d.awaitEvents(FileSyncEvent.Offline.class, 1);
    String id = d.files.save("waits".getBytes(UTF_8), "w", null);
    d.awaitEvents(FileSyncEvent.Offline.class, 1);
    assertThat(d.files.awaitIdle(Duration.ofMillis(100))).isFalse();
    assertThat(d.events(TransferStarted.class)).as("nothing starts while offline").isEmpty();
    assertThat(d.state(id).uploadStatus()).isEqualTo("queued");
    d.time.awaitTask(Duration.ofSeconds(11));
    remote.setOnline(true);
    d.time.advance(Duration.ofSeconds(10));
    d.awaitEvents(FileSyncEvent.Online.class, 1);
    d.awaitIdle();
    assertThat(d.state(id).uploadStatus()).isEqualTo("done");
  }

  @Test
  void corruptLocalCopyIsReplacedFromRemote() throws Exception {
    Device d = open();
    String id = d.files.save("precious".getBytes(UTF_8), "p", null);
    String twin = d.files.save("precious".getBytes(UTF_8), "q", null);
    d.awaitIdle();
    Files.write(d.root.resolve(d.row(id).path()), "tampered".getBytes(UTF_8));
    assertThatThrownBy(() -> d.files.open(id))
        .isInstanceOf(FileSyncException.class)
        .hasMessageContaining("corrupt");
    d.awaitIdle();
    assertThat(d.read(id)).isEqualTo("precious".getBytes(UTF_8));
    assertThat(d.read(twin)).isEqualTo("precious".getBytes(UTF_8));
    assertThat(d.state(id).downloadStatus()).isEqualTo("done");
    assertThat(d.state(twin).downloadStatus()).isEqualTo("done");
    assertThat(remote.downloads()).isEqualTo(1);
  }

  @Test
  void oneDownloadServesRowsWithTheSameBytes() throws Exception {
    Device d = open();
    byte[] bytes = "twice".getBytes(UTF_8);
    remoteOnly(d, "r1", bytes);
    remoteOnly(d, "r2", bytes);
    d.awaitIdle();
    assertThat(d.read("r1")).isEqualTo(bytes);
    assertThat(d.read("r2")).isEqualTo(bytes);
    assertThat(d.state("r2").downloadStatus()).isEqualTo("done");
    assertThat(remote.downloads()).isEqualTo(1);
  }

  @Test
  void retryFollowsTheScheduleThenErrorsUntilRetryErrors() throws Exception {
    Device d = open();
    remote.failNext(6, true);
    String id = d.files.save("x".getBytes(UTF_8), "x", null);
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= 5; attempt++) {
      d.awaitEvents(TransferFailed.class, attempt);
      Duration delay = d.time.awaitTask(HOUR);
      delays.add(delay);
      d.time.advance(delay);
    }
    TransferExhausted exhausted = d.awaitEvents(TransferExhausted.class, 1).get(0);
    assertThat(exhausted.attempts()).isEqualTo(6);
    for (int i = 0; i < 5; i++) {
      long base = 1000L << i;
      assertThat(delays.get(i).toMillis())
          .as("delay after attempt %d", i + 1)
          .isBetween(base * 8 / 10, base * 12 / 10 - 1);
    }
    List<TransferFailed> failed = d.events(TransferFailed.class);
    assertThat(failed).extracting(TransferFailed::attempt).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(failed)
        .extracting(TransferFailed::retryable)
        .containsExactly(true, true, true, true, true, false);
    d.awaitIdle();
    assertThat(d.state(id).uploadStatus()).isEqualTo("error");
    assertThat(d.files.status().errors()).containsKey(id);
    assertThat(remote.uploads()).isZero();

    assertThat(d.files.retryErrors()).containsExactly(id);
    d.awaitIdle();
    assertThat(d.state(id).uploadStatus()).isEqualTo("done");
    assertThat(d.row(id).remoteKey()).isNotEmpty();
  }

  @Test
  void delaysAreCappedAtTheMaximum() throws Exception {
    Device d =
        open(
            b ->
                b.healthCheckInterval(DAY)
                    .retry(4, Duration.ofSeconds(10), Duration.ofSeconds(15)));
    remote.failNext(3, true);
    d.files.save("x".getBytes(UTF_8), "x", null);
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= 3; attempt++) {
      d.awaitEvents(TransferFailed.class, attempt);
      Duration delay = d.time.awaitTask(HOUR);
      delays.add(delay);
      d.time.advance(delay);
    }
    d.awaitIdle();
    assertThat(delays.get(0)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12));
    assertThat(delays.subList(1, 3)).allMatch(x -> x.compareTo(Duration.ofSeconds(15)) <= 0);
    assertThat(remote.uploads()).isEqualTo(1);
  }

  @Test
  void refusalIsAnErrorAtOnce() throws Exception {
    Device d = open();
    remote.failNext(1, false);
    String id = d.files.save("x".getBytes(UTF_8), "x", null);
    TransferFailed failed = d.awaitEvents(TransferFailed.class, 1).get(0);
    assertThat(failed.retryable()).isFalse();
    d.awaitEvents(TransferExhausted.class, 1);
    d.awaitIdle();
    assertThat(d.state(id).uploadStatus()).isEqualTo("error");
    assertThat(d.state(id).lastSyncError()).contains("403").contains("planned failure");
    assertThat(d.files.retryErrors()).containsExactly(id);
    d.awaitIdle();
    assertThat(d.state(id).uploadStatus()).isEqualTo("done");
  }

  @Test
  void offlineWaitsWithoutSpendingAttempts() throws Exception {
    Device d = open(b -> b.retry(1, Duration.ofSeconds(1), Duration.ofSeconds(60)));
    remote.setOnline(false);
    String id = d.files.save("x".getBytes(UTF_8), "x", null);
    d.awaitEvents(FileSyncEvent.Offline.class, 1);
    assertThat(d.state(id).uploadStatus()).isEqualTo("queued");
    assertThat(d.files.status().online()).isFalse();
    assertThat(d.files.awaitIdle(Duration.ofMillis(50))).as("work is waiting").isFalse();
    String other = d.files.save("y".getBytes(UTF_8), "y", null);

    d.time.awaitTask(Duration.ofSeconds(11));
    d.time.advance(Duration.ofSeconds(10)); // still down: stays offline
    assertThat(d.files.status().online()).isFalse();
    d.time.awaitTask(Duration.ofSeconds(11)); // the next health check is set
    remote.setOnline(true);
    d.time.advance(Duration.ofSeconds(10));
    d.awaitEvents(FileSyncEvent.Online.class, 1);
    d.awaitIdle();
    assertThat(d.state(id).uploadStatus()).isEqualTo("done");
    assertThat(d.state(other).uploadStatus()).isEqualTo("done");
    assertThat(d.events(TransferExhausted.class)).isEmpty();
    assertThat(remote.uploads()).isEqualTo(2);
  }

  @Test
  void prioritizedDownloadGoesFirst() throws Exception {
    Device d = open(b -> b.healthCheckInterval(DAY).concurrency(1, 1));
    d.files.pause();
    CountDownLatch queued = new CountDownLatch(1);
    Subscription sub =
        d.store.subscribe(
            Query.scalar("SELECT count(*) FROM localFileState WHERE downloadStatus = 'queued'"),
            n -> {
              if (n == 4) {
                queued.countDown();
              }
            });
    for (int i = 0; i < 4; i++) {
      remoteOnly(d, "r" + i, ("file " + i).getBytes(UTF_8));
    }
    assertThat(queued.await(20, TimeUnit.SECONDS)).isTrue();
    sub.cancel();
    assertThat(d.files.displayState("r3").queued()).isTrue();
    assertThat(d.files.resolve("r3")).isPresent(); // remote URL, and moves r3 to the front
    d.files.resume();
    d.awaitIdle();
    List<TransferStarted> started = d.events(TransferStarted.class);
    assertThat(started).hasSize(4);
    assertThat(started.get(0).fileId()).isEqualTo("r3");
    assertThat(started.subList(1, 4))
        .extracting(TransferStarted::fileId)
        .containsExactly("r0", "r1", "r2");
    assertThat(d.files.resolve("r3")).contains(d.root.resolve(d.row("r3").path()).toUri());
  }

  @Test
  void queuedAndRunningTransfersResumeAfterReopen() throws Exception {
    Device d = open();
    remote.blockUploads();
    String a = d.files.save("a".getBytes(UTF_8), "a", null);
    String b = d.files.save("b".getBytes(UTF_8), "b", null);
    assertThat(remote.awaitBlockedUpload(20, TimeUnit.SECONDS)).isTrue();
    assertThat(remote.awaitBlockedUpload(20, TimeUnit.SECONDS)).isTrue();
    d.files.pause();
    String c = d.files.save("c".getBytes(UTF_8), "c", null);
    d.files.close();
    assertThat(List.of(d.state(a), d.state(b), d.state(c)))
        .extracting(Rows.LocalState::uploadStatus)
        .containsExactly("queued", "queued", "queued");
    remote.release();
    assertThat(remote.uploads()).isZero();

    d.start();
    d.awaitIdle();
    for (String id : List.of(a, b, c)) {
      assertThat(d.state(id).uploadStatus()).isEqualTo("done");
      assertThat(d.row(id).remoteKey()).isEqualTo("shared/" + d.row(id).contentHash());
    }
    assertThat(remote.uploads()).isEqualTo(3);
  }

  @Test
  void deleteKeepsTheRemoteObjectAndSharedBytes() throws Exception {
    Device d = open();
    String a = d.files.save("same".getBytes(UTF_8), "a", null);
    String b = d.files.save("same".getBytes(UTF_8), "b", null);
    d.awaitIdle();
    d.files.delete(a);
    d.awaitIdle();
    assertThat(d.read(b)).isEqualTo("same".getBytes(UTF_8));
    assertThat(remote.keys()).containsExactly(d.row(b).remoteKey());
    assertThat(remote.deletes()).isZero();
    assertThat(d.files.displayState(a))
        .isEqualTo(new DisplayState(false, false, false, false, false, false));
  }
}
