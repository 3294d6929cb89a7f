package dev.filesync.core;

import dev.filesync.store.FileSyncException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Where file bytes live remotely, by key ({@code <sanitized store id>/<sha256>}). The default
 * implementation talks to a FileSync server's signer API (gateway or signer mode alike); tests use
 * an in-memory one with fault hooks.
 *
 * <p>Every method streams: no implementation holds a file in memory. Implementations are
 * thread-safe; the engine calls them from several transfer threads at once.
 */
public interface RemoteStorage extends AutoCloseable {

  /**
   * Uploads the file {@code source} to {@code key}. The storage is asked to refuse bytes that do
   * not hash to {@code sha256Hex} where it can.
   *
   * @param size the file's length
   * @param contentType the media type to store, or {@code null}
   * @param progress told as bytes go out
   * @throws RemoteStorageException when the storage refuses or cannot be reached
   * @throws FileSyncException when {@code source} cannot be read or does not have {@code size}
   *     bytes (nothing is sent)
   */
  void upload(
      String key,
      Path source,
      long size,
      String sha256Hex,
      String contentType,
      TransferListener progress)
      throws FileSyncException;

  /**
   * Downloads {@code key} into {@code target} (created or replaced), streaming. The caller verifies
   * the bytes.
   *
   * @return the number of bytes written
   * @throws RemoteStorageException with status 404 when there is no such object
   * @throws FileSyncException when {@code target} cannot be written
   */
  long download(String key, Path target, TransferListener progress) throws FileSyncException;

  /** Removes the object; removing nothing is not an error. */
  void delete(String key) throws FileSyncException;

  /** A short-lived URL to read the object (for apps that show it remotely). */
  URI downloadUrl(String key) throws FileSyncException;

  /** Whether the storage answers; never throws. */
  boolean healthy();

  /** Releases connections. */
  @Override
  void close();
}
