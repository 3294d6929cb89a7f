package dev.filesync.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link LocalContent} on any {@link java.nio.file.FileSystem}: content files live in {@code
 * <root>/livestore-filesync-files/<sanitized store id>/<sha256 hex>}, temp files in {@code
 * <root>/livestore-filesync-files/.tmp/} (shared by every store under the root, never listed as
 * content).
 *
 * <p>A save streams through a fixed 64 KiB buffer into a temp file while hashing, forces it to
 * disk, and renames it into place atomically (falling back to a plain replacing move where the file
 * system has no atomic move). If the content file exists already it is re-read: kept when it still
 * hashes to its name, replaced when it is corrupt. Concurrent saves of the same bytes need no lock:
 * each writes its own temp file and the renames replace whole files with identical bytes.
 *
 * <p>Instances hold no open files and need no closing; they are thread-safe.
 */
public final class FileSystemContent implements LocalContent {

  /** The directory under the root that holds every store's content ({@code FILES_ROOT}). */
  public static final String FILES_ROOT = "livestore-filesync-files";

  /** The temp directory's name, inside {@link #FILES_ROOT}. */
  static final String TEMP_DIRECTORY = ".tmp";

  private static final int BUFFER_SIZE = 64 * 1024;
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
  private static final HexFormat HEX = HexFormat.of();

  private final String sanitizedStoreId;
  private final Path storeDirectory;
  private final Path tempDirectory;

  private FileSystemContent(Path root, String storeId) {
    Objects.requireNonNull(root, "root");
    this.sanitizedStoreId = sanitizeStoreId(storeId);
    if (sanitizedStoreId.isEmpty()
        || sanitizedStoreId.equals(".")
        || sanitizedStoreId.equals("..")
        || sanitizedStoreId.equals(TEMP_DIRECTORY)) {
      throw new IllegalArgumentException(
          "store id " + quote(storeId) + " cannot name a content directory");
    }
    Path files = root.resolve(FILES_ROOT);
    this.storeDirectory = files.resolve(sanitizedStoreId);
    this.tempDirectory = files.resolve(TEMP_DIRECTORY);
  }

  /**
   * The content store of {@code storeId} under {@code root}. Nothing is created until bytes are
   * saved.
   *
   * @param root the directory that holds {@value #FILES_ROOT}, on any file system
   * @param storeId the store id, sanitized as the reference does
   * @return the content store
   * @throws IllegalArgumentException when the sanitized store id is empty, {@code .}, {@code ..} or
   *     {@code .tmp}
   */
  public static LocalContent open(Path root, String storeId) {
    return new FileSystemContent(root, storeId);
  }

  /**
   * The reference's {@code sanitizeStoreId}: each character outside {@code [A-Za-z0-9._-]} becomes
   * {@code _}. Remote keys are {@code <sanitized store id>/<sha256 hex>}.
   *
   * @param storeId the store id
   * @return the sanitized id
   */
  public static String sanitizeStoreId(String storeId) {
    Objects.requireNonNull(storeId, "storeId");
    return UNSAFE.matcher(storeId).replaceAll("_");
  }

  /** Whether {@code s} is a lowercase hex SHA-256, the only names content files have. */
  static boolean isHash(String s) {
    return s != null && HASH.matcher(s).matches();
  }

  @Override
  public Saved save(InputStream in) throws IOException {
    Objects.requireNonNull(in, "in");
    Path temp = newTempFile();
    boolean placed = false;
    try {
      MessageDigest digest = sha256();
      long size = 0;
      byte[] buffer = new byte[BUFFER_SIZE];
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (n == 0) {
            continue;
          }
          digest.update(buffer, 0, n);
          ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
          while (chunk.hasRemaining()) {
            out.write(chunk);
          }
          size += n;
        }
        force(out);
      }
      String hash = HEX.formatHex(digest.digest());
      place(temp, hash);
      placed = true;
      return new Saved(hash, size);
    } finally {
      if (!placed) {
        Files.deleteIfExists(temp);
      }
    }
  }

  @Override
  public boolean has(String sha256Hex) {
    return Files.isRegularFile(path(sha256Hex));
  }

  @Override
  public boolean verify(String sha256Hex) throws IOException {
    Path file = path(sha256Hex);
    try {
      return hashOf(file).equals(sha256Hex);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public InputStream open(String sha256Hex) throws IOException {
    return Files.newInputStream(path(sha256Hex));
  }

  @Override
  public Path path(String sha256Hex) {
    return storeDirectory.resolve(checkHash(sha256Hex));
  }

  @Override
  public String relativePath(String sha256Hex) {
    return FILES_ROOT + "/" + sanitizedStoreId + "/" + checkHash(sha256Hex);
  }

  @Override
  public Path newTempFile() throws IOException {
    Files.createDirectories(tempDirectory);
    return Files.createTempFile(tempDirectory, "tmp-", ".part");
  }

  @Override
  public void adopt(Path tempFile, String expectedSha256Hex) throws IOException {
    Objects.requireNonNull(tempFile, "tempFile");
    checkHash(expectedSha256Hex);
    boolean placed = false;
    try {
      String actual = hashOf(tempFile);
      if (!actual.equals(expectedSha256Hex)) {
        throw new ContentMismatchException(expectedSha256Hex, actual);
      }
      place(tempFile, expectedSha256Hex);
      placed = true;
    } finally {
      if (!placed) {
        Files.deleteIfExists(tempFile);
      }
    }
  }

  @Override
  public void delete(String sha256Hex) throws IOException {
    Files.deleteIfExists(path(sha256Hex));
  }

  @Override
  public Set<String> list() throws IOException {
    Set<String> hashes = new HashSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(storeDirectory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (isHash(name) && Files.isRegularFile(entry)) {
          hashes.add(name);
        }
      }
    } catch (NoSuchFileException e) {
      // nothing saved yet
    }
    return hashes;
  }

  @Override
  public String toString() {
    return "FileSystemContent[" + storeDirectory.toUri() + "]";
  }

  /**
   * Moves a verified, forced temp file to the content path of {@code hash}, or deletes it when an
   * intact content file is there already. The temp file is gone when this returns normally.
   */
  private void place(Path temp, String hash) throws IOException {
    Path target = path(hash);
    if (intact(target, hash)) {
      Files.delete(temp);
      // a fresh save of old bytes: the orphan sweep (which spares recent files) must see it as new
      Files.setLastModifiedTime(
          target, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
      return;
    }
    Files.createDirectories(storeDirectory);
    try {
      move(temp, target);
    } catch (FileSystemException e) {
      // e.g. Windows refuses to replace a file another thread has open: fine if that file is whole
      if (intact(target, hash)) {
        Files.delete(temp);
        return;
      }
      throw e;
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      // replaces an existing (corrupt) target atomically on every provider that supports it
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static boolean intact(Path file, String hash) throws IOException {
    try {
      return hashOf(file).equals(hash);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static void force(FileChannel channel) throws IOException {
    try {
      channel.force(true);
    } catch (UnsupportedOperationException e) {
      // the provider keeps nothing that could be lost (in-memory file systems)
    }
  }

  /** The lowercase hex SHA-256 of a file, read with a fixed buffer. */
  static String hashOf(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[BUFFER_SIZE];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HEX.formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  private static String checkHash(String sha256Hex) {
    if (!isHash(sha256Hex)) {
      throw new IllegalArgumentException("not a lowercase hex SHA-256: " + quote(sha256Hex));
    }
    return sha256Hex;
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
