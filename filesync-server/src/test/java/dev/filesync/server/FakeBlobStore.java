package dev.filesync.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link BlobStore} for handler tests: it follows the interface's contract (limits,
 * checksums, ranges, multipart) but keeps every object in memory, so use it for small bodies only.
 * {@link #objectCount()} and {@link #uploadCount()} let tests check that nothing was written.
 */
public final class FakeBlobStore implements BlobStore {

  private record Stored(BlobInfo info, byte[] bytes) {}

  private record Upload(String key, String contentType, Map<Integer, byte[]> parts) {}

  private final Map<String, Stored> objects = new ConcurrentHashMap<>();
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile boolean failing;

  /** Makes every call fail with an IOException (or work again). */
  public void failing(boolean failing) {
    this.failing = failing;
  }

  /** How many objects are stored. */
  public int objectCount() {
    return objects.size();
  }

  /** How many multipart uploads are open. */
  public int uploadCount() {
    return uploads.size();
  }

  private void check() throws IOException {
    if (failing) {
      throw new IOException("fake failure");
    }
  }

  private static byte[] read(InputStream body, long length, long maxBytes) throws IOException {
    long limit = length >= 0 ? length : maxBytes;
    if (length > maxBytes) {
      throw new BlobStoreException(BlobStoreException.Kind.TOO_LARGE, "too large");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    long total = 0;
    int n;
    while ((n = body.read(chunk)) != -1) {
      total += n;
      if (total > limit) {
        throw new BlobStoreException(BlobStoreException.Kind.TOO_LARGE, "too large");
      }
      out.write(chunk, 0, n);
    }
    if (length >= 0 && total < length) {
      throw new BlobStoreException(BlobStoreException.Kind.INCOMPLETE_BODY, "body ended early");
    }
    return out.toByteArray();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
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
    check();
    byte[] bytes = read(body, length, maxBytes);
    String hash = sha256(bytes);
    if (sha256Hex != null && !sha256Hex.equals(hash)) {
      throw new BlobStoreException(BlobStoreException.Kind.CHECKSUM_MISMATCH, "checksum");
    }
    BlobInfo info =
        new BlobInfo(
            key,
            bytes.length,
            hash.substring(0, 32),
            contentType == null ? "application/octet-stream" : contentType,
            System.currentTimeMillis());
    objects.put(key, new Stored(info, bytes));
    return info;
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    check();
    Stored s = objects.get(key);
    return s == null ? Optional.empty() : Optional.of(s.info());
  }

  @Override
  public Optional<Blob> get(String key, ByteRange range) throws IOException {
    check();
    Stored s = objects.get(key);
    if (s == null) {
      return Optional.empty();
    }
    long first = 0;
    long last = s.bytes().length - 1L;
    if (range != null) {
      if (range.first() >= s.bytes().length) {
        throw new BlobStoreException(BlobStoreException.Kind.BAD_RANGE, "bad range");
      }
      first = range.first();
      if (range.last() >= 0) {
        last = Math.min(last, range.last());
      }
    }
    int len = (int) (last - first + 1);
    return Optional.of(
        new Blob(s.info(), first, len, new ByteArrayInputStream(s.bytes(), (int) first, len)));
  }

  @Override
  public boolean delete(String key) throws IOException {
    check();
    return objects.remove(key) != null;
  }

  @Override
  public String createMultipart(String key, String contentType) throws IOException {
    check();
    String id = "up-" + ids.incrementAndGet();
    uploads.put(id, new Upload(key, contentType, new TreeMap<>()));
    return id;
  }

  private Upload upload(String key, String uploadId) throws BlobStoreException {
    Upload u = uploads.get(uploadId);
    if (u == null || !u.key().equals(key)) {
      throw new BlobStoreException(BlobStoreException.Kind.NO_SUCH_UPLOAD, "no such upload");
    }
    return u;
  }

  @Override
  public PartInfo uploadPart(
      String key, String uploadId, int partNumber, InputStream body, long length, long maxBytes)
      throws IOException {
    check();
    Upload u = upload(key, uploadId);
    byte[] bytes = read(body, length, maxBytes);
    synchronized (u) {
      u.parts().put(partNumber, bytes);
    }
    return new PartInfo(partNumber, sha256(bytes).substring(0, 32), bytes.length);
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) throws IOException {
    check();
    Upload u = upload(key, uploadId);
    List<PartInfo> parts = new ArrayList<>();
    synchronized (u) {
      u.parts().forEach((n, b) -> parts.add(new PartInfo(n, sha256(b).substring(0, 32), b.length)));
    }
    return parts;
  }

  @Override
  public BlobInfo completeMultipart(
      String key, String uploadId, List<PartInfo> parts, String sha256Hex) throws IOException {
    check();
    Upload u = upload(key, uploadId);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    synchronized (u) {
      for (PartInfo p : parts) {
        byte[] b = u.parts().get(p.partNumber());
        if (b == null || !sha256(b).substring(0, 32).equals(p.etag())) {
          throw new BlobStoreException(BlobStoreException.Kind.BAD_PART, "bad part");
        }
        all.write(b);
      }
    }
    byte[] bytes = all.toByteArray();
    if (sha256Hex != null && !sha256Hex.equals(sha256(bytes))) {
      throw new BlobStoreException(BlobStoreException.Kind.CHECKSUM_MISMATCH, "checksum");
    }
    uploads.remove(uploadId);
    BlobInfo info =
        new BlobInfo(
            key,
            bytes.length,
            sha256(bytes).substring(0, 32) + "-" + parts.size(),
            u.contentType() == null ? "application/octet-stream" : u.contentType(),
            System.currentTimeMillis());
    objects.put(key, new Stored(info, bytes));
    return info;
  }

  @Override
  public void abortMultipart(String key, String uploadId) throws IOException {
    check();
    uploads.remove(uploadId);
  }

  @Override
  public void close() {}
}
