package dev.filesync.server.internal;

import dev.filesync.server.BlobStore;
import dev.filesync.server.BlobStoreException;
import dev.filesync.server.BlobStoreException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} in a directory of the local (or any NIO) filesystem.
 *
 * <p>Layout under the root: {@code objects/<h2>/<h>} holds the bytes, where {@code h} is the hex
 * SHA-256 of the key and {@code h2} its first two characters (a flat, one-to-one name: keys cannot
 * collide by case, by prefix or by length on any disk), {@code meta/<h2>/<h>} a small properties
 * file with the content type, ETag (the hex SHA-256) and size, {@code tmp/} the files being
 * written, and {@code multipart/<uploadId>/} each multipart upload (files {@code key}, {@code
 * contentType} and one {@code <00001>-<sha256>} per part). Because metadata lives in its own tree,
 * no metadata file can ever be read as an object.
 *
 * <p>A put streams into {@code tmp/} while hashing, forces the file to disk, then renames it into
 * place atomically and forces the directory. The object and its metadata file are swapped under a
 * per-key lock, and readers open the object and read its metadata under the same lock, so a reader
 * always sees a matching pair; once open, a reader keeps reading the bytes it opened even if the
 * object is replaced. Locks are striped, held only for renames and small reads (and, per upload,
 * while a multipart upload is being joined). One process owns a root at a time: the constructor
 * empties {@code tmp/}. {@link #close()} releases nothing; every stream is closed by its caller.
 */
public final class FileSystemBlobStore implements BlobStore {
  private static final String DEFAULT_TYPE = "application/octet-stream";
  private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern PART_FILE = Pattern.compile("(\\d{5})-([0-9a-f]{64})");
  private static final int STRIPES = 64;

  private final Path root;
  private final Path objects;
  private final Path meta;
  private final Path tmp;
  private final Path multipart;
  private final SecureRandom random = new SecureRandom();
  // Two separate lock tables: upload locks may be held while taking a key lock, never the reverse.
  private final ReentrantLock[] keyLocks = newLocks();
  private final ReentrantLock[] uploadLocks = newLocks();

  /**
   * Opens (creating the directories if needed) a store under {@code root}.
   *
   * @throws IOException when the directories cannot be created
   */
  public FileSystemBlobStore(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.objects = this.root.resolve("objects");
    this.meta = this.root.resolve("meta");
    this.tmp = this.root.resolve("tmp");
    this.multipart = this.root.resolve("multipart");
    for (Path dir : List.of(objects, meta, tmp, multipart)) {
      Files.createDirectories(dir);
    }
    // Left over by a crash; this process owns the root now.
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static ReentrantLock[] newLocks() {
    ReentrantLock[] locks = new ReentrantLock[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
    return locks;
  }

  private static ReentrantLock lockFor(ReentrantLock[] locks, String name) {
    return locks[Math.floorMod(name.hashCode(), STRIPES)];
  }

  @Override
  public BlobInfo put(
      String key,
      InputStream body,
      long length,
      long maxBytes,
      String contentType,
      String sha256Hex)
      throws IOException {
    Path target = resolve(objects, key);
    String expected = BodyReader.normalizeSha256(sha256Hex);
    BodyReader reader = new BodyReader(body, length, maxBytes);
    Path temp = Files.createTempFile(tmp, "put-", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel)) {
        reader.transferTo(out);
        channel.force(true);
      }
      String sha = reader.sha256Hex();
      BodyReader.checkSha256(expected, sha);
      BlobInfo info = install(key, target, temp, contentType, sha, reader.count());
      temp = null;
      return info;
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Renames a complete, forced temp file into place and writes its metadata. */
  private BlobInfo install(
      String key, Path target, Path temp, String contentType, String sha, long size)
      throws IOException {
    String type = contentType == null || contentType.isBlank() ? DEFAULT_TYPE : contentType;
    Path metaTarget = resolve(meta, key);
    Path metaTemp = Files.createTempFile(tmp, "meta-", ".tmp");
    try {
      Properties props = new Properties();
      props.setProperty("contentType", type);
      props.setProperty("etag", sha);
      props.setProperty("size", Long.toString(size));
      try (FileChannel channel = FileChannel.open(metaTemp, StandardOpenOption.WRITE);
          Writer w = Channels.newWriter(channel, StandardCharsets.UTF_8)) {
        props.store(w, null);
        w.flush();
        channel.force(true);
      }
      long modified;
      ReentrantLock lock = lockFor(keyLocks, key);
      lock.lock();
      try {
        Files.createDirectories(target.getParent());
        Files.createDirectories(metaTarget.getParent());
        move(temp, target);
        move(metaTemp, metaTarget);
        metaTemp = null;
        modified = Files.getLastModifiedTime(target).toMillis();
      } finally {
        lock.unlock();
      }
      forceDirectory(target.getParent());
      forceDirectory(metaTarget.getParent());
      return new BlobInfo(key, size, sha, type, modified);
    } finally {
      if (metaTemp != null) {
        Files.deleteIfExists(metaTemp);
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void forceDirectory(Path dir) {
    // Makes the rename durable where the platform allows it; some filesystems cannot open a
    // directory as a channel, and the rename itself is done either way.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort
    }
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    Path target = resolve(objects, key);
    ReentrantLock lock = lockFor(keyLocks, key);
    lock.lock();
    try {
      if (!Files.isRegularFile(target)) {
        return Optional.empty();
      }
      return Optional.of(readInfo(key, target));
    } finally {
      lock.unlock();
    }
  }

  /** Reads an object's description; call with its key lock held. */
  private BlobInfo readInfo(String key, Path target) throws IOException {
    long size = Files.size(target);
    long modified = Files.getLastModifiedTime(target).toMillis();
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(resolve(meta, key), StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (NoSuchFileException e) {
      // A crash between the two renames: rebuild what the metadata would have said.
      props.setProperty("etag", hashFile(target));
    }
    return new BlobInfo(
        key,
        size,
        props.getProperty("etag"),
        props.getProperty("contentType", DEFAULT_TYPE),
        modified);
  }

  private static String hashFile(Path file) throws IOException {
    MessageDigest digest = BodyReader.newSha256();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public Optional<Blob> get(String key, ByteRange range) throws IOException {
    Path target = resolve(objects, key);
    FileChannel channel;
    BlobInfo info;
    ReentrantLock lock = lockFor(keyLocks, key);
    lock.lock();
    try {
      if (!Files.isRegularFile(target)) {
        return Optional.empty();
      }
      try {
        channel = FileChannel.open(target, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
      try {
        info = readInfo(key, target);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } finally {
      lock.unlock();
    }
    try {
      long size = channel.size();
      long first = 0;
      long last = size - 1;
      if (range != null) {
        checkRange(range);
        if (range.first() >= size) {
          throw new BlobStoreException(
              Kind.BAD_RANGE,
              "range starts at " + range.first() + ", past the end of " + size + " bytes");
        }
        first = range.first();
        if (range.last() >= 0) {
          last = Math.min(range.last(), size - 1);
        }
      }
      long length = Math.max(0, last - first + 1);
      channel.position(first);
      InputStream body = new BoundedInputStream(Channels.newInputStream(channel), length);
      return Optional.of(new Blob(info, first, length, body));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  static void checkRange(ByteRange range) {
    if (range.first() < 0
        || range.last() < -1
        || (range.last() >= 0 && range.last() < range.first())) {
      throw new IllegalArgumentException("bad byte range: " + range.first() + "-" + range.last());
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    Path target = resolve(objects, key);
    ReentrantLock lock = lockFor(keyLocks, key);
    lock.lock();
    try {
      if (!Files.isRegularFile(target)) {
        return false;
      }
      boolean deleted = Files.deleteIfExists(target);
      Files.deleteIfExists(resolve(meta, key));
      return deleted;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String createMultipart(String key, String contentType) throws IOException {
    checkKey(key);
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String uploadId = HexFormat.of().formatHex(bytes);
    Path dir = multipart.resolve(uploadId);
    Files.createDirectories(dir);
    if (contentType != null && !contentType.isBlank()) {
      Files.writeString(dir.resolve("contentType"), contentType, StandardCharsets.UTF_8);
    }
    // Written last: an upload directory without a key file is not an upload.
    Path keyTemp = Files.createTempFile(tmp, "key-", ".tmp");
    Files.writeString(keyTemp, key, StandardCharsets.UTF_8);
    move(keyTemp, dir.resolve("key"));
    return uploadId;
  }

  /** The directory of upload {@code uploadId} to {@code key}, or NO_SUCH_UPLOAD. */
  private Path uploadDir(String key, String uploadId) throws IOException {
    checkKey(key);
    if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
      throw noSuchUpload(uploadId);
    }
    Path dir = multipart.resolve(uploadId);
    try {
      if (!key.equals(Files.readString(dir.resolve("key"), StandardCharsets.UTF_8))) {
        throw noSuchUpload(uploadId);
      }
    } catch (NoSuchFileException e) {
      throw noSuchUpload(uploadId);
    }
    return dir;
  }

  private static BlobStoreException noSuchUpload(String uploadId) {
    return new BlobStoreException(Kind.NO_SUCH_UPLOAD, "no such upload: " + uploadId);
  }

  @Override
  public PartInfo uploadPart(
      String key, String uploadId, int partNumber, InputStream body, long length, long maxBytes)
      throws IOException {
    checkPartNumber(partNumber);
    Path dir = uploadDir(key, uploadId);
    BodyReader reader = new BodyReader(body, length, maxBytes);
    Path temp = Files.createTempFile(tmp, "part-", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel)) {
        reader.transferTo(out);
        channel.force(true);
      }
      String sha = reader.sha256Hex();
      String prefix = String.format(Locale.ROOT, "%05d-", partNumber);
      ReentrantLock lock = lockFor(uploadLocks, uploadId);
      lock.lock();
      try {
        uploadDir(key, uploadId); // aborted meanwhile?
        Path target = dir.resolve(prefix + sha);
        move(temp, target);
        temp = null;
        // A part sent again replaces the earlier one.
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, prefix + "*")) {
          for (Path p : old) {
            if (!p.equals(target)) {
              Files.deleteIfExists(p);
            }
          }
        }
      } finally {
        lock.unlock();
      }
      forceDirectory(dir);
      return new PartInfo(partNumber, sha, reader.count());
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  static void checkPartNumber(int partNumber) {
    if (partNumber < 1 || partNumber > 10_000) {
      throw new IllegalArgumentException("part number must be 1 to 10000: " + partNumber);
    }
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) throws IOException {
    Path dir = uploadDir(key, uploadId);
    ReentrantLock lock = lockFor(uploadLocks, uploadId);
    lock.lock();
    try {
      return parts(dir);
    } finally {
      lock.unlock();
    }
  }

  private static List<PartInfo> parts(Path dir) throws IOException {
    List<PartInfo> parts = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        Matcher m = PART_FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          parts.add(new PartInfo(Integer.parseInt(m.group(1)), m.group(2), Files.size(p)));
        }
      }
    } catch (NoSuchFileException e) {
      throw noSuchUpload(dir.getFileName().toString());
    }
    parts.sort(Comparator.comparingInt(PartInfo::partNumber));
    return parts;
  }

  @Override
  public BlobInfo completeMultipart(
      String key, String uploadId, List<PartInfo> parts, String sha256Hex) throws IOException {
    Path target = resolve(objects, key);
    String expected = BodyReader.normalizeSha256(sha256Hex);
    Path dir = uploadDir(key, uploadId);
    // Held while joining, so that a part resent meanwhile cannot change what is joined.
    ReentrantLock lock = lockFor(uploadLocks, uploadId);
    lock.lock();
    try {
      uploadDir(key, uploadId);
      List<Path> files = checkParts(dir, parts);
      MessageDigest digest = BodyReader.newSha256();
      long size = 0;
      Path temp = Files.createTempFile(tmp, "join-", ".tmp");
      try {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
            OutputStream out = Channels.newOutputStream(channel)) {
          byte[] buf = new byte[64 * 1024];
          for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
              for (int n; (n = in.read(buf)) >= 0; ) {
                digest.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
              }
            }
          }
          channel.force(true);
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        BodyReader.checkSha256(expected, sha); // on a mismatch the upload stays as it is
        String contentType = null;
        Path typeFile = dir.resolve("contentType");
        if (Files.exists(typeFile)) {
          contentType = Files.readString(typeFile, StandardCharsets.UTF_8);
        }
        BlobInfo info = install(key, target, temp, contentType, sha, size);
        temp = null;
        deleteTree(dir);
        return info;
      } finally {
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The part files to join, in order, or BAD_PART. */
  private static List<Path> checkParts(Path dir, List<PartInfo> wanted) throws IOException {
    List<Path> files = new ArrayList<>();
    for (PartInfo have : MultipartParts.check(wanted, parts(dir))) {
      files.add(dir.resolve(String.format(Locale.ROOT, "%05d-%s", have.partNumber(), have.etag())));
    }
    return files;
  }

  @Override
  public void abortMultipart(String key, String uploadId) throws IOException {
    Path dir;
    try {
      dir = uploadDir(key, uploadId);
    } catch (BlobStoreException e) {
      return; // unknown upload: nothing to do
    }
    ReentrantLock lock = lockFor(uploadLocks, uploadId);
    lock.lock();
    try {
      deleteTree(dir);
    } finally {
      lock.unlock();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    // The key file goes first, so that a half-deleted directory is no longer an upload.
    Files.deleteIfExists(dir.resolve("key"));
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Nothing to release: streams handed out are closed by their callers. */
  @Override
  public void close() {}

  /** Rejects keys that are not safe (defensive: the HTTP layer checked them already). */
  static void checkKey(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("unsafe key: " + key);
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException("unsafe key: " + key);
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("unsafe key: " + key);
      }
    }
  }

  /**
   * Where a key's file lives: {@code <base>/<2 hex>/<sha256 of the key>}. A flat, one-to-one name,
   * so that keys differing only in case (on a case-insensitive disk), keys that are prefixes of
   * others ({@code a/b} and {@code a/b/c}), trailing dots or long segments can never collide or
   * reach outside {@code base}.
   */
  private static Path resolve(Path base, String key) {
    checkKey(key);
    try {
      String h =
          HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(key.getBytes(StandardCharsets.UTF_8)));
      return base.resolve(h.substring(0, 2)).resolve(h);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "FileSystemBlobStore[" + root + "]";
  }

  /** At most {@code remaining} bytes of a stream; closing it closes the stream. */
  static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    BoundedInputStream(InputStream in, long remaining) {
      this.in = in;
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(in.available(), remaining);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
