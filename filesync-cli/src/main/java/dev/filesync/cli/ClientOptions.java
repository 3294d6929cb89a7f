package dev.filesync.cli;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncConfig;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorages;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: which data directory, which store, which server (none
 * means local-only) and which token. Each also comes from {@code FILESYNC_DATA}, {@code
 * FILESYNC_STORE}, {@code FILESYNC_SERVER} and {@code FILESYNC_TOKEN}.
 */
final class ClientOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "filesync-client",
      description = "Data directory of this device (FILESYNC_DATA; default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--store",
      paramLabel = "ID",
      defaultValue = "default",
      description = "Store id shared by the devices (FILESYNC_STORE; default: ${DEFAULT-VALUE}).")
  String store;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "FileSync server, e.g. http://127.0.0.1:8787; none = local-only (FILESYNC_SERVER).")
  URI server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "Bearer token for the server (FILESYNC_TOKEN).")
  String token;

  /** A store and FileSync over this device's data directory; close both when done. */
  Session open() throws IOException {
    return open(fb -> {});
  }

  /** The store's schema: FileSync's tables and the thumbnail tables. */
  static final dev.filesync.store.StoreSchema SCHEMA =
      dev.filesync.image.ThumbnailSchema.addTo(
              FileSyncSchema.addTo(dev.filesync.store.StoreSchema.builder()))
          .build();

  /** As {@link #open()}, letting {@code settings} add to the FileSync configuration. */
  Session open(java.util.function.Consumer<FileSyncConfig.Builder> settings) throws IOException {
    StoreConfig.Builder sc = StoreConfig.builder(data, store, SCHEMA);
    Store s = null;
    RemoteStorage remote = null;
    try {
      if (server != null) {
        if (token == null) {
          throw new FileSyncCli.UsageError("--server needs --token (or FILESYNC_TOKEN)");
        }
        sc.syncBackend(HttpSyncBackend.builder(server).token(token).build());
      }
      s = Store.open(sc.build());
      FileSyncConfig.Builder fb = FileSync.builder(s, data);
      if (server != null) {
        remote = RemoteStorages.signer(server.resolve("/api"), () -> token);
        fb.remote(remote);
      }
      settings.accept(fb);
      return new Session(s, FileSync.start(fb.build()), remote);
    } catch (IOException | RuntimeException e) {
      if (remote != null) {
        remote.close();
      }
      if (s != null) {
        s.close();
      }
      throw e;
    }
  }

  /** An open store and FileSync. */
  record Session(Store store, FileSync files, RemoteStorage remote) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        files.close();
      } finally {
        try {
          if (remote != null) {
            remote.close();
          }
        } finally {
          store.close();
        }
      }
    }
  }
}
