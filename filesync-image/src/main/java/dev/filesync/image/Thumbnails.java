package dev.filesync.image;

import dev.filesync.core.FileSync;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.Subscription;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Local thumbnails of a FileSync's image files: generated in the background for new and updated
 * images by the process that holds the store's writer lock, stored under the data directory (never
 * synced) keyed by content hash, settings and size, and tracked per file and size in the
 * client-only {@code thumbnailState} table ({@link ThumbnailSchema}), which applications can read
 * and subscribe to.
 *
 * {@snippet :
 * StoreSchema schema = ThumbnailSchema.addTo(FileSyncSchema.addTo(StoreSchema.builder())).build();
 * try (Store store = Store.open(StoreConfig.builder(dataDir, "photos", schema).build());
 *     FileSync files = FileSync.builder(store, dataDir).start();
 *     Thumbnails thumbs = ThumbnailConfig.builder(files).sizes(Map.of("small", 128)).start()) {
 *   String id = files.save(Path.of("cat.jpg"));
 *   Path small = thumbs.await(id, "small", Duration.ofSeconds(10)).orElseThrow();
 * }
 * }
 *
 * <p>Generation runs {@link ThumbnailConfig#concurrency()} images at a time. Failures that may pass
 * (I/O) are retried a bounded number of times with a growing delay; bad images (corrupt, truncated,
 * unsupported, over the pixel limit) are marked {@code error} at once with the reason, and never
 * block other files. Thumbnails of content no live file holds any more are deleted; a settings
 * change clears the state and regenerates; work left queued by a previous run resumes.
 *
 * <p>{@link #close()} stops the coordinator and worker threads (a generation in progress is
 * abandoned; its temp file is never mistaken for a thumbnail). It does not close the FileSync or
 * the store.
 */
public final class Thumbnails implements AutoCloseable {
  private final ThumbnailConfig config;
  private final FileSync files;
  private final Store store;
  private final ImageBackend backend;
  private final ThumbnailEngine engine;

  private Thumbnails(ThumbnailConfig config) {
    this.config = config;
    this.files = config.files();
    this.store = files.config().store();
    this.backend = config.backend().orElseGet(ImageBackends::best);
    this.engine = new ThumbnailEngine(config, backend);
  }

  /**
   * Starts thumbnails with {@code config}. The store's schema must include {@link ThumbnailSchema}.
   *
   * @throws IllegalStateException when the schema lacks the thumbnail tables
   */
  public static Thumbnails start(ThumbnailConfig config) throws IOException {
    Store store = config.files().config().store();
    if (store.query(
            Query.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                    + " ('thumbnailState', 'thumbnailConfig')"))
        != 2) {
      throw new IllegalStateException(
          "the store's schema has no thumbnail tables: register ThumbnailSchema.addTo(...)");
    }
    return new Thumbnails(config);
  }

  /** The configuration. */
  public ThumbnailConfig config() {
    return config;
  }

  /** The backend generating the thumbnails. */
  public ImageBackend backend() {
    return backend;
  }

  /** The thumbnail state of {@code fileId}, if it has one. */
  public Optional<ThumbnailState> state(String fileId) {
    return store.query(ThumbnailStates.byFile(fileId));
  }

  /**
   * A query of the thumbnail state of {@code fileId}, to run or {@linkplain Store#subscribe
   * subscribe to} on the store.
   */
  public static Query<Optional<ThumbnailState>> stateQuery(String fileId) {
    return ThumbnailStates.byFile(fileId);
  }

  /** The thumbnail states of every file. */
  public List<ThumbnailState> states() {
    return store.query(ThumbnailStates.all());
  }

  /**
   * The path of the {@code size} thumbnail of {@code fileId}'s current content, when it is ready.
   *
   * @throws IllegalArgumentException when {@code size} is not configured
   */
  public Optional<Path> resolve(String fileId, String size) {
    checkSize(size);
    Optional<String> hash = currentHash(fileId);
    Optional<ThumbnailState> st = state(fileId);
    if (hash.isEmpty() || st.isEmpty() || !st.get().contentHash().equals(hash.get())) {
      return Optional.empty();
    }
    ThumbnailState.Size s = st.get().sizes().get(size);
    if (s == null || s.status() != ThumbnailStatus.DONE || s.path() == null) {
      return Optional.empty();
    }
    Path p = engine.resolvePath(s.path());
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * The thumbnail's URI when it is ready, else where the original can be read ({@link
   * FileSync#resolve}), else empty.
   */
  public Optional<URI> resolveOrFile(String fileId, String size) throws IOException {
    Optional<Path> thumb = resolve(fileId, size);
    if (thumb.isPresent()) {
      return Optional.of(thumb.get().toUri());
    }
    return files.resolve(fileId);
  }

  /**
   * Waits until the {@code size} thumbnail of {@code fileId} is ready.
   *
   * @return its path, or empty when it was not ready within {@code timeout}
   * @throws ThumbnailException when it will not be made (not an image, a bad image, failed)
   * @throws NoSuchFileException when there is no such live file
   */
  public Optional<Path> await(String fileId, String size, Duration timeout)
      throws IOException, InterruptedException {
    checkSize(size);
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    // Wakes on changes of the state row and of the file (deleted, or updated to other bytes).
    Subscription sub =
        store.subscribe(
            Query.list(
                    "SELECT f.contentHash, f.deletedAt, t.contentHash AS stateHash, t.sizesJson"
                        + " FROM files f LEFT JOIN thumbnailState t ON t.fileId = f.id"
                        + " WHERE f.id = ?",
                    r ->
                        r.getString("contentHash")
                            + "|"
                            + r.getString("deletedAt")
                            + "|"
                            + r.getString("stateHash")
                            + "|"
                            + r.getString("sizesJson"),
                    fileId)
                .dependsOn("thumbnailState", "files"),
            ignored -> check(fileId, size, outcome));
    try {
      Object r = outcome.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      return Optional.of((Path) r);
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      sub.cancel();
    }
  }

  private void check(String fileId, String size, CompletableFuture<Object> outcome) {
    if (outcome.isDone()) {
      return;
    }
    Optional<String> hash = currentHash(fileId);
    if (hash.isEmpty()) {
      outcome.completeExceptionally(new NoSuchFileException(fileId, null, "no such file"));
      return;
    }
    Optional<ThumbnailState> st = state(fileId);
    if (st.isEmpty() || !st.get().contentHash().equals(hash.get())) {
      return;
    }
    ThumbnailState.Size s = st.get().sizes().get(size);
    if (s == null) {
      return;
    }
    switch (s.status()) {
      case DONE -> resolve(fileId, size).ifPresent(outcome::complete);
      case ERROR ->
          outcome.completeExceptionally(
              new ThumbnailException(
                  fileId, ThumbnailStatus.ERROR, "no thumbnail for " + fileId + ": " + s.error()));
      case SKIPPED ->
          outcome.completeExceptionally(
              new ThumbnailException(
                  fileId,
                  ThumbnailStatus.SKIPPED,
                  "file " + fileId + " is not an image FileSync can read"));
      default -> {}
    }
  }

  /**
   * The {@code size} thumbnail of {@code fileId}, generated now on the calling thread if it is not
   * on disk yet (in any process, holding the lock or not); the state is recorded as the background
   * generation would.
   *
   * @throws ThumbnailException when the file is not an image, its image is bad, or its bytes are
   *     not on this device
   * @throws NoSuchFileException when there is no such live file
   */
  public Path generate(String fileId, String size) throws IOException {
    checkSize(size);
    return engine.generateNow(fileId, size);
  }

  /**
   * These thumbnails as a {@link dev.filesync.core.ThumbnailSource} for the {@link
   * dev.filesync.core.LocalFileServer}: ready thumbnails of configured sizes, empty otherwise.
   *
   * {@snippet :
   * LocalFileServer server = LocalFileServer.builder(files)
   *     .thumbnails(thumbs.source(), thumbs.config().format().mimeType())
   *     .start();
   * }
   */
  public dev.filesync.core.ThumbnailSource source() {
    return (fileId, size) ->
        config.sizes().containsKey(size) ? resolve(fileId, size) : Optional.empty();
  }

  /** Deletes the thumbnails of {@code fileId}'s content and makes them again (errors included). */
  public void regenerate(String fileId) {
    engine.regenerate(fileId);
  }

  private Optional<String> currentHash(String fileId) {
    return store.query(
        Query.first(
            "SELECT contentHash FROM files WHERE id = ? AND deletedAt IS NULL",
            r -> r.getString("contentHash"),
            fileId));
  }

  private void checkSize(String size) {
    if (!config.sizes().containsKey(size)) {
      throw new IllegalArgumentException(
          "unknown thumbnail size '" + size + "' (configured: " + config.sizes().keySet() + ")");
    }
  }

  @Override
  public void close() {
    engine.close();
  }
}
