package dev.filesync.core.it;

import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorageException;
import dev.filesync.core.TransferListener;
import dev.filesync.store.FileSyncException;
import dev.filesync.store.GlobalEvent;
import dev.filesync.store.SyncBackend;
import dev.filesync.store.SyncBackendException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A device's network cable: while cut, every sync and storage call fails as a dead network would.
 */
final class Cut {
  private volatile boolean cut;

  void set(boolean cut) {
    this.cut = cut;
  }

  boolean isCut() {
    return cut;
  }

  SyncBackend wrap(SyncBackend d) {
    return new SyncBackend() {
      @Override
      public PullResult pull(String storeId, long after, int limit, Duration wait)
          throws SyncBackendException {
        check();
        PullResult r = d.pull(storeId, after, limit, wait);
        check();
        return r;
      }

      @Override
      public PushResult push(String storeId, String backendId, List<GlobalEvent> batch)
          throws SyncBackendException {
        check();
        return d.push(storeId, backendId, batch);
      }

      @Override
      public void close() {
        d.close();
      }

      private void check() throws SyncBackendException {
        if (cut) {
          throw new SyncBackendException("network cut (test)", 0, null, true, null);
        }
      }
    };
  }

  RemoteStorage wrap(RemoteStorage d) {
    return new RemoteStorage() {
      @Override
      public void upload(
          String key,
          Path source,
          long size,
          String sha256Hex,
          String contentType,
          TransferListener p)
          throws FileSyncException {
        check(key);
        d.upload(key, source, size, sha256Hex, contentType, p);
      }

      @Override
      public long download(String key, Path target, TransferListener p) throws FileSyncException {
        check(key);
        long n = d.download(key, target, p);
        check(key);
        return n;
      }

      @Override
      public void delete(String key) throws FileSyncException {
        check(key);
        d.delete(key);
      }

      @Override
      public URI downloadUrl(String key) throws FileSyncException {
        check(key);
        return d.downloadUrl(key);
      }

      @Override
      public boolean healthy() {
        return !cut && d.healthy();
      }

      @Override
      public void close() {
        d.close();
      }

      private void check(String key) throws RemoteStorageException {
        if (cut) {
          throw new RemoteStorageException("network cut (test)", key, 0, true, null);
        }
      }
    };
  }
}
