package dev.filesync.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.filesync.core.internal.Rows;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.SyncBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** One device for tests: a store on disk, content on Jimfs, a FileSync on a manual scheduler. */
final class Device implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  final Path dataDir;
  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  final Path root = fs.getPath("/data");
  final ManualScheduler time = new ManualScheduler();
  final List<FileSyncEvent> events = new CopyOnWriteArrayList<>();
  final Store store;
  final RemoteStorage remote;
  private final UnaryOperator<FileSyncConfig.Builder> tweak;
  FileSync files;

  Device(Path dataDir, SyncBackend backend, RemoteStorage remote) throws IOException {
    this(dataDir, backend, remote, b -> b);
  }

  Device(
      Path dataDir,
      SyncBackend backend,
      RemoteStorage remote,
      UnaryOperator<FileSyncConfig.Builder> tweak)
      throws IOException {
    this.dataDir = dataDir;
    this.remote = remote;
    this.tweak = tweak;
    StoreConfig.Builder sc = StoreConfig.builder(dataDir, "shared", FileSyncSchema.schema());
    if (backend != null) {
      sc.syncBackend(backend)
          .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
          .externalChangePollInterval(Duration.ofMillis(20));
    }
    this.store = Store.open(sc.build());
    start();
  }

  void start() throws IOException {
    files =
        tweak
            .apply(
                FileSync.builder(store, root)
                    .remote(remote)
                    .clock(time)
                    .scheduler(time)
                    .random(new SplittableRandom(7)))
            .start();
    files.addListener(this::onEvent);
  }

  private void onEvent(FileSyncEvent e) {
    synchronized (events) {
      events.add(e);
      events.notifyAll();
    }
  }

  /** Waits (on a monitor, not a sleep) until {@code n} events of {@code type} were delivered. */
  <T extends FileSyncEvent> List<T> awaitEvents(Class<T> type, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (events) {
      while (events(type).size() < n) {
        long left = deadline - System.nanoTime();
        assertThat(left)
            .as(
                "%d %s events; got %s; delays %s pending %s",
                n, type.getSimpleName(), events, time.delays(), time.pending())
            .isPositive();
        events.wait(Math.max(1, left / 1_000_000));
      }
      return events(type);
    }
  }

  void awaitIdle() throws InterruptedException {
    assertThat(files.awaitIdle(WAIT)).as("idle: %s", Rows.states(store)).isTrue();
  }

  void awaitSynced() throws InterruptedException {
    assertThat(store.awaitSynced(WAIT)).as("synced: %s", store.syncState()).isTrue();
  }

  byte[] read(String id) throws IOException {
    try (InputStream in = files.open(id)) {
      return in.readAllBytes();
    }
  }

  Rows.FileRow row(String id) {
    return Rows.file(store, id).orElseThrow();
  }

  Rows.LocalState state(String id) {
    return Rows.state(store, id).orElseThrow();
  }

  <T extends FileSyncEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public void close() throws IOException {
    if (files != null) {
      files.close();
    }
    store.close();
    fs.close();
  }
}
