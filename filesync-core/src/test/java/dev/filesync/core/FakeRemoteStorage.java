package dev.filesync.core;

import dev.filesync.store.FileSyncException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link RemoteStorage} with fault hooks, for engine tests. Objects are byte arrays in
 * a map (this fake, unlike real implementations, holds whole files in memory). Thread-safe.
 *
 * <p>Faults, checked in this order at the start of {@code upload}, {@code download}, {@code delete}
 * and {@code downloadUrl}: closed or offline (retryable, status 0); a {@link #failNext(int,
 * boolean) planned failure} (status 503 when retryable, 403 otherwise). Uploads then wait at the
 * {@link #blockUploads() gate}, if closed, and check the size (400) and the SHA-256 (400 {@code
 * ChecksumMismatch}) as the server does; nothing is stored on a refusal. Downloads of a missing key
 * fail with 404, not retryable.
 *
 * <p>Counters count successful calls only. Progress is reported in 4 steps, the last with the whole
 * size.
 */
public final class FakeRemoteStorage implements RemoteStorage {

  /** The base of {@link #downloadUrl(String)}. */
  public static final URI BASE_URL = URI.create("https://fake-storage.invalid/");

  private static final int CHUNKS = 4;

  private final ConcurrentHashMap<String, byte[]> objects = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> contentTypes = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicInteger downloads = new AtomicInteger();
  private final AtomicInteger deletes = new AtomicInteger();
  private final Semaphore arrivedAtGate = new Semaphore(0);

  // guarded by lock
  private boolean online = true;
  private boolean closed;
  private int failures;
  private boolean failuresRetryable;
  private boolean corruptNextDownload;
  private CountDownLatch gate;

  /** Calls fail retryably with status 0 while offline, and {@link #healthy()} is false. */
  public void setOnline(boolean online) {
    synchronized (lock) {
      this.online = online;
    }
  }

  /**
   * The next {@code n} calls of {@code upload}, {@code download}, {@code delete} or {@code
   * downloadUrl} fail: retryable with status 503, or not with status 403. Replaces an earlier plan.
   */
  public void failNext(int n, boolean retryable) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    synchronized (lock) {
      failures = n;
      failuresRetryable = retryable;
    }
  }

  /** The next successful download writes the object with one byte flipped. */
  public void corruptNextDownload() {
    synchronized (lock) {
      corruptNextDownload = true;
    }
  }

  /**
   * From now on uploads wait, after their fault checks and before reading the source, until {@link
   * #release()}; {@link #awaitBlockedUpload(long, TimeUnit)} tells when one is waiting. An upload
   * interrupted while waiting fails retryably with the interrupt flag set.
   */
  public void blockUploads() {
    synchronized (lock) {
      if (gate == null) {
        gate = new CountDownLatch(1);
      }
    }
  }

  /** Lets every waiting upload go on, and later ones pass without waiting. */
  public void release() {
    CountDownLatch g;
    synchronized (lock) {
      g = gate;
      gate = null;
    }
    if (g != null) {
      g.countDown();
    }
  }

  /**
   * Waits until an upload has reached the gate set by {@link #blockUploads()} (each arrival is
   * awaited once).
   *
   * @return whether one arrived in time
   */
  public boolean awaitBlockedUpload(long timeout, TimeUnit unit) throws InterruptedException {
    return arrivedAtGate.tryAcquire(timeout, unit);
  }

  /** Successful uploads so far. */
  public int uploads() {
    return uploads.get();
  }

  /** Successful downloads so far. */
  public int downloads() {
    return downloads.get();
  }

  /** Successful deletes so far (deleting a missing key counts). */
  public int deletes() {
    return deletes.get();
  }

  /** The keys stored now, sorted. */
  public Set<String> keys() {
    return new TreeSet<>(objects.keySet());
  }

  /** Stores an object directly, as another client would have. */
  public void put(String key, byte[] bytes) {
    Objects.requireNonNull(key, "key");
    synchronized (lock) {
      objects.put(key, bytes.clone());
      contentTypes.remove(key);
    }
  }

  /** A copy of an object's bytes, or {@code null} when there is none. */
  public byte[] bytes(String key) {
    byte[] b = objects.get(key);
    return b == null ? null : b.clone();
  }

  /** The content type the last upload of {@code key} declared, or {@code null}. */
  public String contentType(String key) {
    return contentTypes.get(key);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  @Override
  public void upload(
      String key,
      Path source,
      long size,
      String sha256Hex,
      String contentType,
      TransferListener progress)
      throws FileSyncException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(progress, "progress");
    CountDownLatch g;
    synchronized (lock) {
      fault(key, "upload");
      g = gate;
    }
    if (g != null) {
      arrivedAtGate.release();
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RemoteStorageException("upload of " + key + " interrupted", key, 0, true, e);
      }
      synchronized (lock) {
        if (closed) {
          throw new RemoteStorageException("upload of " + key + ": closed", key, 0, true, null);
        }
      }
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(source);
    } catch (IOException e) {
      throw new FileSyncException("cannot read the upload source " + source, e);
    }
    if (bytes.length != size) {
      throw new RemoteStorageException(
          "upload of " + key + " refused: ContentLengthMismatch", key, 400, false, null);
    }
    if (sha256Hex != null && !sha256Hex.equals(sha256(bytes))) {
      throw new RemoteStorageException(
          "upload of " + key + " refused: ChecksumMismatch", key, 400, false, null);
    }
    report(bytes.length, progress);
    synchronized (lock) {
      objects.put(key, bytes);
      if (contentType == null) {
        contentTypes.remove(key);
      } else {
        contentTypes.put(key, contentType);
      }
    }
    uploads.incrementAndGet();
  }

  @Override
  public long download(String key, Path target, TransferListener progress)
      throws FileSyncException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(progress, "progress");
    byte[] bytes;
    synchronized (lock) {
      fault(key, "download");
      byte[] stored = objects.get(key);
      if (stored == null) {
        throw new RemoteStorageException(
            "download of " + key + " refused: NoSuchKey", key, 404, false, null);
      }
      bytes = stored.clone();
      if (corruptNextDownload && bytes.length > 0) {
        corruptNextDownload = false;
        bytes[bytes.length / 2] ^= 0x01;
      }
    }
    try {
      Files.write(target, bytes);
    } catch (IOException e) {
      throw new FileSyncException("cannot write the download of " + key + " to " + target, e);
    }
    report(bytes.length, progress);
    downloads.incrementAndGet();
    return bytes.length;
  }

  @Override
  public void delete(String key) throws FileSyncException {
    Objects.requireNonNull(key, "key");
    synchronized (lock) {
      fault(key, "delete");
    }
    synchronized (lock) {
      objects.remove(key);
      contentTypes.remove(key);
    }
    deletes.incrementAndGet();
  }

  @Override
  public URI downloadUrl(String key) throws FileSyncException {
    Objects.requireNonNull(key, "key");
    synchronized (lock) {
      fault(key, "downloadUrl");
    }
    return BASE_URL.resolve(key);
  }

  @Override
  public boolean healthy() {
    synchronized (lock) {
      return online && !closed;
    }
  }

  /** Fails later calls (retryable, status 0) and lets blocked uploads fail the same way. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    release();
  }

  private void fault(String key, String what) throws RemoteStorageException {
    // called holding lock
    if (closed) {
      throw new RemoteStorageException(what + " of " + key + ": closed", key, 0, true, null);
    }
    if (!online) {
      throw new RemoteStorageException(what + " of " + key + ": offline", key, 0, true, null);
    }
    if (failures > 0) {
      failures--;
      throw new RemoteStorageException(
          what + " of " + key + ": planned failure",
          key,
          failuresRetryable ? 503 : 403,
          failuresRetryable,
          null);
    }
  }

  private static void report(long size, TransferListener progress) {
    for (int i = 1; i < CHUNKS; i++) {
      progress.progress(size * i / CHUNKS, size);
    }
    progress.progress(size, size);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
