package dev.filesync.store.internal;

import dev.filesync.store.BackendResetPolicy;
import dev.filesync.store.GlobalEvent;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.SyncBackend;
import dev.filesync.store.SyncBackend.PullResult;
import dev.filesync.store.SyncBackend.PushResult;
import dev.filesync.store.SyncBackendException;
import dev.filesync.store.SyncStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The sync client of the process that holds the writer lock: a pull thread that long-polls the
 * backend from the upstream head and applies each page (confirming or rebasing), and a push thread
 * that offers the pending synced events in batches. Both back off exponentially, with jitter, while
 * the backend is unreachable, and {@link #wakeAll()} cuts a backoff short.
 *
 * <p>Neither thread keeps log state in memory: each round reads the database, so commits made by
 * other processes on the same data directory are pushed as well.
 */
final class Syncer {
  private static final System.Logger LOG = System.getLogger(Syncer.class.getName());

  private final StoreConfig config;
  private final SyncBackend backend;
  private final StoreDb db;
  private final Consumer<Set<String>> afterWrite;
  private final Object signal = new Object();
  private long pushWakeups;
  private long pullWakeups;
  private volatile boolean running;

  /** Set by {@link BackendResetPolicy#HALT}: nothing clears it but a restart. */
  private volatile boolean haltedForGood;

  private volatile SyncStatus status = SyncStatus.OFFLINE;
  private volatile String lastError;

  /**
   * The highest backend head seen; answers can arrive out of order, so it only grows (until a
   * reset).
   */
  private final java.util.concurrent.atomic.AtomicLong backendHead =
      new java.util.concurrent.atomic.AtomicLong(-1);

  private Thread puller;
  private Thread pusher;

  Syncer(StoreConfig config, StoreDb db, Consumer<Set<String>> afterWrite) {
    this.config = config;
    this.backend = config.syncBackend();
    this.db = db;
    this.afterWrite = afterWrite;
  }

  void start() {
    running = true;
    String name = "filesync-sync-" + StoreConfig.sanitizeStoreId(config.storeId());
    puller = Thread.ofPlatform().daemon().name(name + "-pull").start(this::pullLoop);
    pusher = Thread.ofPlatform().daemon().name(name + "-push").start(this::pushLoop);
  }

  SyncStatus status() {
    return status;
  }

  String lastError() {
    return lastError;
  }

  long backendHead() {
    return backendHead.get();
  }

  private void sawBackendHead(long head) {
    backendHead.accumulateAndGet(head, Math::max);
  }

  void wakePusher() {
    synchronized (signal) {
      pushWakeups++;
      signal.notifyAll();
    }
  }

  void wakeAll() {
    synchronized (signal) {
      pushWakeups++;
      pullWakeups++;
      signal.notifyAll();
    }
    Thread p = puller;
    if (p != null) {
      // a long poll in progress is cut short so that the pull restarts now
      p.interrupt();
    }
  }

  void stop() {
    running = false;
    synchronized (signal) {
      signal.notifyAll();
    }
    for (Thread t : new Thread[] {puller, pusher}) {
      if (t != null) {
        t.interrupt();
      }
    }
    for (Thread t : new Thread[] {puller, pusher}) {
      if (t != null) {
        try {
          t.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void pullLoop() {
    Backoff backoff = new Backoff();
    // the first pull, and the first after a failure, do not wait: they learn the backend's head
    boolean moreKnown = true;
    while (running) {
      long wakeups;
      synchronized (signal) {
        wakeups = pullWakeups;
      }
      try {
        long after = db.readUpstreamHead();
        Duration wait = moreKnown ? Duration.ZERO : config.pullWait();
        PullResult page = backend.pull(config.storeId(), after, config.pullPageSize(), wait);
        if (!running) {
          return;
        }
        if (!checkBackendId(page.backendId())) {
          return;
        }
        sawBackendHead(page.head());
        StoreDb.Written<StoreDb.ApplyOutcome> w = db.applyUpstream(page.events());
        online();
        backoff.reset();
        afterWrite.accept(w.tables());
        wakePusher();
        if (w.value() == StoreDb.ApplyOutcome.GAP) {
          // the page did not continue from our head: pull again, but not in a tight loop
          moreKnown = true;
          backoff.pause(true);
        } else {
          moreKnown = page.remaining() > 0;
        }
      } catch (SyncBackendException e) {
        if (!running) {
          return;
        }
        moreKnown = true;
        if (wokenSince(wakeups)) {
          // syncNow() cut a long poll short: not a failure of the backend
        } else {
          failed(e);
          backoff.pause(true);
        }
      } catch (SQLException e) {
        if (!running) {
          return;
        }
        lastError = "database: " + e.getMessage();
        LOG.log(
            System.Logger.Level.WARNING,
            "store {0}: pull failed on the database: {1}",
            config.storeId(),
            e.getMessage());
        backoff.pause(true);
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        lastError = e.toString();
        LOG.log(System.Logger.Level.ERROR, "store " + config.storeId() + ": pull failed", e);
        backoff.pause(true);
      }
      Thread.interrupted(); // a wakeAll() during the round only meant "pull again now"
      synchronized (signal) {
        if (pullWakeups != wakeups) {
          moreKnown = true; // the wake-up may have missed the long poll: pull again without waiting
        }
      }
    }
  }

  private void pushLoop() {
    Backoff backoff = new Backoff();
    int batchSize = config.pushBatchSize();
    while (running) {
      long seen;
      synchronized (signal) {
        seen = pushWakeups;
      }
      try {
        StoreDb.PendingBatch pending = db.pendingBatch(batchSize);
        List<GlobalEvent> batch = pending.events();
        if (batch.isEmpty()) {
          awaitPushSignal(seen, Duration.ofSeconds(5));
          continue;
        }
        PushResult r = backend.push(config.storeId(), pending.backendId(), batch);
        if (!running) {
          return;
        }
        switch (r) {
          case PushResult.Admitted a -> {
            sawBackendHead(a.head());
            online();
            backoff.reset();
            batchSize = config.pushBatchSize();
            if (!checkBackendId(a.backendId())) {
              return;
            }
            StoreDb.Written<Boolean> w = db.confirmPushed(batch);
            afterWrite.accept(w.tables());
          }
          case PushResult.ServerAhead ahead -> {
            // the pull thread brings the newer events and rebases; push again once it has
            sawBackendHead(ahead.head());
            online();
            backoff.reset();
            awaitPushSignal(seen, Duration.ofSeconds(1));
          }
          case PushResult.BackendIdMismatch m -> {
            if (!checkBackendId(m.backendId())) {
              return;
            }
          }
        }
      } catch (SyncBackendException e) {
        if (!running) {
          return;
        }
        if (!e.retryable() && batchSize > 1 && isTooBig(e)) {
          // the server's limits are lower than ours: send smaller batches at once
          batchSize = Math.max(1, batchSize / 2);
          LOG.log(
              System.Logger.Level.INFO,
              "store {0}: push refused as too large ({1}); batches of {2} from now on",
              config.storeId(),
              e.getMessage(),
              batchSize);
          continue;
        }
        if (e.retryable()) {
          failed(e);
        } else {
          refused(e);
        }
        backoff.pause(false);
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        lastError = e.toString();
        LOG.log(System.Logger.Level.WARNING, "store " + config.storeId() + ": push failed", e);
        backoff.pause(false);
      }
    }
  }

  private static boolean isTooBig(SyncBackendException e) {
    return e.status() == 413
        || "BatchTooLarge".equals(e.code())
        || "PayloadTooLarge".equals(e.code());
  }

  /**
   * The backend refused a push for good (a bad token, a store not granted, an event it will never
   * admit): syncing is {@link SyncStatus#HALTED} until the cause goes away. The client keeps
   * retrying at the longest backoff, since a token supplier may hand out a new token.
   */
  private void refused(SyncBackendException e) {
    lastError = e.getMessage();
    status = SyncStatus.HALTED;
    LOG.log(
        System.Logger.Level.ERROR,
        "store {0}: the backend refused a push: {1}",
        config.storeId(),
        e.getMessage());
    afterWrite.accept(Set.of());
  }

  private boolean wokenSince(long pullWakeupsSeen) {
    synchronized (signal) {
      return pullWakeups != pullWakeupsSeen;
    }
  }

  /**
   * Checks the backend's identity: remembers it on first contact, applies the reset policy when it
   * changed. Returns whether syncing goes on.
   */
  private synchronized boolean checkBackendId(String seen) throws SQLException {
    if (seen == null) {
      return true;
    }
    String known = db.backendId();
    if (known == null) {
      db.setBackendId(seen);
      return true;
    }
    if (known.equals(seen)) {
      return true;
    }
    if (config.backendResetPolicy() == BackendResetPolicy.HALT) {
      lastError =
          "the sync backend changed identity from "
              + known
              + " to "
              + seen
              + "; syncing is halted (BackendResetPolicy.HALT)";
      status = SyncStatus.HALTED;
      haltedForGood = true;
      LOG.log(System.Logger.Level.ERROR, "store {0}: {1}", config.storeId(), lastError);
      running = false;
      synchronized (signal) {
        signal.notifyAll();
      }
      return false;
    }
    StoreDb.Written<Integer> w = db.resetToBackend(seen);
    backendHead.set(-1);
    LOG.log(
        System.Logger.Level.WARNING,
        "store {0}: the sync backend changed identity from {1} to {2}; adopted its history, kept {3} local events",
        config.storeId(),
        known,
        seen,
        w.value());
    afterWrite.accept(null);
    wakeAll();
    return true;
  }

  private void online() {
    if (!haltedForGood) {
      status = SyncStatus.ONLINE;
      lastError = null;
    }
  }

  private void failed(SyncBackendException e) {
    lastError = e.getMessage();
    if (!haltedForGood) {
      status = e.retryable() ? SyncStatus.OFFLINE : SyncStatus.HALTED;
    }
    LOG.log(
        System.Logger.Level.DEBUG,
        "store {0}: sync exchange failed: {1}",
        config.storeId(),
        e.getMessage());
    afterWrite.accept(Set.of());
  }

  private void awaitPushSignal(long seen, Duration max) {
    synchronized (signal) {
      try {
        long deadline = System.nanoTime() + max.toNanos();
        while (running && pushWakeups == seen) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(signal, left);
        }
      } catch (InterruptedException e) {
        // stop() interrupts; the loop checks running
      }
    }
  }

  /** Exponential backoff with jitter in [0.8, 1.2), from minBackoff up to maxBackoff. */
  private final class Backoff {
    private long nextMillis = config.minBackoff().toMillis();

    void reset() {
      nextMillis = config.minBackoff().toMillis();
    }

    void pause(boolean pull) {
      long delay = (long) (nextMillis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
      nextMillis = Math.min(nextMillis * 2, config.maxBackoff().toMillis());
      synchronized (signal) {
        long seen = pull ? pullWakeups : pushWakeups;
        long deadline =
            System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(delay);
        try {
          while (running && (pull ? pullWakeups : pushWakeups) == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              return;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(signal, left);
          }
        } catch (InterruptedException e) {
          // woken by wakeAll() or stop()
        }
      }
    }
  }
}
