package dev.filesync.store.internal;

import dev.filesync.store.Event;
import dev.filesync.store.EventStream;
import dev.filesync.store.FileSyncException;
import dev.filesync.store.LockStatus;
import dev.filesync.store.Query;
import dev.filesync.store.SeqNum;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.StoredEvent;
import dev.filesync.store.Subscription;
import dev.filesync.store.SyncState;
import dev.filesync.store.SyncStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@link Store}: the database, the writer lock, reactive queries and, while this process holds
 * the lock and a backend is configured, the {@link Syncer}.
 *
 * <p>Threads: callers commit and query directly (the database serializes writers); one notification
 * thread runs subscription queries and delivers results in order; one watcher thread retries the
 * writer lock and polls for commits made by other processes; the syncer owns a pull and a push
 * thread.
 */
public final class RealStore implements Store {
  private static final System.Logger LOG = System.getLogger(RealStore.class.getName());

  private final StoreConfig config;
  private final StoreDb db;
  private final WriterLock lock;
  private final String sessionId;
  private final Reactivity reactivity;
  private final ExecutorService notifier;
  private final ScheduledExecutorService watcher;
  private final CopyOnWriteArrayList<Consumer<LockStatus>> lockListeners =
      new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Runnable> closeHooks = new CopyOnWriteArrayList<>();

  /** Bumped and notified on every change that may move the upstream head or the log. */
  private final Object changes = new Object();

  private long changeCount;
  private volatile Syncer syncer;
  private StoreDb.Mode mode;
  private volatile boolean closed;
  private long lastDataVersion;

  private RealStore(StoreConfig config, StoreDb db, WriterLock lock, String sessionId) {
    this.config = config;
    this.sessionId = sessionId;
    this.db = db;
    this.lock = lock;
    String name = "filesync-store-" + StoreConfig.sanitizeStoreId(config.storeId());
    this.notifier = Executors.newSingleThreadExecutor(daemon(name + "-notify"));
    this.watcher = Executors.newSingleThreadScheduledExecutor(daemon(name + "-watch"));
    this.reactivity = new Reactivity(db, notifier);
  }

  /** Opens the store: database, lock, and the syncer when the lock is ours. */
  public static Store open(StoreConfig config) throws FileSyncException {
    Objects.requireNonNull(config, "config");
    StoreDb db = null;
    try {
      Files.createDirectories(config.storeDirectory());
      String sessionId = "s-" + Ids.randomHex(6);
      db = new StoreDb(config.storeDirectory().resolve("store.db"), config.schema(), sessionId);
      RealStore store =
          new RealStore(
              config,
              db,
              new WriterLock(config.storeDirectory().resolve("writer.lock")),
              sessionId);
      store.start();
      return store;
    } catch (SQLException | IOException | RuntimeException e) {
      if (db != null) {
        try {
          db.close();
        } catch (SQLException ignored) {
          // reporting the open failure
        }
      }
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new FileSyncException(
          "cannot open store "
              + config.storeId()
              + " in "
              + config.storeDirectory()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private void start() throws SQLException, FileSyncException {
    StoreDb.Mode wanted = config.syncBackend() == null ? StoreDb.Mode.LOCAL : StoreDb.Mode.SYNCED;
    mode = db.open(config.clientId(), wanted);
    if (mode == StoreDb.Mode.LOCAL && config.syncBackend() != null) {
      throw new FileSyncException(
          "store "
              + config.storeId()
              + " was created local-only: it confirmed its own events and cannot join a sync"
              + " backend's history; open it without a sync backend, or start a new store");
    }
    lastDataVersion = db.externalDataVersion();
    boolean leader = lock.tryAcquire();
    if (leader) {
      becomeLeader();
    }
    long poll = config.externalChangePollInterval().toMillis();
    watcher.scheduleWithFixedDelay(this::watchExternalChanges, poll, poll, TimeUnit.MILLISECONDS);
    if (!leader) {
      long retry = config.lockRetryInterval().toMillis();
      watcher.scheduleWithFixedDelay(this::retryLock, retry, retry, TimeUnit.MILLISECONDS);
    }
  }

  private void retryLock() {
    if (closed || lock.held()) {
      return;
    }
    if (lock.tryAcquire()) {
      LOG.log(System.Logger.Level.INFO, "store {0}: took over the writer lock", config.storeId());
      becomeLeader();
      for (Consumer<LockStatus> l : lockListeners) {
        notifier.execute(() -> l.accept(LockStatus.HAS_LOCK));
      }
    }
  }

  private synchronized void becomeLeader() {
    if (closed || config.syncBackend() == null || syncer != null) {
      return;
    }
    syncer = new Syncer(config, db, this::afterWrite);
    syncer.start();
  }

  private void watchExternalChanges() {
    if (closed) {
      return;
    }
    try {
      long v = db.externalDataVersion();
      if (v != lastDataVersion) {
        lastDataVersion = v;
        afterWrite(null);
      }
    } catch (SQLException e) {
      if (!closed) {
        LOG.log(
            System.Logger.Level.WARNING,
            "store {0}: cannot poll for changes: {1}",
            config.storeId(),
            e.getMessage());
      }
    }
  }

  /**
   * After any write: re-run the subscriptions that read {@code tables} (all when {@code null}),
   * wake event streams and waiters, and wake the pusher.
   */
  void afterWrite(Set<String> tables) {
    synchronized (changes) {
      changeCount++;
      changes.notifyAll();
    }
    reactivity.tablesChanged(tables);
    Syncer s = syncer;
    if (s != null) {
      s.wakePusher();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store " + config.storeId() + " is closed");
    }
  }

  @Override
  public String storeId() {
    return config.storeId();
  }

  @Override
  public String clientId() {
    return db.clientId();
  }

  @Override
  public String sessionId() {
    return sessionId;
  }

  @Override
  public SeqNum commit(Event<?>... events) throws FileSyncException {
    checkOpen();
    if (events.length == 0) {
      throw new IllegalArgumentException("commit needs at least one event");
    }
    StoreDb.Written<SeqNum> w = db.commit(List.of(events), mode == StoreDb.Mode.LOCAL);
    afterWrite(w.tables());
    return w.value();
  }

  @Override
  public <T> T query(Query<T> query) {
    checkOpen();
    return reactivity.run(query);
  }

  @Override
  public <T> Subscription subscribe(Query<T> query, Consumer<? super T> listener) {
    checkOpen();
    return reactivity.subscribe(query, listener);
  }

  @Override
  public <T> Flow.Publisher<T> publisher(Query<T> query) {
    checkOpen();
    return new QueryPublisher<>(this, query);
  }

  @Override
  public EventStream confirmedEvents(SeqNum after, Set<String> names) {
    checkOpen();
    Set<String> filter = Set.copyOf(names);
    return new EventStream() {
      private SeqNum position = Objects.requireNonNull(after, "after");
      private volatile boolean ended;

      @Override
      public List<StoredEvent> poll(int max, Duration timeout) throws InterruptedException {
        if (max < 1) {
          throw new IllegalArgumentException("max must be >= 1: " + max);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended && !closed) {
          long seen;
          synchronized (changes) {
            seen = changeCount;
          }
          List<StoredEvent> events;
          try {
            events = db.confirmedEvents(position, filter, max);
          } catch (SQLException e) {
            if (closed) {
              return List.of();
            }
            throw new UncheckedIOException(
                new FileSyncException("cannot read the event log: " + e.getMessage(), e));
          }
          if (!events.isEmpty()) {
            position = events.get(events.size() - 1).seqNum();
            return events;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return List.of();
          }
          synchronized (changes) {
            if (changeCount == seen && !ended && !closed) {
              TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
          }
        }
        return List.of();
      }

      @Override
      public SeqNum position() {
        return position;
      }

      @Override
      public void close() {
        ended = true;
        synchronized (changes) {
          changes.notifyAll();
        }
      }
    };
  }

  @Override
  public SyncState syncState() {
    checkOpen();
    try {
      StoreDb.Snapshot s = db.snapshot();
      Syncer sy = syncer;
      SyncStatus status;
      String lastError = null;
      long backendHead = -1;
      if (mode == StoreDb.Mode.LOCAL) {
        status = SyncStatus.LOCAL_ONLY;
        backendHead = s.upstreamHead();
      } else if (config.syncBackend() == null) {
        status = SyncStatus.OFFLINE;
        lastError = "no sync backend in this process: commits stay pending for one that has it";
      } else if (sy == null) {
        status = SyncStatus.NOT_LEADER;
      } else {
        status = sy.status();
        lastError = sy.lastError();
        backendHead = sy.backendHead();
      }
      return new SyncState(
          s.localHead(),
          s.upstreamHead(),
          s.pendingEvents(),
          backendHead,
          s.backendId(),
          status,
          lastError);
    } catch (SQLException e) {
      throw new UncheckedIOException(
          new FileSyncException("cannot read the sync state: " + e.getMessage(), e));
    }
  }

  @Override
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long seen;
      synchronized (changes) {
        seen = changeCount;
      }
      SyncState s = syncState();
      // without the lock this process cannot see the backend: the lock holder's confirmations are
      // all it can wait for
      if (s.pendingEvents() == 0
          && (s.status() == SyncStatus.LOCAL_ONLY
              || s.status() == SyncStatus.NOT_LEADER
              || (s.status() == SyncStatus.ONLINE && s.backendHead() == s.upstreamHead()))) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      synchronized (changes) {
        if (changeCount == seen) {
          TimeUnit.NANOSECONDS.timedWait(
              changes, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
      }
    }
  }

  @Override
  public void syncNow() {
    Syncer s = syncer;
    if (s != null) {
      s.wakeAll();
    }
  }

  @Override
  public LockStatus lockStatus() {
    return lock.held() ? LockStatus.HAS_LOCK : LockStatus.NO_LOCK;
  }

  @Override
  public Subscription onLockStatus(Consumer<LockStatus> listener) {
    lockListeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> lockListeners.remove(listener);
  }

  /** Every event of the local log, in order; for tests and tools. */
  public List<StoredEvent> localLog() throws FileSyncException {
    try {
      return db.allEvents();
    } catch (SQLException e) {
      throw new FileSyncException("cannot read the event log: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code hook} when the store closes (publishers complete their subscribers); the returned
   * action unregisters it.
   */
  Runnable onClose(Runnable hook) {
    closeHooks.add(hook);
    return () -> closeHooks.remove(hook);
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    for (Runnable hook : closeHooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "close hook failed", e);
      }
    }
    Syncer s = syncer;
    if (s != null) {
      s.stop();
    }
    watcher.shutdownNow();
    reactivity.close();
    notifier.shutdown();
    synchronized (changes) {
      changes.notifyAll();
    }
    try {
      watcher.awaitTermination(5, TimeUnit.SECONDS);
      notifier.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      db.close();
    } catch (SQLException e) {
      throw new FileSyncException("cannot close store database: " + e.getMessage(), e);
    } finally {
      lock.release();
      if (config.syncBackend() != null) {
        config.syncBackend().close();
      }
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
