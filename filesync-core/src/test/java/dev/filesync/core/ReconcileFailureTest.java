package dev.filesync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.filesync.core.FileSyncSchema.FileCreated;
import dev.filesync.core.FileSyncSchema.FileUpdated;
import dev.filesync.core.internal.ContentGuard;
import dev.filesync.core.internal.EventHub;
import dev.filesync.core.internal.FileSystemContent;
import dev.filesync.core.internal.LocalContent;
import dev.filesync.core.internal.Rows;
import dev.filesync.core.internal.SyncEngine;
import dev.filesync.store.ArgField;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing event handler is recorded in localFileState and retried, not skipped. */
class ReconcileFailureTest {
  @TempDir Path dir;

  /** Local content whose {@code has} fails while {@link #failures} is positive. */
  private static final class FlakyContent implements LocalContent {
    final LocalContent d;
    final AtomicInteger failures = new AtomicInteger();

    FlakyContent(LocalContent d) {
      this.d = d;
    }

    @Override
    public Saved save(InputStream in) throws IOException {
      return d.save(in);
    }

    @Override
    public boolean has(String h) {
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new UncheckedIOException(new IOException("disk hiccup"));
      }
      return d.has(h);
    }

    @Override
    public boolean verify(String h) throws IOException {
      return d.verify(h);
    }

    @Override
    public InputStream open(String h) throws IOException {
      return d.open(h);
    }

    @Override
    public Path path(String h) {
      return d.path(h);
    }

    @Override
    public String relativePath(String h) {
      return d.relativePath(h);
    }

    @Override
    public Path newTempFile() throws IOException {
      return d.newTempFile();
    }

    @Override
    public void adopt(Path t, String h) throws IOException {
      d.adopt(t, h);
    }

    @Override
    public void delete(String h) throws IOException {
      d.delete(h);
    }

    @Override
    public Set<String> list() throws IOException {
      return d.list();
    }
  }

  @Test
  void failedHandlerIsRecordedAndRetried() throws Exception {
    ManualScheduler time = new ManualScheduler();
    FakeRemoteStorage remote = new FakeRemoteStorage();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
        Store store =
            Store.open(StoreConfig.builder(dir, "shared", FileSyncSchema.schema()).build());
        EventHub hub = new EventHub()) {
      FlakyContent content =
          new FlakyContent(FileSystemContent.open(fs.getPath("/data"), store.storeId()));
      SyncEngine engine =
          new SyncEngine(
              new SyncEngine.Settings(
                  store,
                  content,
                  new ContentGuard(store, content),
                  remote,
                  2,
                  2,
                  6,
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(60),
                  Duration.ofDays(1),
                  time,
                  time,
                  executor,
                  new SplittableRandom(1),
                  hub));
      try {
        assertThat(engine.awaitIdle(Device.WAIT)).isTrue();
        byte[] bytes = "remote bytes".getBytes(UTF_8);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        remote.put("shared/" + hash, bytes);
        CountDownLatch recorded = new CountDownLatch(1);
        Subscription sub =
            store.subscribe(
                Query.scalar(
                    "SELECT count(*) FROM localFileState WHERE lastSyncError LIKE"
                        + " 'reconcile failed%disk hiccup%'"),
                n -> {
                  if (n == 1) {
                    recorded.countDown();
                  }
                });
        content.failures.set(1_000);
        Instant t = Instant.parse("2025-01-01T09:00:00Z");
        String path = "livestore-filesync-files/shared/" + hash;
        store.commit(
            FileSyncSchema.FILE_CREATED.of(
                new FileCreated("r1", path, hash, ArgField.absent(), t, t)),
            FileSyncSchema.FILE_UPDATED.of(
                new FileUpdated("r1", path, "shared/" + hash, hash, ArgField.absent(), t)));
        assertThat(recorded.await(20, TimeUnit.SECONDS)).as("failure recorded").isTrue();
        sub.cancel();
        assertThat(engine.awaitIdle(Duration.ofMillis(100))).as("a retry is due").isFalse();
        assertThat(remote.downloads()).isZero();

        content.failures.set(0);
        time.advance(time.awaitTask(Duration.ofSeconds(2)));
        assertThat(engine.awaitIdle(Device.WAIT)).isTrue();
        Rows.LocalState st = Rows.state(store, "r1").orElseThrow();
        assertThat(st.downloadStatus()).isEqualTo("done");
        assertThat(st.lastSyncError()).isEmpty();
        assertThat(content.verify(hash)).isTrue();
        assertThat(Rows.cursor(store).global()).isPositive();
      } finally {
        engine.close();
        executor.shutdownNow();
      }
    }
  }
}
