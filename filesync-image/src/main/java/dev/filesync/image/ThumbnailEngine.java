package dev.filesync.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.image.internal.ImageSniffer;
import dev.filesync.store.Event;
import dev.filesync.store.LockStatus;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.Subscription;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generates thumbnails in the background while this process holds the store's writer lock.
 *
 * <p>Thread model: one coordinator thread owns every field below; it reacts to changes of the
 * {@code files} and {@code localFileState} tables and of the lock, decides what to generate, and
 * commits every state change. Decoding and encoding run on {@code concurrency} worker threads,
 * whose results come back to the coordinator. No lock is held across I/O.
 */
final class ThumbnailEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ThumbnailEngine.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ThumbnailConfig config;
  private final Store store;
  private final ImageBackend backend;
  private final Path localRoot;
  private final Path storeDir;
  private final String configKey;
  private final Clock clock;
  private final ScheduledExecutorService coordinator;
  private final ExecutorService workers;
  private final Subscription tableSubscription;
  private final Subscription stateSubscription;
  private final Subscription lockSubscription;
  private final java.util.concurrent.atomic.AtomicBoolean closing =
      new java.util.concurrent.atomic.AtomicBoolean();

  // Owned by the coordinator thread.
  private boolean leader;
  private boolean closed;
  private boolean scanScheduled;
  private int running;
  private final Deque<Job> pending = new ArrayDeque<>();
  private final Map<String, Job> jobs = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  private final Map<String, Long> retryAt = new HashMap<>();
  private Set<String> liveHashes = new HashSet<>();

  /** One content hash to generate, for every live file holding it. */
  private static final class Job {
    final String hash;
    final Path source;
    final String mimeType;
    final Set<String> fileIds = new LinkedHashSet<>();
    boolean cancelled;

    Job(String hash, Path source, String mimeType) {
      this.hash = hash;
      this.source = source;
      this.mimeType = mimeType;
    }
  }

  /** A live or deleted file row, with whether its bytes are on this device. */
  private record FileInfo(
      String id, String hash, String path, String metaMime, boolean live, String localHash) {}

  ThumbnailEngine(ThumbnailConfig config, ImageBackend backend) {
    this.config = config;
    this.store = config.files().config().store();
    this.backend = backend;
    this.localRoot = config.files().config().localRoot();
    this.storeDir = config.directory().resolve(sanitize(store.storeId()));
    this.configKey = Integer.toHexString(config.settingsJson().hashCode());
    this.clock = config.files().config().clock();
    AtomicInteger n = new AtomicInteger();
    ScheduledThreadPoolExecutor c =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "filesync-thumbnails");
              t.setDaemon(true);
              return t;
            });
    c.setRemoveOnCancelPolicy(true);
    // Pending retries and coalesced scans are dropped at close, not waited for.
    c.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.coordinator = c;
    this.workers =
        Executors.newFixedThreadPool(
            config.concurrency(),
            r -> {
              Thread t = new Thread(r, "filesync-thumbnail-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    if (!config.generateInBackground()) {
      this.tableSubscription = null;
      this.stateSubscription = null;
      this.lockSubscription = null;
      return;
    }
    // Re-run on every commit to files or localFileState; the store notifies only when the rows
    // differ, and the coordinator coalesces bursts into one scan.
    this.tableSubscription = store.subscribe(filesQuery(), ignored -> post(this::requestScan));
    // A state row removed by another process (its regenerate) is made again here.
    this.stateSubscription =
        store.subscribe(
            Query.scalar("SELECT count(*) FROM thumbnailState").dependsOn("thumbnailState"),
            ignored -> post(this::requestScan));
    this.lockSubscription = store.onLockStatus(status -> post(() -> onLock(status)));
    post(() -> onLock(store.lockStatus()));
  }

  Path storeDirectory() {
    return storeDir;
  }

  String configKey() {
    return configKey;
  }

  // ------------------------------------------------------------------ coordinator

  private void post(Runnable r) {
    try {
      coordinator.execute(
          () -> {
            if (closed) {
              return;
            }
            try {
              r.run();
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "thumbnail coordinator: " + e, e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /**
   * Forgets {@code fileId}'s thumbnails: its state row goes at once (so a waiter sees no stale
   * error); the coordinator then deletes the files (unless a generation of the same content is
   * running, whose result is as good as a new one) and makes them again. In a process without the
   * lock only the row goes; the lock holder makes what is missing.
   */
  void regenerate(String fileId) {
    Optional<ThumbnailState> st = store.query(ThumbnailStates.byFile(fileId));
    if (st.isEmpty()) {
      post(this::requestScan);
      return;
    }
    String hash = st.get().contentHash();
    commit(
        List.of(ThumbnailSchema.STATE_REMOVE.of(new ThumbnailSchema.ThumbnailStateRemove(fileId))));
    post(
        () -> {
          attempts.remove(hash);
          retryAt.remove(hash);
          if (leader && !jobs.containsKey(hash)) {
            deleteQuietly(hashDir(hash).resolve(configKey));
          }
          requestScan();
        });
  }

  private void onLock(LockStatus status) {
    boolean has = status == LockStatus.HAS_LOCK;
    if (has && !leader) {
      leader = true;
      startLeading();
    } else if (!has && leader) {
      leader = false;
      for (Job j : pending) {
        j.cancelled = true;
        jobs.remove(j.hash);
      }
      pending.clear();
    }
  }

  private void startLeading() {
    try {
      checkConfig();
      sweepDisk();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "thumbnail start-up: " + e, e);
    }
    requestScan();
  }

  private void checkConfig() throws IOException {
    String hash = config.configHash();
    Optional<String> stored =
        store.query(
            Query.first(
                "SELECT configHash FROM thumbnailConfig WHERE id = ?",
                r -> r.getString("configHash"),
                ThumbnailSchema.CONFIG_ID));
    if (stored.isPresent() && stored.get().equals(hash)) {
      return;
    }
    List<Event<?>> events = new ArrayList<>();
    if (stored.isPresent()) {
      events.add(ThumbnailSchema.STATE_CLEAR.of(new ThumbnailSchema.ThumbnailStateClear()));
    }
    events.add(
        ThumbnailSchema.CONFIG_SET.of(
            new ThumbnailSchema.ThumbnailConfigSet(
                ThumbnailSchema.CONFIG_ID, hash, config.sizesJson())));
    store.commit(events.toArray(Event<?>[]::new));
  }

  /** Removes thumbnails of content no live file holds, and those made with other settings. */
  private void sweepDisk() throws IOException {
    if (!Files.isDirectory(storeDir)) {
      return;
    }
    Set<String> live = new HashSet<>();
    for (FileInfo f : files()) {
      if (f.live) {
        live.add(f.hash);
      }
    }
    try (DirectoryStream<Path> hashes = Files.newDirectoryStream(storeDir)) {
      for (Path h : hashes) {
        if (!live.contains(h.getFileName().toString())) {
          deleteQuietly(h);
          continue;
        }
        try (DirectoryStream<Path> keys = Files.newDirectoryStream(h)) {
          for (Path k : keys) {
            if (!k.getFileName().toString().equals(configKey)) {
              deleteQuietly(k);
            }
          }
        }
      }
    }
  }

  private void requestScan() {
    if (scanScheduled || !leader) {
      return;
    }
    scanScheduled = true;
    // Coalesce bursts of commits (a transfer updates localFileState several times).
    coordinator.schedule(
        () ->
            post(
                () -> {
                  scanScheduled = false;
                  if (leader) {
                    scan();
                  }
                }),
        50,
        TimeUnit.MILLISECONDS);
  }

  private List<FileInfo> files() {
    return store.query(filesQuery());
  }

  private static Query<List<FileInfo>> filesQuery() {
    return Query.list(
            "SELECT f.id, f.contentHash, f.path, f.metadataJson, f.deletedAt IS NULL AS live,"
                + " COALESCE(l.localHash, '') AS localHash FROM files f"
                + " LEFT JOIN localFileState l ON l.fileId = f.id",
            r ->
                new FileInfo(
                    r.getString("id"),
                    r.getString("contentHash"),
                    r.getString("path"),
                    metaMime(r.getString("metadataJson")),
                    r.getLong("live") == 1,
                    r.getString("localHash")))
        .dependsOn("files", "localFileState");
  }

  private void scan() {
    List<FileInfo> all = files();
    Map<String, ThumbnailState> states = new HashMap<>();
    for (ThumbnailState s : store.query(ThumbnailStates.all())) {
      states.put(s.fileId(), s);
    }
    Set<String> live = new HashSet<>();
    Set<String> liveIds = new HashSet<>();
    List<Event<?>> events = new ArrayList<>();
    for (FileInfo f : all) {
      if (!f.live || f.hash.isEmpty()) {
        continue;
      }
      live.add(f.hash);
      liveIds.add(f.id);
      ThumbnailState st = states.get(f.id);
      boolean sameContent = st != null && st.contentHash().equals(f.hash);
      Path source = localRoot.resolve(f.path);
      boolean local = f.localHash.equals(f.hash) && Files.isRegularFile(source);
      if (!local) {
        if (!sameContent) {
          events.add(upsert(f.id, f.hash, f.metaMime, all(ThumbnailStatus.PENDING, null)));
        }
        continue;
      }
      Job job = jobs.get(f.hash);
      if (job != null) {
        if (job.fileIds.add(f.id) && !sameContent) {
          events.add(upsert(f.id, f.hash, job.mimeType, all(ThumbnailStatus.QUEUED, null)));
        }
        continue;
      }
      if (sameContent && settled(st)) {
        continue;
      }
      Long notBefore = retryAt.get(f.hash);
      if (notBefore != null && System.nanoTime() - notBefore < 0) {
        continue;
      }
      Optional<String> mime;
      try {
        mime = ImageSniffer.sniff(source);
      } catch (IOException e) {
        continue; // removed under us: the next change brings it back
      }
      if (mime.isEmpty()) {
        events.add(
            upsert(
                f.id,
                f.hash,
                f.metaMime.isEmpty() ? "unknown" : f.metaMime,
                all(ThumbnailStatus.SKIPPED, null)));
        continue;
      }
      Map<String, ThumbnailState.Size> done = existing(f.hash);
      if (done != null) {
        events.add(upsert(f.id, f.hash, mime.get(), done));
        continue;
      }
      Job j = new Job(f.hash, source, mime.get());
      j.fileIds.add(f.id);
      jobs.put(f.hash, j);
      pending.add(j);
      events.add(upsert(f.id, f.hash, mime.get(), all(ThumbnailStatus.QUEUED, null)));
    }
    for (String id : states.keySet()) {
      if (!liveIds.contains(id)) {
        events.add(ThumbnailSchema.STATE_REMOVE.of(new ThumbnailSchema.ThumbnailStateRemove(id)));
      }
    }
    // Files first, then the state: once a row is seen gone, so are its thumbnails. Candidates are
    // the hashes live at the last scan and those of every state row (which covers files deleted
    // before the first scan of this run).
    Set<String> candidates = new HashSet<>(liveHashes);
    for (ThumbnailState st : states.values()) {
      candidates.add(st.contentHash());
    }
    for (String gone : candidates) {
      if (!live.contains(gone) && !jobs.containsKey(gone)) {
        deleteQuietly(hashDir(gone));
        attempts.remove(gone);
        retryAt.remove(gone);
      }
    }
    liveHashes = live;
    commit(events);
    dispatch();
  }

  /** Whether every configured size is settled, and every done one still on disk. */
  private boolean settled(ThumbnailState st) {
    for (String size : config.sizes().keySet()) {
      ThumbnailState.Size s = st.sizes().get(size);
      if (s == null || !s.status().settled()) {
        return false;
      }
      if (s.status() == ThumbnailStatus.DONE
          && (s.path() == null || !Files.isRegularFile(resolvePath(s.path())))) {
        return false;
      }
    }
    return true;
  }

  /** Done states when every size of {@code hash} is on disk already (shared content), else null. */
  private Map<String, ThumbnailState.Size> existing(String hash) {
    Map<String, ThumbnailState.Size> out = new LinkedHashMap<>();
    for (String size : config.sizes().keySet()) {
      Path p = output(hash, size);
      if (!Files.isRegularFile(p)) {
        return null;
      }
      out.put(size, new ThumbnailState.Size(ThumbnailStatus.DONE, relative(p), null, modified(p)));
    }
    return out;
  }

  private void dispatch() {
    while (leader && running < config.concurrency() && !pending.isEmpty()) {
      Job j = pending.poll();
      if (j.cancelled) {
        continue;
      }
      try {
        workers.execute(() -> runJob(j));
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        return; // rows stay queued; the next start resumes them
      }
      running++;
      commit(upsertAll(j, ThumbnailStatus.GENERATING, null));
    }
  }

  private void runJob(Job j) {
    Throwable failure = null;
    try {
      render(j.hash, j.source);
    } catch (Throwable e) {
      // Whatever happens (a codec's linkage error included), the slot comes back.
      failure = e instanceof OutOfMemoryError ? new IOException("out of memory decoding", e) : e;
    } finally {
      Throwable f = failure;
      post(() -> finished(j, f));
    }
  }

  private List<ImageInfo> render(String hash, Path source) throws IOException {
    List<ImageBackend.Target> targets = new ArrayList<>();
    for (Map.Entry<String, Integer> e : config.sizes().entrySet()) {
      targets.add(new ImageBackend.Target(e.getValue(), output(hash, e.getKey())));
    }
    return backend.render(
        source,
        targets,
        new ImageBackend.Encoding(config.format(), config.quality(), config.colorHandling()),
        config.maxPixels());
  }

  private void finished(Job j, Throwable failure) {
    running--;
    jobs.remove(j.hash);
    if (!leader) {
      return; // the new lock holder decides; its scan resumes rows left queued or generating
    }
    Set<String> ids = liveIdsWith(j.hash, j.fileIds);
    if (ids.isEmpty()) {
      // Deleted or replaced while it was being made.
      if (!liveHashes.contains(j.hash)) {
        deleteQuietly(hashDir(j.hash));
      }
    } else if (failure == null) {
      attempts.remove(j.hash);
      retryAt.remove(j.hash);
      Map<String, ThumbnailState.Size> done = existing(j.hash);
      if (done == null) {
        done = all(ThumbnailStatus.ERROR, "the thumbnail files vanished after generation");
      }
      commit(upsertIds(ids, j, done));
    } else if (failure instanceof ImageException bad) {
      attempts.remove(j.hash);
      ThumbnailStatus status =
          bad.reason() == ImageException.Reason.UNSUPPORTED
              ? ThumbnailStatus.SKIPPED
              : ThumbnailStatus.ERROR;
      commit(
          upsertIds(
              ids, j, all(status, status == ThumbnailStatus.ERROR ? bad.getMessage() : null)));
    } else if (failure instanceof NoSuchFileException) {
      // The local copy went away (deleted, or found corrupt and removed): wait for it again.
      commit(upsertIds(ids, j, all(ThumbnailStatus.PENDING, null)));
      requestScan();
    } else if (failure instanceof Error e) {
      attempts.remove(j.hash);
      commit(upsertIds(ids, j, all(ThumbnailStatus.ERROR, "generation failed: " + e)));
    } else {
      int n = attempts.merge(j.hash, 1, Integer::sum);
      String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
      if (n >= config.maxAttempts()) {
        commit(
            upsertIds(
                ids, j, all(ThumbnailStatus.ERROR, "failed after " + n + " attempts: " + message)));
      } else {
        long delay = config.retryDelay().toMillis() << (n - 1);
        LOG.log(
            System.Logger.Level.DEBUG,
            "thumbnail of " + j.hash + " failed (attempt " + n + "), retrying: " + message);
        commit(upsertIds(ids, j, all(ThumbnailStatus.QUEUED, null)));
        retryAt.put(j.hash, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
        coordinator.schedule(() -> post(this::requestScan), delay, TimeUnit.MILLISECONDS);
      }
    }
    dispatch();
  }

  private Set<String> liveIdsWith(String hash, Set<String> candidates) {
    Set<String> out = new LinkedHashSet<>();
    for (String id : candidates) {
      Optional<String> h =
          store.query(
              Query.first(
                  "SELECT contentHash FROM files WHERE id = ? AND deletedAt IS NULL",
                  r -> r.getString("contentHash"),
                  id));
      if (h.isPresent() && h.get().equals(hash)) {
        out.add(id);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ synchronous generation

  /** Generates every size of {@code fileId} now, on the calling thread; returns the size's path. */
  Path generateNow(String fileId, String size) throws IOException {
    FileInfo f =
        files().stream()
            .filter(x -> x.id.equals(fileId) && x.live)
            .findFirst()
            .orElseThrow(() -> new NoSuchFileException(fileId, null, "no such file"));
    Path out = output(f.hash, size);
    if (Files.isRegularFile(out)) {
      return out;
    }
    Path source = config.files().localPath(fileId).orElse(null);
    if (source == null) {
      throw new ThumbnailException(
          fileId, ThumbnailStatus.PENDING, "file " + fileId + " is not on this device yet");
    }
    Optional<String> mime = ImageSniffer.sniff(source);
    if (mime.isEmpty()) {
      commit(List.of(upsert(fileId, f.hash, "unknown", all(ThumbnailStatus.SKIPPED, null))));
      throw new ThumbnailException(
          fileId, ThumbnailStatus.SKIPPED, "file " + fileId + " is not an image FileSync can read");
    }
    try {
      render(f.hash, source);
    } catch (ImageException e) {
      commit(
          List.of(upsert(fileId, f.hash, mime.get(), all(ThumbnailStatus.ERROR, e.getMessage()))));
      throw new ThumbnailException(fileId, ThumbnailStatus.ERROR, e.getMessage());
    }
    Map<String, ThumbnailState.Size> done = existing(f.hash);
    if (done != null) {
      // Keep the sizes another configuration recorded for the same content.
      Map<String, ThumbnailState.Size> merged = new LinkedHashMap<>();
      store
          .query(ThumbnailStates.byFile(fileId))
          .filter(st -> st.contentHash().equals(f.hash))
          .ifPresent(st -> merged.putAll(st.sizes()));
      merged.putAll(done);
      commit(List.of(upsert(fileId, f.hash, mime.get(), merged)));
    }
    return out;
  }

  // ------------------------------------------------------------------ paths and states

  Path hashDir(String hash) {
    return storeDir.resolve(hash);
  }

  Path output(String hash, String size) {
    return hashDir(hash).resolve(configKey).resolve(size + "." + config.format().extension());
  }

  String relative(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path root = localRoot.toAbsolutePath().normalize();
    return abs.startsWith(root)
        ? root.relativize(abs).toString().replace('\\', '/')
        : abs.toString();
  }

  Path resolvePath(String stored) {
    return localRoot.resolve(stored);
  }

  private Long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return clock.millis();
    }
  }

  private Map<String, ThumbnailState.Size> all(ThumbnailStatus status, String error) {
    Map<String, ThumbnailState.Size> out = new LinkedHashMap<>();
    for (String size : config.sizes().keySet()) {
      out.put(size, new ThumbnailState.Size(status, null, error, null));
    }
    return out;
  }

  private static Event<?> upsert(
      String fileId, String hash, String mime, Map<String, ThumbnailState.Size> sizes) {
    return ThumbnailSchema.STATE_UPSERT.of(
        new ThumbnailSchema.ThumbnailStateUpsert(
            fileId, hash, mime, ThumbnailStates.toJson(sizes)));
  }

  private List<Event<?>> upsertAll(Job j, ThumbnailStatus status, String error) {
    return upsertIds(liveIdsWith(j.hash, j.fileIds), j, all(status, error));
  }

  private static List<Event<?>> upsertIds(
      Set<String> ids, Job j, Map<String, ThumbnailState.Size> sizes) {
    List<Event<?>> out = new ArrayList<>();
    for (String id : ids) {
      out.add(upsert(id, j.hash, j.mimeType, sizes));
    }
    return out;
  }

  private void commit(List<Event<?>> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      store.commit(events.toArray(Event<?>[]::new));
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot record thumbnail state: " + e, e);
    }
  }

  private static String metaMime(String metadataJson) {
    if (metadataJson == null || metadataJson.isEmpty()) {
      return "";
    }
    try {
      JsonNode n = JSON.readTree(metadataJson);
      return n != null && n.hasNonNull("mimeType") ? n.get("mimeType").asText() : "";
    } catch (IOException e) {
      return "";
    }
  }

  static String sanitize(String storeId) {
    StringBuilder b = new StringBuilder();
    for (char c : storeId.toCharArray()) {
      b.append(
          Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' ? c : '_');
    }
    String s = b.toString();
    return s.isEmpty() || s.equals(".") || s.equals("..") ? "_" + s : s;
  }

  private static void deleteQuietly(Path p) {
    try {
      if (!Files.exists(p)) {
        return;
      }
      if (Files.isDirectory(p)) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
          for (Path c : ds) {
            deleteQuietly(c);
          }
        }
      }
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "cannot delete " + p + ": " + e);
    }
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    for (Subscription sub :
        new Subscription[] {tableSubscription, stateSubscription, lockSubscription}) {
      if (sub != null) {
        sub.cancel();
      }
    }
    try {
      coordinator.execute(() -> closed = true);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // already stopping
    }
    coordinator.shutdown();
    try {
      // The coordinator first (it may still hand work to the workers), then the workers.
      coordinator.awaitTermination(10, TimeUnit.SECONDS);
      workers.shutdownNow();
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
