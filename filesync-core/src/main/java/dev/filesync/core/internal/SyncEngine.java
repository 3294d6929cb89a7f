package dev.filesync.core.internal;

import dev.filesync.core.FileSyncEvent;
import dev.filesync.core.FileSyncEvent.Direction;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.FileSyncSchema.FileSyncCursor;
import dev.filesync.core.FileSyncSchema.FileSyncCursorSet;
import dev.filesync.core.FileSyncSchema.FileUpdated;
import dev.filesync.core.FileSyncSchema.LocalFileStateRemove;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorageException;
import dev.filesync.core.Scheduler;
import dev.filesync.core.internal.Rows.FileRow;
import dev.filesync.core.internal.Rows.LocalState;
import dev.filesync.store.ArgField;
import dev.filesync.store.Event;
import dev.filesync.store.EventStream;
import dev.filesync.store.LockStatus;
import dev.filesync.store.SeqNum;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.StoredEvent;
import dev.filesync.store.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The sync engine. All mutable engine state is owned by one thread ({@code filesync-engine}): every
 * public method posts a command to it. Transfers and health checks run on the transfer executor and
 * post their results back. The follower thread reads confirmed file events and hands each batch to
 * the engine thread, then persists the cursor. See {@code docs/engine.md}.
 */
public final class SyncEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SyncEngine.class.getName());
  private static final Set<String> FILE_EVENTS =
      Set.of(
          FileSyncSchema.FILE_CREATED.name(),
          FileSyncSchema.FILE_UPDATED.name(),
          FileSyncSchema.FILE_DELETED.name());
  private static final String QUEUED = "queued";
  private static final String IN_PROGRESS = "inProgress";
  private static final String DONE = "done";
  private static final String ERROR = "error";

  /**
   * What the engine needs.
   *
   * @param store the store
   * @param content local bytes
   * @param guard content removal guard
   * @param remote remote storage, or {@code null} for local-only
   * @param uploadConcurrency uploads at once
   * @param downloadConcurrency downloads at once
   * @param maxAttempts attempts per transfer
   * @param baseDelay first retry delay
   * @param maxDelay longest retry delay
   * @param healthInterval health check period
   * @param clock timestamps
   * @param scheduler delays
   * @param executor transfers
   * @param random jitter
   * @param events event sink
   */
  public record Settings(
      Store store,
      LocalContent content,
      ContentGuard guard,
      RemoteStorage remote,
      int uploadConcurrency,
      int downloadConcurrency,
      int maxAttempts,
      Duration baseDelay,
      Duration maxDelay,
      Duration healthInterval,
      Clock clock,
      Scheduler scheduler,
      Executor executor,
      RandomGenerator random,
      EventHub events) {}

  private final Settings s;
  private final Store store;
  private final LocalContent content;
  private final RemoteStorage remote;
  private final String keyPrefix;
  private final ExecutorService engineThread;
  private final AtomicInteger pendingCommands = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicBoolean closing =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Object idleMonitor = new Object();
  private final Subscription lockSubscription;

  // ---- owned by the engine thread ----
  private boolean leader;
  private boolean online = true;
  private boolean paused;
  private volatile boolean closed; // written by the engine thread only
  private int generation;
  private final Direction[] directions = Direction.values();
  private final Map<Direction, LinkedHashSet<String>> queues = new HashMap<>();
  private final LinkedHashSet<String> priority = new LinkedHashSet<>();
  private final Map<Direction, Map<String, Transfer>> inflight = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, Scheduler.Cancellable> retryTimers = new HashMap<>();
  private final Set<String> failedReconciles = new LinkedHashSet<>();
  private Scheduler.Cancellable healthTimer;
  private Scheduler.Cancellable reconcileTimer;
  private boolean healthCheckRunning;
  private boolean healthRecheck;
  private Thread follower;
  private EventStream stream;

  // ---- published for awaitIdle ----
  private volatile boolean engineIdle = true;
  private volatile long followerCaughtUpTo = -1;
  private volatile boolean leaderFlag;
  private volatile boolean onlineFlag = true;
  private volatile boolean pausedFlag;

  /** One running attempt. */
  private static final class Transfer {
    final Direction direction;
    final String fileId;
    final String hash;
    final String key;
    final int attempt;
    final int generation;
    volatile Thread thread;

    /** System.nanoTime() of the last byte moved (or of the start). */
    volatile long lastProgress = System.nanoTime();

    boolean rerun;

    Transfer(Direction d, String fileId, String hash, String key, int attempt, int generation) {
      this.direction = d;
      this.fileId = fileId;
      this.hash = hash;
      this.key = key;
      this.attempt = attempt;
      this.generation = generation;
    }
  }

  private record Outcome(boolean ok, boolean retryable, boolean healthy, String message) {
    static final Outcome OK = new Outcome(true, false, true, "");
  }

  /** Creates the engine; it starts when this process holds the store's writer lock. */
  public SyncEngine(Settings settings) {
    this.s = settings;
    this.store = settings.store();
    this.content = settings.content();
    this.remote = settings.remote();
    this.keyPrefix = StoreConfig.sanitizeStoreId(store.storeId()) + "/";
    for (Direction d : directions) {
      queues.put(d, new LinkedHashSet<>());
      inflight.put(d, new HashMap<>());
    }
    this.engineThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "filesync-engine-" + store.storeId());
              t.setDaemon(true);
              return t;
            });
    post(() -> onLock(store.lockStatus()));
    this.lockSubscription = store.onLockStatus(status -> post(() -> onLock(status)));
  }

  /** The remote key of {@code hash}: {@code <sanitized store id>/<hash>}. */
  public String remoteKey(String hash) {
    return keyPrefix + hash;
  }

  // ------------------------------------------------------------------ commands from FileSync

  /** A file row changed in this process: reconcile it now rather than at confirmation. */
  public void fileChanged(String fileId) {
    post(
        () -> {
          if (leader) {
            reconcileSafely(fileId);
            dispatch();
          }
        });
  }

  /** Moves a queued download to the front, or queues it when it should be downloaded. */
  public void prioritize(String fileId) {
    post(
        () -> {
          if (!leader) {
            return;
          }
          if (queues.get(Direction.DOWNLOAD).remove(fileId)) {
            priority.add(fileId);
          } else if (!priority.contains(fileId)) {
            reconcileSafely(fileId);
            if (queues.get(Direction.DOWNLOAD).remove(fileId)) {
              priority.add(fileId);
            }
          }
          dispatch();
        });
  }

  /**
   * The bytes of {@code hash} were downloaded, verified and placed into the local content outside
   * the engine (the local file endpoint streamed them to a client). The downloads of the live rows
   * holding them are recorded as done, as a queued download that finds its bytes present is in
   * {@code begin}, and they leave the queues and retry timers. A download of them already running
   * records its own end. In a process that does not run the engine nothing happens here: the leader
   * finds the bytes present when it gets to those downloads.
   */
  public void contentAdopted(String hash) {
    post(
        () -> {
          if (!leader) {
            return;
          }
          for (FileRow f : Rows.liveWithHash(store, hash)) {
            String id = f.id();
            if (inflight.get(Direction.DOWNLOAD).containsKey(id)) {
              continue;
            }
            queues.get(Direction.DOWNLOAD).remove(id);
            priority.remove(id);
            Scheduler.Cancellable timer = retryTimers.remove(key(Direction.DOWNLOAD, id));
            if (timer != null) {
              timer.cancel();
            }
            try {
              Optional<LocalState> st = Rows.state(store, id);
              if (st.isPresent()
                  && content.has(hash)
                  && (!st.get().downloadStatus().equals(DONE)
                      || !st.get().localHash().equals(hash))) {
                finishQuietly(Direction.DOWNLOAD, st.get(), f);
              }
            } catch (IOException | RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "cannot record the download of " + id, e);
            }
            reconcileSafely(id); // no state yet, or an upload to queue: the decision table says
          }
          dispatch();
        });
  }

  /** Queues again the transfers of {@code fileIds} (their rows were set back to queued). */
  public void requeue(List<String> fileIds) {
    post(
        () -> {
          if (!leader) {
            return; // the leader picks persisted queued rows up at its next start or reconnect
          }
          for (String id : fileIds) {
            attempts.remove(key(Direction.UPLOAD, id));
            attempts.remove(key(Direction.DOWNLOAD, id));
            reconcileSafely(id);
          }
          dispatch();
        });
  }

  /** Stops starting transfers (running ones finish). */
  public void pause() {
    post(
        () -> {
          paused = true;
          pausedFlag = true;
        });
  }

  /** Starts transfers again. */
  public void resume() {
    post(
        () -> {
          paused = false;
          pausedFlag = false;
          dispatch();
        });
  }

  /** Whether this process runs the engine now. */
  public boolean leader() {
    return leaderFlag;
  }

  /** Whether remote storage answered last time it was asked. */
  public boolean online() {
    return onlineFlag;
  }

  /** Whether {@link #pause()} is in effect. */
  public boolean paused() {
    return pausedFlag;
  }

  /**
   * Waits until nothing is queued, running, waiting for a retry, or unread in the confirmed event
   * stream (or this process does not run the engine).
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idleMonitor) {
      while (!idle()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Timed: the store's upstream head moves without telling us.
        idleMonitor.wait(Math.max(1, Math.min(Duration.ofNanos(left).toMillis(), 50)));
      }
      return true;
    }
  }

  private boolean idle() {
    if (closed || pendingCommands.get() > 0 || !engineIdle) {
      return pendingCommands.get() == 0 && closed;
    }
    if (!leaderFlag) {
      return true;
    }
    return followerCaughtUpTo >= 0 && followerCaughtUpTo == store.syncState().upstreamHead();
  }

  private void signalIdle() {
    synchronized (idleMonitor) {
      idleMonitor.notifyAll();
    }
  }

  // ------------------------------------------------------------------ the engine thread

  private void post(Runnable command) {
    pendingCommands.incrementAndGet();
    try {
      engineThread.execute(
          () -> {
            try {
              if (!closed) {
                command.run();
              }
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.ERROR, "engine command failed", e);
            } finally {
              // idle first, then the count: an awaiter that sees no pending command must also see
              // the state this command left
              engineIdle = computeIdle();
              pendingCommands.decrementAndGet();
              signalIdle();
            }
          });
    } catch (RejectedExecutionException e) {
      pendingCommands.decrementAndGet();
    }
  }

  private boolean computeIdle() {
    if (!leader || closed) {
      return true;
    }
    for (Direction d : directions) {
      if (!inflight.get(d).isEmpty()) {
        return false;
      }
      if (remote != null && !queues.get(d).isEmpty()) {
        return false;
      }
    }
    return priority.isEmpty() && retryTimers.isEmpty() && failedReconciles.isEmpty();
  }

  private void onLock(LockStatus status) {
    if (status == LockStatus.HAS_LOCK && !leader) {
      startLeading();
    } else if (status != LockStatus.HAS_LOCK && leader) {
      stopLeading();
    }
  }

  private void startLeading() {
    leader = true;
    leaderFlag = true;
    generation++;
    followerCaughtUpTo = -1;
    s.events().emit(new FileSyncEvent.LeadershipChanged(true));
    long head = store.syncState().upstreamHead();
    boolean reconciled = recoverAndReconcileAll();
    SeqNum cursor = Rows.cursor(store);
    if (reconciled && cursor.equals(SeqNum.ROOT) && head > 0) {
      // Every row was just reconciled: start the stream at the head seen before the scan, so
      // events that landed during it are replayed (handlers are idempotent).
      cursor = SeqNum.global(head);
      persistCursor(cursor);
    }
    startFollower(cursor);
    if (remote != null) {
      scheduleHealthCheck();
    }
    try {
      int swept = s.guard().sweep(ORPHAN_MIN_AGE, s.clock().instant());
      if (swept > 0) {
        LOG.log(
            System.Logger.Level.INFO, "removed {0} content files no live file references", swept);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "orphan sweep failed", e);
    }
    dispatch();
  }

  /**
   * How old an unreferenced content file must be before the sweep at leadership start removes it:
   * long enough that a save in another process (bytes written, row not yet committed) is done.
   */
  static final Duration ORPHAN_MIN_AGE = Duration.ofMinutes(10);

  private boolean recoverAndReconcileAll() {
    boolean ok = true;
    try {
      List<Event<?>> fixes = new ArrayList<>();
      for (LocalState st : Rows.states(store)) {
        LocalState next = st;
        for (boolean up : new boolean[] {true, false}) {
          String status = next.status(up);
          if (remote == null) {
            if (!status.equals(DONE)) {
              next = next.with(up, DONE);
            }
          } else if (status.equals(IN_PROGRESS) || status.equals(ERROR)) {
            next = next.with(up, QUEUED); // a restart retries what was running or failed
          }
        }
        if (!next.equals(st)) {
          fixes.add(FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(next.toUpsert()));
        }
      }
      if (!fixes.isEmpty()) {
        store.commit(fixes.toArray(Event<?>[]::new));
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot recover transfer states", e);
      ok = false;
    }
    List<FileRow> rows;
    try {
      rows = Rows.files(store);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot read files", e);
      scheduleReconcileRetry();
      return false;
    }
    Set<String> known = new java.util.HashSet<>();
    for (FileRow row : rows) {
      known.add(row.id());
      ok &= reconcileSafely(row.id());
    }
    for (LocalState st : Rows.states(store)) {
      if (!known.contains(st.fileId())) {
        ok &= reconcileSafely(st.fileId());
      }
    }
    return ok;
  }

  private void stopLeading() {
    leader = false;
    leaderFlag = false;
    generation++;
    stopFollower();
    cancelTimers();
    List<Event<?>> fixes = new ArrayList<>();
    for (Direction d : directions) {
      for (Transfer t : inflight.get(d).values()) {
        Thread th = t.thread;
        if (th != null) {
          th.interrupt();
        }
        Rows.state(store, t.fileId)
            .filter(st -> st.status(t.direction == Direction.UPLOAD).equals(IN_PROGRESS))
            .ifPresent(
                st ->
                    fixes.add(
                        FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(
                            st.with(t.direction == Direction.UPLOAD, QUEUED).toUpsert())));
      }
      inflight.get(d).clear();
      queues.get(d).clear();
    }
    priority.clear();
    attempts.clear();
    failedReconciles.clear();
    if (!fixes.isEmpty()) {
      try {
        store.commit(fixes.toArray(Event<?>[]::new));
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot reset running transfers to queued", e);
      }
    }
    s.events().emit(new FileSyncEvent.LeadershipChanged(false));
  }

  private void cancelTimers() {
    retryTimers.values().forEach(Scheduler.Cancellable::cancel);
    retryTimers.clear();
    if (healthTimer != null) {
      healthTimer.cancel();
      healthTimer = null;
    }
    if (reconcileTimer != null) {
      reconcileTimer.cancel();
      reconcileTimer = null;
    }
  }

  // ------------------------------------------------------------------ following events

  private void startFollower(SeqNum from) {
    int gen = generation;
    EventStream es = store.confirmedEvents(from, FILE_EVENTS);
    stream = es;
    Thread t = new Thread(() -> follow(gen, es), "filesync-follower-" + store.storeId());
    t.setDaemon(true);
    follower = t;
    t.start();
  }

  private void stopFollower() {
    if (stream != null) {
      stream.close();
      stream = null;
    }
    if (follower != null) {
      follower.interrupt();
      try {
        // It is interrupted and its stream closed, so it ends promptly; waiting here means it
        // never writes a cursor after the engine stopped.
        follower.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      follower = null;
    }
  }

  private void follow(int gen, EventStream es) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        long head = store.syncState().upstreamHead();
        List<StoredEvent> batch = es.poll(100, Duration.ofMillis(200));
        if (batch.isEmpty()) {
          followerCaughtUpTo = head;
          signalIdle();
          continue;
        }
        followerCaughtUpTo = -1;
        CompletableFuture<Boolean> handled = new CompletableFuture<>();
        post(
            () -> {
              if (generation != gen) {
                handled.complete(false);
                return;
              }
              for (StoredEvent e : batch) {
                handleEvent(e);
              }
              dispatch();
              handled.complete(true);
            });
        if (!handled.get() || Thread.currentThread().isInterrupted()) {
          return;
        }
        persistCursor(batch.get(batch.size() - 1).seqNum());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "event follower stopped", e);
    } finally {
      es.close();
    }
  }

  private void handleEvent(StoredEvent e) {
    String id;
    try {
      id =
          switch (e.name()) {
            case "v1.FileCreated" -> e.args(FileSyncSchema.FILE_CREATED).id();
            case "v1.FileUpdated" -> e.args(FileSyncSchema.FILE_UPDATED).id();
            case "v1.FileDeleted" -> e.args(FileSyncSchema.FILE_DELETED).id();
            default -> null;
          };
    } catch (RuntimeException ex) {
      LOG.log(System.Logger.Level.WARNING, "undecodable event " + e.seqNum(), ex);
      return;
    }
    if (id != null) {
      reconcileSafely(id);
    }
  }

  private void persistCursor(SeqNum seq) {
    try {
      store.commit(
          FileSyncSchema.FILE_SYNC_CURSOR_SET.of(
              new FileSyncCursorSet(
                  FileSyncSchema.CURSOR_ID,
                  new FileSyncCursor(seq.toString(), s.clock().instant()))));
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot persist the cursor " + seq, e);
    }
  }

  // ------------------------------------------------------------------ reconciliation

  /**
   * Reconciles one file; a failure is recorded in its local state and retried later, never skipped
   * silently.
   */
  private boolean reconcileSafely(String id) {
    try {
      reconcile(id);
      failedReconciles.remove(id);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot reconcile " + id, e);
      failedReconciles.add(id);
      try {
        Optional<LocalState> st = Rows.state(store, id);
        String error = "reconcile failed: " + e;
        if (st.isPresent()) {
          commitState(st.get().withError(error));
        } else {
          Optional<FileRow> row = Rows.file(store, id);
          if (row.isPresent() && row.get().live()) {
            commitState(new LocalState(id, row.get().path(), "", "pending", "pending", error));
          }
        }
      } catch (IOException | RuntimeException e2) {
        LOG.log(System.Logger.Level.WARNING, "cannot record the failure of " + id, e2);
      }
      scheduleReconcileRetry();
      return false;
    }
  }

  private void scheduleReconcileRetry() {
    if (reconcileTimer != null) {
      return;
    }
    int gen = generation;
    reconcileTimer =
        s.scheduler()
            .schedule(
                s.baseDelay(),
                () ->
                    post(
                        () -> {
                          reconcileTimer = null;
                          if (gen != generation) {
                            return;
                          }
                          for (String id : List.copyOf(failedReconciles)) {
                            reconcileSafely(id);
                          }
                          dispatch();
                        }));
  }

  /** The decision table of reference 3.6, applied to the current row. */
  private void reconcile(String id) throws IOException {
    Optional<FileRow> row = Rows.file(store, id);
    Optional<LocalState> existing = Rows.state(store, id);
    if (row.isEmpty() || !row.get().live()) {
      cancel(id);
      if (existing.isPresent()) {
        store.commit(FileSyncSchema.LOCAL_FILE_STATE_REMOVE.of(new LocalFileStateRemove(id)));
      }
      row.ifPresent(r -> s.guard().release(r.contentHash()));
      existing.ifPresent(st -> s.guard().release(st.localHash()));
      return;
    }
    FileRow f = row.get();
    if (existing.isPresent()
        && !existing.get().localHash().isEmpty()
        && !existing.get().localHash().equals(f.contentHash())) {
      s.guard().release(existing.get().localHash()); // an older version of this file
    }
    boolean local = content.has(f.contentHash());
    LocalState target;
    if (remote == null) {
      if (!local) {
        if (existing.isPresent()) {
          store.commit(FileSyncSchema.LOCAL_FILE_STATE_REMOVE.of(new LocalFileStateRemove(id)));
        }
        return;
      }
      target = new LocalState(id, f.path(), f.contentHash(), DONE, DONE, "");
    } else {
      boolean uploaded = !f.remoteKey().isEmpty();
      if (!local && !uploaded) {
        // nothing to do until a remote key arrives; but no status may claim a transfer that is
        // not running (an upload of older bytes that just ended, say)
        if (existing.isPresent()) {
          LocalState e = existing.get();
          boolean upStale =
              e.uploadStatus().equals(IN_PROGRESS)
                  && !inflight.get(Direction.UPLOAD).containsKey(id);
          boolean downStale =
              e.downloadStatus().equals(IN_PROGRESS)
                  && !inflight.get(Direction.DOWNLOAD).containsKey(id);
          if (upStale || downStale) {
            commitState(
                new LocalState(
                    id,
                    f.path(),
                    "",
                    downStale ? "pending" : e.downloadStatus(),
                    upStale ? "pending" : e.uploadStatus(),
                    e.lastSyncError()));
          }
        }
        return;
      }
      target =
          new LocalState(
              id,
              f.path(),
              local ? f.contentHash() : "",
              local ? DONE : QUEUED,
              uploaded ? DONE : QUEUED,
              "");
    }
    LocalState merged = existing.map(e -> merge(e, target)).orElse(target);
    if (existing.isEmpty() || !existing.get().equals(merged)) {
      commitState(merged);
    }
    if (remote != null) {
      if (merged.uploadStatus().equals(QUEUED)) {
        enqueue(Direction.UPLOAD, id);
      }
      if (merged.downloadStatus().equals(QUEUED)) {
        enqueue(Direction.DOWNLOAD, id);
      }
    }
  }

  private LocalState merge(LocalState e, LocalState next) {
    // an upload that ran out of attempts stays in error for the same bytes until retryErrors()
    // (or new bytes) says otherwise: another event about the file must not silently re-queue it
    boolean keepUp =
        active(Direction.UPLOAD, e.fileId(), e.uploadStatus())
            || (e.uploadStatus().equals(ERROR)
                && next.uploadStatus().equals(QUEUED)
                && e.localHash().equals(next.localHash()));
    boolean keepDown = active(Direction.DOWNLOAD, e.fileId(), e.downloadStatus());
    String up = keepUp ? e.uploadStatus() : next.uploadStatus();
    String down = keepDown ? e.downloadStatus() : next.downloadStatus();
    String error = keepUp || keepDown ? e.lastSyncError() : "";
    return new LocalState(next.fileId(), next.path(), next.localHash(), down, up, error);
  }

  /**
   * Whether a status is not to be downgraded by reconciliation: {@code queued}, or {@code
   * inProgress} while that transfer really is in flight. An {@code inProgress} left by a transfer
   * that has ended (a stale upload whose row moved on, say) is re-decided, else it would stay
   * {@code inProgress} with nothing running.
   */
  private boolean active(Direction d, String fileId, String status) {
    return status.equals(QUEUED)
        || (status.equals(IN_PROGRESS) && inflight.get(d).containsKey(fileId));
  }

  private void commitState(LocalState st) throws IOException {
    store.commit(FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(st.toUpsert()));
  }

  private void cancel(String id) {
    for (Direction d : directions) {
      queues.get(d).remove(id);
      Scheduler.Cancellable timer = retryTimers.remove(key(d, id));
      if (timer != null) {
        timer.cancel();
      }
      attempts.remove(key(d, id));
    }
    priority.remove(id);
  }

  private static String key(Direction d, String id) {
    return d.name() + ":" + id;
  }

  private void enqueue(Direction d, String id) {
    Transfer running = inflight.get(d).get(id);
    if (running != null) {
      running.rerun = true; // re-examined when it ends (the reference lost these: 9.B9)
      return;
    }
    if (retryTimers.containsKey(key(d, id)) || (d == Direction.DOWNLOAD && priority.contains(id))) {
      return;
    }
    queues.get(d).add(id);
  }

  // ------------------------------------------------------------------ transfers

  private void dispatch() {
    if (!leader || paused || !online || remote == null || closed) {
      return;
    }
    for (Direction d : directions) {
      int max = d == Direction.UPLOAD ? s.uploadConcurrency() : s.downloadConcurrency();
      while (inflight.get(d).size() < max) {
        String id = next(d);
        if (id == null) {
          break;
        }
        try {
          begin(d, id);
        } catch (IOException | RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "cannot start " + d + " of " + id, e);
          failedReconciles.add(id);
          scheduleReconcileRetry();
        }
      }
    }
  }

  private String next(Direction d) {
    LinkedHashSet<String> q =
        d == Direction.DOWNLOAD && !priority.isEmpty() ? priority : queues.get(d);
    Iterator<String> it = q.iterator();
    if (!it.hasNext()) {
      return null;
    }
    String id = it.next();
    it.remove();
    return id;
  }

  private void begin(Direction d, String id) throws IOException {
    boolean up = d == Direction.UPLOAD;
    Optional<FileRow> row = Rows.file(store, id);
    Optional<LocalState> st = Rows.state(store, id);
    if (row.isEmpty() || !row.get().live() || st.isEmpty()) {
      reconcile(id);
      return;
    }
    FileRow f = row.get();
    String key = remoteKey(f.contentHash());
    if (up) {
      if (key.equals(f.remoteKey())) {
        finishQuietly(d, st.get(), f);
        return;
      }
      // Dedup: another live row with the same bytes is already uploaded, so the object exists.
      boolean elsewhere =
          Rows.liveWithHash(store, f.contentHash()).stream()
              .anyMatch(o -> key.equals(o.remoteKey()));
      if (elsewhere) {
        publishRemoteKey(id, f.contentHash(), key);
        return;
      }
    } else {
      if (f.remoteKey().isEmpty()) {
        return; // not downloadable yet; a FileUpdated with a key re-queues it
      }
      if (content.has(f.contentHash()) && content.verify(f.contentHash())) {
        finishQuietly(d, st.get(), f);
        return;
      }
      String hash = f.contentHash();
      if (inflight.get(d).values().stream().anyMatch(t -> t.hash.equals(hash))) {
        return; // one download serves every row with these bytes; siblings reconcile after it
      }
    }
    int attempt = attempts.merge(key(d, id), 1, Integer::sum);
    commitState(st.get().with(up, IN_PROGRESS));
    Transfer t =
        new Transfer(d, id, f.contentHash(), up ? key : f.remoteKey(), attempt, generation);
    inflight.get(d).put(id, t);
    s.guard().pin(t.hash);
    s.events().emit(new FileSyncEvent.TransferStarted(d, id, attempt));
    String mime = f.mimeType();
    try {
      s.executor().execute(() -> run(t, mime));
      watchForStall(t);
    } catch (RejectedExecutionException e) {
      s.guard().unpin(t.hash);
      inflight.get(d).remove(id);
      throw e;
    }
  }

  private void finishQuietly(Direction d, LocalState st, FileRow f) throws IOException {
    LocalState done =
        d == Direction.UPLOAD
            ? st.with(true, DONE).withError("")
            : new LocalState(f.id(), f.path(), f.contentHash(), DONE, st.uploadStatus(), "");
    if (!done.equals(st)) {
      commitState(done);
    }
    attempts.remove(key(d, f.id()));
    s.events().emit(new FileSyncEvent.TransferCompleted(d, f.id()));
  }

  /**
   * How long a transfer may move no byte before it is interrupted (and so fails, retryably): a
   * half-open connection would otherwise hold its slot, and its file in {@code inProgress}, for
   * good.
   */
  static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The stall watchdog runs on real time, not on the injected scheduler: it measures bytes moved
   * per wall-clock interval, and tests that drive the scheduler by hand must not see its timers.
   */
  private final java.util.concurrent.ScheduledExecutorService stallWatch =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("filesync-stall-watch").unstarted(r));

  private void watchForStall(Transfer t) {
    if (closing.get()) {
      return;
    }
    try {
      stallWatch.schedule(
          () ->
              post(
                  () -> {
                    if (inflight.get(t.direction).get(t.fileId) != t) {
                      return; // it ended
                    }
                    Thread th = t.thread;
                    if (th != null
                        && System.nanoTime() - t.lastProgress > STALL_TIMEOUT.toNanos()) {
                      LOG.log(
                          System.Logger.Level.WARNING,
                          "{0} of {1} moved no byte for {2}: interrupting it",
                          t.direction,
                          t.fileId,
                          STALL_TIMEOUT);
                      th.interrupt();
                    }
                    watchForStall(t);
                  }),
          STALL_TIMEOUT.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closingNow) {
      // the engine is closing: nothing left to watch
    }
  }

  /** Runs on the transfer executor; posts the outcome to the engine thread. */
  private void run(Transfer t, String mime) {
    t.thread = Thread.currentThread();
    Outcome outcome;
    try {
      outcome = t.direction == Direction.UPLOAD ? upload(t, mime) : download(t);
    } catch (RuntimeException e) {
      outcome = new Outcome(false, true, true, e.toString());
    } finally {
      t.thread = null;
      Thread.interrupted(); // do not leak an interrupt into the pool
      s.guard().unpin(t.hash);
    }
    if (!outcome.ok() && outcome.retryable()) {
      boolean healthy;
      try {
        healthy = remote.healthy();
      } catch (RuntimeException e) {
        healthy = false;
      }
      outcome = new Outcome(false, true, healthy, outcome.message());
    }
    Outcome o = outcome;
    post(() -> finish(t, o));
  }

  private Outcome upload(Transfer t, String mime) {
    try {
      if (!content.verify(t.hash)) {
        return new Outcome(false, false, true, "local copy missing or corrupt: " + t.hash);
      }
      Path file = content.path(t.hash);
      long size = Files.size(file);
      remote.upload(
          t.key,
          file,
          size,
          t.hash,
          mime,
          (done, total) -> {
            t.lastProgress = System.nanoTime();
            s.events()
                .emit(new FileSyncEvent.TransferProgress(Direction.UPLOAD, t.fileId, done, total));
          });
      return Outcome.OK;
    } catch (RemoteStorageException e) {
      return new Outcome(false, e.retryable(), true, describe(e));
    } catch (IOException e) {
      return new Outcome(false, true, true, e.toString());
    }
  }

  private static String describe(RemoteStorageException e) {
    return "RemoteStorageException: "
        + e.getMessage()
        + (e.status() > 0 ? " (status " + e.status() + ")" : "");
  }

  private Outcome download(Transfer t) {
    Path temp = null;
    try {
      temp = content.newTempFile();
      remote.download(
          t.key,
          temp,
          (done, total) -> {
            t.lastProgress = System.nanoTime();
            s.events()
                .emit(
                    new FileSyncEvent.TransferProgress(Direction.DOWNLOAD, t.fileId, done, total));
          });
      content.adopt(temp, t.hash);
      temp = null;
      return Outcome.OK;
    } catch (RemoteStorageException e) {
      return new Outcome(false, e.retryable(), true, describe(e));
    } catch (LocalContent.ContentMismatchException e) {
      temp = null;
      return new Outcome(false, true, true, e.toString());
    } catch (IOException e) {
      return new Outcome(false, true, true, e.toString());
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          LOG.log(System.Logger.Level.DEBUG, "cannot remove " + temp, e);
        }
      }
    }
  }

  private void finish(Transfer t, Outcome o) {
    if (t.generation != generation || inflight.get(t.direction).get(t.fileId) != t) {
      return; // from an earlier leadership session
    }
    inflight.get(t.direction).remove(t.fileId);
    try {
      if (o.ok()) {
        succeeded(t);
      } else {
        failed(t, o);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot record the end of " + t.fileId, e);
      failedReconciles.add(t.fileId);
      scheduleReconcileRetry();
    }
    if (t.rerun) {
      reconcileSafely(t.fileId);
    }
    if (t.direction == Direction.DOWNLOAD) {
      // Rows with the same bytes waited for this download: now done, or queued again.
      for (FileRow other : Rows.liveWithHash(store, t.hash)) {
        if (!other.id().equals(t.fileId)) {
          reconcileSafely(other.id());
        }
      }
    }
    dispatch();
  }

  private void succeeded(Transfer t) throws IOException {
    attempts.remove(key(t.direction, t.fileId));
    if (t.direction == Direction.UPLOAD) {
      publishRemoteKey(t.fileId, t.hash, t.key);
    } else {
      Optional<FileRow> row = Rows.file(store, t.fileId);
      if (row.isPresent() && row.get().live() && row.get().contentHash().equals(t.hash)) {
        Optional<LocalState> st = Rows.state(store, t.fileId);
        commitState(
            new LocalState(
                t.fileId,
                row.get().path(),
                t.hash,
                DONE,
                st.map(LocalState::uploadStatus).orElse(DONE),
                ""));
        s.events().emit(new FileSyncEvent.TransferCompleted(t.direction, t.fileId));
      } else {
        s.events().emit(new FileSyncEvent.TransferCompleted(t.direction, t.fileId));
        reconcile(t.fileId); // deleted or replaced meanwhile
      }
      s.guard().release(t.hash);
    }
  }

  /** Commits the remote key only if the row still holds the uploaded bytes (reference 9.B2). */
  private void publishRemoteKey(String id, String hash, String key) throws IOException {
    Optional<FileRow> row = Rows.file(store, id);
    if (row.isEmpty() || !row.get().live() || !row.get().contentHash().equals(hash)) {
      s.events().emit(new FileSyncEvent.TransferCompleted(Direction.UPLOAD, id));
      reconcile(id); // stale: the row moved on; its new content is reconciled instead
      return;
    }
    FileRow f = row.get();
    List<Event<?>> events = new ArrayList<>();
    events.add(
        FileSyncSchema.FILE_UPDATED.of(
            new FileUpdated(id, f.path(), key, hash, ArgField.absent(), s.clock().instant())));
    Rows.state(store, id)
        .ifPresent(
            st ->
                events.add(
                    FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(
                        st.with(true, DONE).withError("").toUpsert())));
    store.commit(events.toArray(Event<?>[]::new));
    attempts.remove(key(Direction.UPLOAD, id));
    s.events().emit(new FileSyncEvent.TransferCompleted(Direction.UPLOAD, id));
  }

  private void failed(Transfer t, Outcome o) throws IOException {
    boolean up = t.direction == Direction.UPLOAD;
    String k = key(t.direction, t.fileId);
    Optional<LocalState> st = Rows.state(store, t.fileId);
    Optional<FileRow> row = Rows.file(store, t.fileId);
    if (st.isEmpty() || row.isEmpty() || !row.get().live()) {
      attempts.remove(k);
      reconcile(t.fileId);
      return;
    }
    if (o.retryable() && (!o.healthy() || !online)) {
      // Offline: this attempt does not count; the transfer waits for the storage to come back.
      attempts.merge(k, -1, Integer::sum);
      commitState(st.get().with(up, QUEUED).withError(o.message()));
      s.events()
          .emit(
              new FileSyncEvent.TransferFailed(
                  t.direction, t.fileId, t.attempt, true, o.message()));
      queues.get(t.direction).add(t.fileId);
      goOffline();
      return;
    }
    boolean again = o.retryable() && t.attempt < s.maxAttempts();
    s.events()
        .emit(
            new FileSyncEvent.TransferFailed(t.direction, t.fileId, t.attempt, again, o.message()));
    if (!again) {
      attempts.remove(k);
      commitState(st.get().with(up, ERROR).withError(o.message()));
      s.events()
          .emit(new FileSyncEvent.TransferExhausted(t.direction, t.fileId, t.attempt, o.message()));
      return;
    }
    commitState(st.get().with(up, QUEUED).withError(o.message()));
    Duration delay = backoff(t.attempt);
    int gen = generation;
    retryTimers.put(
        k,
        s.scheduler()
            .schedule(
                delay,
                () ->
                    post(
                        () -> {
                          if (gen != generation || retryTimers.remove(k) == null) {
                            return;
                          }
                          queues.get(t.direction).add(t.fileId);
                          dispatch();
                        })));
  }

  /** The delay after failed attempt {@code attempt}: base × 2^(attempt-1) × [0.8, 1.2), capped. */
  private Duration backoff(int attempt) {
    double base = s.baseDelay().toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    double jittered = base * (0.8 + 0.4 * s.random().nextDouble());
    return Duration.ofMillis((long) Math.min(jittered, s.maxDelay().toMillis()));
  }

  // ------------------------------------------------------------------ health

  private void goOffline() {
    if (!online) {
      return;
    }
    online = false;
    onlineFlag = false;
    s.events().emit(new FileSyncEvent.Offline());
  }

  private void scheduleHealthCheck() {
    int gen = generation;
    healthTimer =
        s.scheduler()
            .schedule(
                s.healthInterval(),
                () ->
                    post(
                        () -> {
                          if (gen != generation) {
                            return;
                          }
                          healthTimer = null;
                          checkHealth();
                          scheduleHealthCheck();
                        }));
  }

  private void checkHealth() {
    if (healthCheckRunning) {
      healthRecheck = true; // asked while one runs: check again after it, with fresh eyes
      return;
    }
    healthCheckRunning = true;
    int gen = generation;
    try {
      s.executor()
          .execute(
              () -> {
                boolean healthy;
                try {
                  healthy = remote.healthy();
                } catch (RuntimeException | Error e) {
                  healthy = false; // a RemoteStorage must not throw here; treat it as unhealthy
                }
                boolean result = healthy;
                post(
                    () -> {
                      healthCheckRunning = false;
                      if (gen == generation) {
                        onHealth(result);
                        if (healthRecheck) {
                          healthRecheck = false;
                          checkHealth();
                        }
                      }
                    });
              });
    } catch (RejectedExecutionException e) {
      healthCheckRunning = false;
    }
  }

  private void onHealth(boolean healthy) {
    if (healthy && !online) {
      online = true;
      onlineFlag = true;
      s.events().emit(new FileSyncEvent.Online());
      // Re-queue everything persisted as queued (the reference forgot some: 9.B5, 9.B13).
      for (LocalState st : Rows.states(store)) {
        if (st.uploadStatus().equals(QUEUED)) {
          enqueue(Direction.UPLOAD, st.fileId());
        }
        if (st.downloadStatus().equals(QUEUED)) {
          enqueue(Direction.DOWNLOAD, st.fileId());
        }
      }
      dispatch();
    } else if (!healthy && online) {
      goOffline();
    }
  }

  // ------------------------------------------------------------------ close

  /**
   * Stops the engine: the follower ends, timers are cancelled, running transfers are interrupted
   * and persisted as {@code queued} so the next leader resumes them.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    lockSubscription.close();
    stallWatch.shutdownNow();
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    post(
        () -> {
          if (leader) {
            stopLeading();
          }
          cancelTimers();
          closed = true;
          stopped.complete(null);
        });
    try {
      stopped.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.log(System.Logger.Level.WARNING, "engine did not stop in time", e);
    }
    engineThread.shutdown();
    signalIdle();
  }
}
