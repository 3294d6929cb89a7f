package dev.filesync.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filesync.core.FileSyncSchema.FileCreated;
import dev.filesync.core.FileSyncSchema.FileDeleted;
import dev.filesync.core.FileSyncSchema.FileUpdated;
import dev.filesync.core.FileSyncSchema.LocalFileStateRemove;
import dev.filesync.core.internal.ContentGuard;
import dev.filesync.core.internal.EventHub;
import dev.filesync.core.internal.FileSystemContent;
import dev.filesync.core.internal.LocalContent;
import dev.filesync.core.internal.Rows;
import dev.filesync.core.internal.Rows.FileRow;
import dev.filesync.core.internal.Rows.LocalState;
import dev.filesync.core.internal.SyncEngine;
import dev.filesync.store.ArgField;
import dev.filesync.store.Event;
import dev.filesync.store.FileSyncException;
import dev.filesync.store.Store;
import dev.filesync.store.Subscription;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Local-first file sync over a {@link Store}: files are saved to this device's disk first (so the
 * application can show them at once, offline included), their rows sync through the store, and
 * their bytes move to and from {@link RemoteStorage} in the background, verified by SHA-256.
 *
 * {@snippet :
 * StoreSchema schema = FileSyncSchema.addTo(StoreSchema.builder()).build();
 * try (Store store = Store.open(StoreConfig.builder(dataDir, "my-store", schema).build());
 *     FileSync files = FileSync.builder(store, dataDir).remote(remote).start()) {
 *   String id = files.save(Path.of("photo.jpg"));
 *   try (InputStream in = files.open(id)) {
 *     // ...
 *   }
 * }
 * }
 *
 * <p>The sync engine runs only while this process holds the store's writer lock; every process can
 * save, read and delete. Instances are thread-safe.
 *
 * <p>{@link #close()} stops the engine (running transfers are interrupted and persisted as queued,
 * so the next start resumes them), its threads (engine, event follower, event delivery, and the
 * scheduler thread when none was configured) and completes the {@link #events()} subscribers. It
 * does not close the {@link Store}, the {@link RemoteStorage} or a configured executor: they belong
 * to the caller.
 */
public final class FileSync implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FileSyncConfig config;
  private final Store store;
  private final LocalContent content;
  private final ContentGuard guard;
  private final EventHub events = new EventHub();
  private final SyncEngine engine;
  private final ScheduledExecutorService ownScheduler;
  private final ExecutorService ownExecutor;

  private FileSync(FileSyncConfig config) {
    this.config = config;
    this.store = config.store();
    this.content = FileSystemContent.open(config.localRoot(), store.storeId());
    this.guard = new ContentGuard(store, content);
    Scheduler scheduler;
    if (config.scheduler().isPresent()) {
      ownScheduler = null;
      scheduler = config.scheduler().get();
    } else {
      ownScheduler = Scheduler.newDaemonService();
      scheduler = Scheduler.of(ownScheduler);
    }
    if (config.transferExecutor().isPresent()) {
      ownExecutor = null;
    } else {
      ownExecutor = Executors.newVirtualThreadPerTaskExecutor();
    }
    this.engine =
        new SyncEngine(
            new SyncEngine.Settings(
                store,
                content,
                guard,
                config.remote().orElse(null),
                config.uploadConcurrency(),
                config.downloadConcurrency(),
                config.maxAttempts(),
                config.retryBaseDelay(),
                config.retryMaxDelay(),
                config.healthCheckInterval(),
                config.clock(),
                scheduler,
                config.transferExecutor().orElse(ownExecutor),
                config.random(),
                events));
  }

  /**
   * A builder for the configuration of a FileSync over {@code store}, storing under {@code
   * localRoot}.
   */
  public static FileSyncConfig.Builder builder(Store store, Path localRoot) {
    return FileSyncConfig.builder(store, localRoot);
  }

  /**
   * Starts FileSync with {@code config}. The store's schema must include {@link FileSyncSchema}.
   *
   * @throws IOException when the local root cannot be used
   */
  public static FileSync start(FileSyncConfig config) throws IOException {
    try {
      return new FileSync(config);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The configuration. */
  public FileSyncConfig config() {
    return config;
  }

  // ------------------------------------------------------------------ save, update, delete

  /** Saves the file at {@code file} (its MIME type probed from the name) and returns its id. */
  public String save(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Path name = file.getFileName();
      return save(in, name == null ? null : name.toString(), probe(file));
    }
  }

  /** Saves {@code bytes} and returns the new file's id. */
  public String save(byte[] bytes, String name, String mimeType) throws IOException {
    return save(new ByteArrayInputStream(bytes), name, mimeType);
  }

  /**
   * Saves the bytes of {@code in} (read to its end, not closed), after the preprocessor matching
   * {@code mimeType}, and returns the new file's id. The bytes stream to disk; the row and this
   * device's state are committed in one transaction. The same bytes saved twice share one content
   * file.
   *
   * @param name the file name, or {@code null}
   * @param mimeType the media type, or {@code null}
   */
  public String save(InputStream in, String name, String mimeType) throws IOException {
    String id = UUID.randomUUID().toString();
    Instant now = config.clock().instant();
    guard.beginSave();
    try {
      Stored stored = store(in, name, mimeType);
      store.commit(
          FileSyncSchema.FILE_CREATED.of(
              new FileCreated(
                  id, stored.path, stored.hash, ArgField.of(stored.metadataJson), now, now)),
          FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(changedState(id, stored).toUpsert()));
    } finally {
      guard.endSave();
    }
    engine.fileChanged(id);
    return id;
  }

  /** Replaces the bytes of {@code fileId} with the file at {@code file}. */
  public void update(String fileId, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Path name = file.getFileName();
      update(fileId, in, name == null ? null : name.toString(), probe(file));
    }
  }

  /**
   * Replaces the bytes of {@code fileId}. Bytes equal to the current ones change nothing. The old
   * bytes leave this device when no other file uses them; the old remote object is left to the
   * server, which reclaims objects no live row references.
   *
   * @throws NoSuchFileException when there is no such live file
   */
  public void update(String fileId, InputStream in, String name, String mimeType)
      throws IOException {
    FileRow existing = live(fileId);
    guard.beginSave();
    try {
      Stored stored = store(in, name, mimeType);
      if (stored.hash.equals(existing.contentHash())) {
        return;
      }
      store.commit(
          FileSyncSchema.FILE_UPDATED.of(
              new FileUpdated(
                  fileId,
                  stored.path,
                  "",
                  stored.hash,
                  ArgField.of(stored.metadataJson),
                  config.clock().instant())),
          FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(changedState(fileId, stored).toUpsert()));
    } finally {
      guard.endSave();
    }
    guard.release(existing.contentHash());
    engine.fileChanged(fileId);
  }

  /**
   * Deletes {@code fileId} (a soft delete that syncs). Its bytes leave this device when no other
   * live file uses them and no transfer holds them; the remote object is not deleted by the client:
   * the server reclaims objects no live row references. Deleting an unknown or deleted id does
   * nothing.
   */
  public void delete(String fileId) throws IOException {
    Optional<FileRow> row = Rows.file(store, fileId);
    if (row.isEmpty() || !row.get().live()) {
      return;
    }
    store.commit(
        FileSyncSchema.FILE_DELETED.of(new FileDeleted(fileId, config.clock().instant())),
        FileSyncSchema.LOCAL_FILE_STATE_REMOVE.of(new LocalFileStateRemove(fileId)));
    guard.release(row.get().contentHash());
    engine.fileChanged(fileId);
  }

  // ------------------------------------------------------------------ read

  /**
   * Opens the local copy of {@code fileId} after checking that it still hashes to the row's content
   * hash.
   *
   * @throws NoSuchFileException when there is no such live file
   * @throws FileSyncException when the bytes are not on this device yet (the download is moved to
   *     the front), or the local copy is corrupt (it is removed and queued for download again)
   */
  public InputStream open(String fileId) throws IOException {
    FileRow row = live(fileId);
    String hash = row.contentHash();
    if (!content.has(hash)) {
      engine.prioritize(fileId);
      throw new FileSyncException("file " + fileId + " is not on this device yet");
    }
    if (!content.verify(hash)) {
      corrupt(row);
      throw new FileSyncException(
          "the local copy of "
              + fileId
              + " is corrupt; it was removed and "
              + (row.remoteKey().isEmpty()
                  ? "no remote copy exists"
                  : "queued for download again"));
    }
    return content.open(hash);
  }

  /**
   * Re-reads every local copy and checks it against its file's SHA-256; corrupt copies are removed
   * and downloaded again (or reported as errors when no remote copy exists), as {@link #open} does
   * for one file.
   *
   * @return the ids of the files whose local copy was corrupt
   */
  public List<String> verifyLocalCopies() throws IOException {
    List<String> bad = new ArrayList<>();
    java.util.Set<String> checked = new java.util.HashSet<>();
    for (FileRow row : Rows.files(store)) {
      if (!row.live() || !checked.add(row.contentHash()) || !content.has(row.contentHash())) {
        continue;
      }
      if (!content.verify(row.contentHash())) {
        for (FileRow r : Rows.liveWithHash(store, row.contentHash())) {
          bad.add(r.id());
        }
        corrupt(row);
      }
    }
    return bad;
  }

  private void corrupt(FileRow row) throws IOException {
    content.delete(row.contentHash());
    List<Event<?>> events = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (FileRow r : Rows.liveWithHash(store, row.contentHash())) {
      Optional<LocalState> st = Rows.state(store, r.id());
      if (st.isPresent()) {
        LocalState next =
            new LocalState(
                r.id(),
                r.path(),
                "",
                r.remoteKey().isEmpty() ? "error" : "queued",
                st.get().uploadStatus(),
                "local copy corrupt");
        events.add(FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(next.toUpsert()));
        ids.add(r.id());
      }
    }
    if (!events.isEmpty()) {
      store.commit(events.toArray(Event<?>[]::new));
    }
    engine.requeue(ids);
    engine.prioritize(row.id());
  }

  /**
   * Where {@code fileId} can be read: the local file's URI when the bytes are here, else a
   * short-lived remote URL when it is uploaded, else empty. A download not yet done is moved to the
   * front.
   */
  public Optional<URI> resolve(String fileId) throws IOException {
    Optional<FileRow> row = Rows.file(store, fileId).filter(FileRow::live);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    String hash = row.get().contentHash();
    if (content.has(hash)) {
      return Optional.of(content.path(hash).toUri());
    }
    engine.prioritize(fileId);
    if (row.get().remoteKey().isEmpty() || config.remote().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(config.remote().get().downloadUrl(row.get().remoteKey()));
  }

  /**
   * The path of the local copy of {@code fileId} when its bytes are on this device (not re-hashed:
   * use {@link #open} to read verified bytes), else empty. The path stays valid while a live file
   * references these bytes; read it, do not write it.
   */
  public Optional<Path> localPath(String fileId) {
    Optional<FileRow> row = Rows.file(store, fileId).filter(FileRow::live);
    if (row.isEmpty() || !content.has(row.get().contentHash())) {
      return Optional.empty();
    }
    return Optional.of(content.path(row.get().contentHash()));
  }

  /** What the application can show for {@code fileId}. */
  public DisplayState displayState(String fileId) {
    Optional<FileRow> row = Rows.file(store, fileId).filter(FileRow::live);
    if (row.isEmpty()) {
      return new DisplayState(false, false, false, false, false, false);
    }
    boolean local = content.has(row.get().contentHash());
    boolean uploaded = !row.get().remoteKey().isEmpty();
    Optional<LocalState> st = Rows.state(store, fileId);
    String up = st.map(LocalState::uploadStatus).orElse("pending");
    String down = st.map(LocalState::downloadStatus).orElse("pending");
    return new DisplayState(
        local || uploaded,
        local,
        uploaded,
        up.equals("inProgress"),
        down.equals("inProgress"),
        up.equals("queued") || down.equals("queued"));
  }

  /** Counts per status, errors and local bytes. */
  public SyncReport status() throws IOException {
    Map<String, Long> uploads = new LinkedHashMap<>();
    Map<String, Long> downloads = new LinkedHashMap<>();
    Map<String, String> errors = new HashMap<>();
    for (String st : FileSyncSchema.TRANSFER_STATUSES) {
      uploads.put(st, 0L);
      downloads.put(st, 0L);
    }
    for (LocalState st : Rows.states(store)) {
      uploads.merge(st.uploadStatus(), 1L, Long::sum);
      downloads.merge(st.downloadStatus(), 1L, Long::sum);
      if (!st.lastSyncError().isEmpty()) {
        errors.put(st.fileId(), st.lastSyncError());
      }
    }
    long bytes = 0;
    for (String hash : content.list()) {
      try {
        bytes += Files.size(content.path(hash));
      } catch (NoSuchFileException e) {
        // removed meanwhile
      }
    }
    return new SyncReport(
        uploads, downloads, errors, bytes, engine.leader(), engine.online(), engine.paused());
  }

  /**
   * Queues again every transfer in {@code error} and returns the ids of their files (empty in
   * local-only mode).
   */
  public List<String> retryErrors() throws IOException {
    if (config.remote().isEmpty()) {
      return List.of();
    }
    List<Event<?>> events = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (LocalState st : Rows.states(store)) {
      LocalState next = st;
      if (st.uploadStatus().equals("error")) {
        next = next.with(true, "queued");
      }
      if (st.downloadStatus().equals("error")) {
        next = next.with(false, "queued");
      }
      if (next != st) {
        events.add(FileSyncSchema.LOCAL_FILE_STATE_UPSERT.of(next.toUpsert()));
        ids.add(st.fileId());
      }
    }
    if (!events.isEmpty()) {
      store.commit(events.toArray(Event<?>[]::new));
      engine.requeue(ids);
    }
    return List.copyOf(ids);
  }

  /** Moves the download of {@code fileId} to the front. */
  public void prioritize(String fileId) {
    engine.prioritize(fileId);
  }

  /** Stops starting transfers; running ones finish. */
  public void pause() {
    engine.pause();
  }

  /** Starts transfers again after {@link #pause()}. */
  public void resume() {
    engine.resume();
  }

  /**
   * Waits until the engine has nothing queued, running or waiting for a retry, and has handled
   * every confirmed file event (true at once in a process that does not run the engine).
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return engine.awaitIdle(timeout);
  }

  // ------------------------------------------------------------------ events

  /**
   * Calls {@code listener} with every event, on FileSync's event thread, in order.
   *
   * @return a handle that removes the listener
   */
  public Subscription addListener(Consumer<? super FileSyncEvent> listener) {
    Runnable cancel = events.addListener(listener);
    return cancel::run;
  }

  /** The events as a publisher; a subscriber that falls behind loses events. */
  public Flow.Publisher<FileSyncEvent> events() {
    return events.publisher();
  }

  /** Stops the engine and FileSync's threads (see the class comment). Idempotent. */
  @Override
  public void close() {
    engine.close();
    events.close();
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ for LocalFileServer

  /** The live row of {@code fileId}, if any. */
  Optional<FileRow> liveRow(String fileId) {
    return Rows.file(store, fileId).filter(FileRow::live);
  }

  /** The local content store. */
  LocalContent content() {
    return content;
  }

  /** The guard that decides when content files may go (pins keep bytes being adopted). */
  ContentGuard guard() {
    return guard;
  }

  /**
   * Bytes of {@code hash} were adopted into the local content outside the engine: the engine
   * records the downloads of the rows holding them as done.
   */
  void contentAdopted(String hash) {
    engine.contentAdopted(hash);
  }

  // ------------------------------------------------------------------ helpers

  private record Stored(String hash, String path, long size, String metadataJson) {}

  private Stored store(InputStream in, String name, String mimeType) throws IOException {
    Preprocessor p = preprocessorFor(mimeType);
    FileMetadata meta = null;
    LocalContent.Saved saved;
    if (p != null) {
      Preprocessor.Result r;
      try {
        r = p.process(in, name, mimeType);
      } catch (IOException | RuntimeException e) {
        throw new FileSyncException("preprocessor failed for " + name + ": " + e.getMessage(), e);
      }
      meta = r.metadata();
      try (InputStream processed = r.content()) {
        saved = content.save(processed);
      }
    } else {
      saved = content.save(in);
    }
    return new Stored(
        saved.sha256Hex(),
        content.relativePath(saved.sha256Hex()),
        saved.size(),
        metadataJson(meta, name, mimeType, saved.size()));
  }

  private LocalState changedState(String id, Stored stored) {
    boolean remote = config.remote().isPresent();
    return new LocalState(id, stored.path, stored.hash, "done", remote ? "queued" : "done", "");
  }

  private FileRow live(String fileId) throws NoSuchFileException {
    return Rows.file(store, fileId)
        .filter(FileRow::live)
        .orElseThrow(() -> new NoSuchFileException(fileId, null, "no such file"));
  }

  Preprocessor preprocessorFor(String mimeType) {
    Map<String, Preprocessor> all = config.preprocessors();
    if (all.isEmpty()) {
      return null;
    }
    if (mimeType != null) {
      String type = mimeType.toLowerCase(Locale.ROOT);
      int semi = type.indexOf(';');
      if (semi >= 0) {
        type = type.substring(0, semi).trim();
      }
      Preprocessor exact = all.get(type);
      if (exact != null) {
        return exact;
      }
      int slash = type.indexOf('/');
      if (slash > 0) {
        Preprocessor family = all.get(type.substring(0, slash) + "/*");
        if (family != null) {
          return family;
        }
      }
    }
    return all.get("*");
  }

  /**
   * The synced {@code metadataJson}: the reference's {@code {mimeType, sizeBytes, image, custom}},
   * with the file's name kept as {@code custom.name} (unless a preprocessor set one) so that every
   * device can show it.
   */
  static String metadataJson(FileMetadata meta, String name, String mimeType, long size) {
    ObjectNode n = JSON.createObjectNode();
    String mime = meta != null && meta.mimeType() != null ? meta.mimeType() : mimeType;
    if (mime != null && !mime.isEmpty()) {
      n.put("mimeType", mime);
    }
    n.put("sizeBytes", meta != null && meta.sizeBytes() != null ? meta.sizeBytes() : size);
    if (meta != null && meta.width() != null) {
      ObjectNode image = n.putObject("image");
      image.put("width", meta.width());
      image.put("height", meta.height());
    }
    ObjectNode custom = JSON.createObjectNode();
    if (meta != null && !meta.custom().isEmpty()) {
      custom.setAll((ObjectNode) JSON.valueToTree(meta.custom()));
    }
    if (name != null && !name.isEmpty() && !custom.has("name")) {
      custom.put("name", name);
    }
    if (!custom.isEmpty()) {
      n.set("custom", custom);
    }
    return n.toString();
  }

  private static String probe(Path file) {
    try {
      return Files.probeContentType(file);
    } catch (IOException e) {
      return null;
    }
  }
}
