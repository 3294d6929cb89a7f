package dev.filesync.server.internal;

import dev.filesync.server.BlobStoreException;
import dev.filesync.server.BlobStoreException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Reads a request body in chunks while counting and hashing it (SHA-256), and refuses it as soon as
 * it runs past its declared length or the most bytes allowed, or ends early. Not thread-safe: one
 * per body.
 */
final class BodyReader {
  private final InputStream in;
  private final long length;
  private final long limit;
  private final MessageDigest digest = newSha256();
  private long count;
  private boolean eof;

  /**
   * @param length the declared length, or -1
   * @param maxBytes the most bytes accepted
   */
  BodyReader(InputStream in, long length, long maxBytes) throws BlobStoreException {
    checkSizes(length, maxBytes);
    this.in = in;
    this.length = length;
    this.limit = length >= 0 ? length : maxBytes;
  }

  /** Refuses a declared length above {@code maxBytes} at once; rejects nonsense arguments. */
  static void checkSizes(long length, long maxBytes) throws BlobStoreException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be at least 0: " + maxBytes);
    }
    if (length < -1) {
      throw new IllegalArgumentException("length must be -1 or at least 0: " + length);
    }
    if (length > maxBytes) {
      throw new BlobStoreException(
          Kind.TOO_LARGE, "body of " + length + " bytes is larger than the limit of " + maxBytes);
    }
  }

  /**
   * Fills {@code buf} from the start, returning fewer bytes than its length only at the end of the
   * body (then {@link #eof()} is true).
   */
  int fill(byte[] buf) throws IOException {
    return fill(buf, 0);
  }

  /**
   * Fills {@code buf} from {@code offset}; returns how many bytes were read, fewer than asked only
   * at the end of the body.
   */
  int fill(byte[] buf, int offset) throws IOException {
    int n = offset;
    while (n < buf.length && !eof) {
      long allowed = limit - count;
      if (allowed == 0) {
        probeEnd();
        break;
      }
      int r = in.read(buf, n, (int) Math.min(buf.length - n, allowed));
      if (r < 0) {
        end();
        break;
      }
      digest.update(buf, n, r);
      count += r;
      n += r;
    }
    return n - offset;
  }

  /**
   * Reads up to {@code cap} bytes into an array that grows as bytes come (so a small body of
   * unknown length costs little), and returns exactly the bytes read. Fewer than {@code cap} are
   * returned only at the end of the body.
   */
  byte[] readUpTo(int cap) throws IOException {
    int max = (int) Math.min(cap, limit - count);
    byte[] buf = new byte[Math.min(max, 64 * 1024)];
    int n = 0;
    while (true) {
      n += fill(buf, n);
      if (eof || n == max) {
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
      }
      buf = Arrays.copyOf(buf, (int) Math.min(max, buf.length * 2L));
    }
  }

  /**
   * Whether the whole body has been read; when exactly the declared length or the limit has been
   * read, checks (by reading one more byte) that nothing follows.
   */
  boolean atEnd() throws IOException {
    if (!eof && count == limit) {
      probeEnd();
    }
    return eof;
  }

  /** The declared length, or else the most bytes accepted. */
  long limit() {
    return limit;
  }

  /** Copies the whole body to {@code out}; returns the byte count. */
  long transferTo(OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (!eof) {
      int n = fill(buf);
      out.write(buf, 0, n);
    }
    return count;
  }

  private void probeEnd() throws IOException {
    if (in.read() >= 0) {
      throw length >= 0
          ? new BlobStoreException(Kind.TOO_LARGE, "body is longer than its declared " + length)
          : new BlobStoreException(
              Kind.TOO_LARGE, "body is larger than the limit of " + limit + " bytes");
    }
    end();
  }

  private void end() throws BlobStoreException {
    eof = true;
    if (length >= 0 && count < length) {
      throw new BlobStoreException(
          Kind.INCOMPLETE_BODY, "body ended after " + count + " of " + length + " bytes");
    }
  }

  boolean eof() {
    return eof;
  }

  long count() {
    return count;
  }

  /** The lowercase hex SHA-256 of the whole body; only once {@link #eof()}. */
  String sha256Hex() {
    if (!eof) {
      throw new IllegalStateException("body not read to the end");
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Throws {@code CHECKSUM_MISMATCH} unless {@code expected} is null or equals {@code actual}. */
  static void checkSha256(String expected, String actual) throws BlobStoreException {
    if (expected != null && !expected.toLowerCase(Locale.ROOT).equals(actual)) {
      throw new BlobStoreException(
          Kind.CHECKSUM_MISMATCH, "body has SHA-256 " + actual + ", expected " + expected);
    }
  }

  /**
   * Returns {@code sha256Hex} in lowercase, or null when it is null.
   *
   * @throws IllegalArgumentException when it is not 64 hex digits
   */
  static String normalizeSha256(String sha256Hex) {
    if (sha256Hex == null) {
      return null;
    }
    String lower = sha256Hex.toLowerCase(Locale.ROOT);
    if (!lower.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a hex SHA-256: " + sha256Hex);
    }
    return lower;
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
