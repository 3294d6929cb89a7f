package dev.filesync.core;

import dev.filesync.store.GlobalEvent;
import dev.filesync.store.SyncBackend;
import dev.filesync.store.SyncBackendException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory sync backend with the server's admission rule, long polls, and a switch to go
 * offline (a copy of the store module's test double). One instance is one store's log; share it
 * between stores to sync them.
 */
final class InMemorySyncBackend {
  private final List<GlobalEvent> log = new ArrayList<>();
  private String backendId = "b-fake-1";
  private volatile boolean online = true;
  private volatile int maxBatch = Integer.MAX_VALUE;
  private volatile boolean refuseToken;
  private int pushes;

  /** A client view of this backend (the store closes it; closing it does nothing). */
  public SyncBackend client() {
    return new SyncBackend() {
      @Override
      public PullResult pull(String storeId, long after, int limit, Duration wait)
          throws SyncBackendException {
        return InMemorySyncBackend.this.pull(after, limit, wait);
      }

      @Override
      public PushResult push(String storeId, String knownBackendId, List<GlobalEvent> batch)
          throws SyncBackendException {
        return InMemorySyncBackend.this.push(knownBackendId, batch);
      }

      @Override
      public void close() {}
    };
  }

  /** Refuses (400 BatchTooLarge, not retryable) pushes of more than {@code n} events. */
  public void setMaxBatch(int n) {
    this.maxBatch = n;
  }

  /** Refuses every push with 403, as a server would a token that lost its grant. */
  public void setRefuseToken(boolean refuse) {
    this.refuseToken = refuse;
  }

  public synchronized void setOnline(boolean online) {
    this.online = online;
    notifyAll();
  }

  /** Forgets the log and takes a new identity, like a server whose database was replaced. */
  public synchronized void wipe(String newBackendId) {
    log.clear();
    backendId = newBackendId;
    notifyAll();
  }

  public synchronized List<GlobalEvent> log() {
    return List.copyOf(log);
  }

  public synchronized int pushes() {
    return pushes;
  }

  /** Appends an event as if another client had pushed it. */
  public synchronized void appendForeign(String name, String argsJson, String clientId) {
    long head = log.size();
    log.add(new GlobalEvent(name, argsJson, head + 1, head, clientId, "s-foreign"));
    notifyAll();
  }

  private void checkOnline() throws SyncBackendException {
    if (!online) {
      throw new SyncBackendException("offline (fake)", 0, null, true, null);
    }
  }

  synchronized SyncBackend.PullResult pull(long after, int limit, Duration wait)
      throws SyncBackendException {
    checkOnline();
    long deadline = System.nanoTime() + wait.toNanos();
    while (log.size() <= after && online) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SyncBackendException("interrupted", 0, null, true, e);
      }
    }
    checkOnline();
    int from = (int) Math.min(after, log.size());
    int to = Math.min(log.size(), from + limit);
    return new SyncBackend.PullResult(
        backendId, log.size(), log.subList(from, to), log.size() - to);
  }

  synchronized SyncBackend.PushResult push(String knownBackendId, List<GlobalEvent> batch)
      throws SyncBackendException {
    checkOnline();
    pushes++;
    if (refuseToken) {
      throw new SyncBackendException("push refused: 403 Forbidden", 403, "Forbidden", false, null);
    }
    if (batch.size() > maxBatch) {
      throw new SyncBackendException(
          "push refused: 400 BatchTooLarge", 400, "BatchTooLarge", false, null);
    }
    if (knownBackendId != null && !knownBackendId.equals(backendId)) {
      return new SyncBackend.PushResult.BackendIdMismatch(backendId);
    }
    if (batch.get(0).parentSeqNum() != log.size()) {
      return new SyncBackend.PushResult.ServerAhead(log.size());
    }
    for (int i = 0; i < batch.size(); i++) {
      GlobalEvent e = batch.get(i);
      if (e.seqNum() != log.size() + 1 + i || e.parentSeqNum() != log.size() + i) {
        throw new SyncBackendException(
            "non-contiguous batch", 400, "NonContiguousBatch", false, null);
      }
    }
    log.addAll(batch);
    notifyAll();
    return new SyncBackend.PushResult.Admitted(log.size(), backendId);
  }
}
