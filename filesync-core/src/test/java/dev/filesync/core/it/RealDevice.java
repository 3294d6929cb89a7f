package dev.filesync.core.it;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorages;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/** A device: a store synced through a real server, and FileSync over its signer API. */
final class RealDevice implements AutoCloseable {
  final Path data;
  final Store store;
  final RemoteStorage remote;
  final FileSync files;

  RealDevice(Path data, URI server, String token, String storeId) throws IOException {
    this(data, server, token, storeId, null);
  }

  /** A device whose network can be cut with {@code cut} (null: never cut). */
  RealDevice(Path data, URI server, String token, String storeId, Cut cut) throws IOException {
    this.data = data;
    dev.filesync.store.SyncBackend backend = HttpSyncBackend.builder(server).token(token).build();
    RemoteStorage rs = RemoteStorages.signer(server.resolve("/api"), () -> token);
    if (cut != null) {
      backend = cut.wrap(backend);
      rs = cut.wrap(rs);
    }
    this.store =
        Store.open(
            StoreConfig.builder(data, storeId, FileSyncSchema.schema())
                .syncBackend(backend)
                .pullWait(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .build());
    this.remote = rs;
    this.files =
        FileSync.start(
            FileSync.builder(store, data)
                .remote(remote)
                .retry(8, Duration.ofMillis(50), Duration.ofSeconds(2))
                .healthCheckInterval(Duration.ofMillis(250))
                .build());
  }

  /** Waits until the store has pushed and pulled everything and no transfer is left. */
  void awaitSettled(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      // Idle first: a finished upload commits its remote key before the engine is idle, so the
      // synced check that follows covers that event (the other order could return before it was
      // pushed, and a device opened next would never see the file as uploaded).
      if (files.awaitIdle(Duration.ofMillis(100))
          && store.awaitSynced(Duration.ofMillis(100))
          && queuedOrRunning() == 0) {
        return;
      }
    }
    throw new AssertionError(
        "device " + data + " did not settle: " + store.syncState() + " " + files.status());
  }

  private long queuedOrRunning() throws IOException {
    var r = files.status();
    long n = 0;
    for (String s : new String[] {"queued", "inProgress"}) {
      n += r.uploads().getOrDefault(s, 0L) + r.downloads().getOrDefault(s, 0L);
    }
    return n;
  }

  String sha256(String fileId) throws IOException {
    try (InputStream in = files.open(fileId)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      files.close();
    } finally {
      try {
        remote.close();
      } finally {
        store.close();
      }
    }
  }
}
