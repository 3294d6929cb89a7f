package dev.filesync.store;

import java.time.Duration;
import java.util.List;

/** Wraps a backend and fails every call while "offline", as a cut network would. */
public final class FaultySyncBackend implements SyncBackend {
  private final SyncBackend delegate;
  private volatile boolean online = true;

  public FaultySyncBackend(SyncBackend delegate) {
    this.delegate = delegate;
  }

  public void setOnline(boolean online) {
    this.online = online;
  }

  public boolean online() {
    return online;
  }

  private void check() throws SyncBackendException {
    if (!online) {
      throw new SyncBackendException("network cut (test)", 0, null, true, null);
    }
  }

  @Override
  public PullResult pull(String storeId, long after, int limit, Duration wait)
      throws SyncBackendException {
    check();
    PullResult r = delegate.pull(storeId, after, limit, wait);
    check(); // a cut during a long poll loses the answer
    return r;
  }

  @Override
  public PushResult push(String storeId, String backendId, List<GlobalEvent> batch)
      throws SyncBackendException {
    check();
    return delegate.push(storeId, backendId, batch);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
