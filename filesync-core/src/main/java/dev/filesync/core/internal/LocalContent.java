package dev.filesync.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * The device's content-addressed file bytes for one store: {@code
 * <root>/livestore-filesync-files/<sanitized store id>/<sha256 hex>}, the reference's layout. Bytes
 * stream in through a temp file while SHA-256 is computed and move into place atomically, so a
 * content file is either absent or whole and correct when written. Thread-safe.
 */
public interface LocalContent {

  /** What a save produced. */
  record Saved(String sha256Hex, long size) {}

  /**
   * Streams {@code in} into the store (it is not closed) and returns its hash and size. Saving
   * bytes already present keeps the existing file. Nothing is left behind on failure.
   */
  Saved save(InputStream in) throws IOException;

  /** Whether a content file for {@code sha256Hex} exists (not whether it is intact). */
  boolean has(String sha256Hex);

  /** Re-reads the file and checks that it still hashes to its name; false when absent. */
  boolean verify(String sha256Hex) throws IOException;

  /** Opens the content file for reading. */
  InputStream open(String sha256Hex) throws IOException;

  /** The path of the content file (it may not exist). */
  Path path(String sha256Hex);

  /**
   * The store-relative path the reference records in {@code files.path}: {@code
   * livestore-filesync-files/<sanitized store id>/<sha256 hex>}.
   */
  String relativePath(String sha256Hex);

  /**
   * A new empty temp file inside the store's file system (for downloads); the caller adopts or
   * deletes it.
   */
  Path newTempFile() throws IOException;

  /**
   * Moves a downloaded temp file into place if it hashes to {@code expectedSha256Hex}; otherwise
   * deletes it and throws {@link ContentMismatchException}.
   */
  void adopt(Path tempFile, String expectedSha256Hex) throws IOException;

  /** Removes the content file if present. */
  void delete(String sha256Hex) throws IOException;

  /** The hashes of every content file present (for orphan sweeps). */
  Set<String> list() throws IOException;

  /** Bytes read back do not hash to the expected SHA-256; nothing was kept. */
  final class ContentMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception naming both hashes. */
    public ContentMismatchException(String expected, String actual) {
      super("content hash mismatch: expected " + expected + ", got " + actual);
    }
  }
}
