package dev.filesync.core.internal;

import dev.filesync.store.Store;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Decides when a content file may go (invariant 2): only when no live row references its hash, no
 * transfer holds it ({@link #pin}), and no save is between writing the bytes and committing the row
 * ({@link #beginSave}). Removal is deferred, never blocking: a candidate waits in a set until the
 * GC lock is free, and is re-examined when a save or a transfer ends.
 */
public final class ContentGuard {
  private static final System.Logger LOG = System.getLogger(ContentGuard.class.getName());

  private final Store store;
  private final LocalContent content;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<String, Integer> pins = new ConcurrentHashMap<>();
  private final Set<String> candidates = ConcurrentHashMap.newKeySet();

  /** A guard over {@code content}, whose rows are in {@code store}. */
  public ContentGuard(Store store, LocalContent content) {
    this.store = store;
    this.content = content;
  }

  /** Marks a save in progress: no content file is removed until {@link #endSave}. */
  public void beginSave() {
    lock.readLock().lock();
  }

  /** Ends a save begun on this thread, then runs pending removals. */
  public void endSave() {
    lock.readLock().unlock();
    drain();
  }

  /** A transfer holds {@code hash}. */
  public void pin(String hash) {
    pins.merge(hash, 1, Integer::sum);
  }

  /** A transfer released {@code hash}; pending removals run. */
  public void unpin(String hash) {
    pins.computeIfPresent(hash, (k, n) -> n == 1 ? null : n - 1);
    drain();
  }

  /** Whether a transfer holds {@code hash}. */
  public boolean pinned(String hash) {
    return pins.containsKey(hash);
  }

  /**
   * Removes content files that no live row references: leftovers of a crash between writing the
   * bytes and committing the row, or of a removal that failed. Only files older than {@code minAge}
   * go, so that a save still running in another process on the same data directory (bytes written,
   * row not yet committed) keeps its file.
   *
   * @return how many files were removed
   */
  public int sweep(java.time.Duration minAge, java.time.Instant now) throws IOException {
    int removed = 0;
    for (String hash : content.list()) {
      if (pinned(hash) || !Rows.liveWithHash(store, hash).isEmpty()) {
        continue;
      }
      java.nio.file.Path p = content.path(hash);
      java.time.Instant modified;
      try {
        modified = java.nio.file.Files.getLastModifiedTime(p).toInstant();
      } catch (java.nio.file.NoSuchFileException gone) {
        continue;
      }
      if (modified.plus(minAge).isAfter(now)) {
        continue;
      }
      lock.writeLock().lock();
      try {
        if (!pinned(hash) && Rows.liveWithHash(store, hash).isEmpty()) {
          content.delete(hash);
          removed++;
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
    drain(); // releases asked for while the sweep held the lock
    return removed;
  }

  /** Removes {@code hash}'s content file when nothing references it any more. */
  public void release(String hash) {
    if (hash == null || hash.isEmpty()) {
      return;
    }
    candidates.add(hash);
    drain();
  }

  private void drain() {
    // Loop: a release that arrives while this drain holds the lock fails its own tryLock and
    // relies on this one to pick its hash up.
    while (true) {
      if (candidates.isEmpty() || !lock.writeLock().tryLock()) {
        return; // a save is running; it drains when it ends
      }
      boolean progress = false;
      try {
        for (String hash : Set.copyOf(candidates)) {
          if (pinned(hash)) {
            continue; // the transfer drains when it ends
          }
          candidates.remove(hash);
          progress = true;
          if (Rows.liveWithHash(store, hash).isEmpty()) {
            try {
              content.delete(hash);
            } catch (IOException e) {
              LOG.log(System.Logger.Level.WARNING, "cannot remove content " + hash, e);
            }
          }
        }
      } finally {
        lock.writeLock().unlock();
      }
      if (!progress) {
        return; // only pinned hashes are left: their transfers drain when they end
      }
    }
  }
}
