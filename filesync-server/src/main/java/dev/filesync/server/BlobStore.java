package dev.filesync.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where the gateway keeps file bytes, by key ({@code <sanitized store id>/<sha256>}). Two
 * implementations: the local filesystem (the embedded default) and any S3-compatible service;
 * {@link BlobStores} makes them.
 *
 * <p>Every method streams: no implementation holds a whole object in memory. A put is atomic: a
 * reader sees the old object or the new one, never a part, and a failed or refused put leaves
 * nothing behind. Implementations are thread-safe; {@link #close()} releases files and connections.
 */
public interface BlobStore extends AutoCloseable {

  /**
   * Stores {@code body} under {@code key}, replacing any object there.
   *
   * @param length the exact number of bytes, or -1 when unknown (then at most {@code maxBytes} are
   *     accepted)
   * @param maxBytes the most bytes accepted; more is refused ({@link
   *     BlobStoreException.Kind#TOO_LARGE})
   * @param contentType the media type to keep with the object, or {@code null}
   * @param sha256Hex when not {@code null}, the lowercase hex SHA-256 the bytes must have;
   *     otherwise the put is refused ({@link BlobStoreException.Kind#CHECKSUM_MISMATCH}) and
   *     nothing is stored
   * @return what was stored
   * @throws BlobStoreException when the body is too long, ends early, or has another hash
   * @throws IOException when storage fails
   */
  BlobInfo put(
      String key,
      InputStream body,
      long length,
      long maxBytes,
      String contentType,
      String sha256Hex)
      throws IOException;

  /** What is stored under {@code key}, if anything. */
  Optional<BlobInfo> head(String key) throws IOException;

  /**
   * Opens the object under {@code key}, or the bytes {@code [first, last]} of it.
   *
   * @param range the inclusive byte range to read, or {@code null} for all of it; a range that
   *     starts past the end is refused ({@link BlobStoreException.Kind#BAD_RANGE}), one that runs
   *     past the end is cut at the end
   * @return the open object (close it), or empty when there is none
   */
  Optional<Blob> get(String key, ByteRange range) throws IOException;

  /** Removes the object; returns whether there was one. Removing nothing is not an error. */
  boolean delete(String key) throws IOException;

  /** Starts a multipart upload to {@code key}; returns its upload id. */
  String createMultipart(String key, String contentType) throws IOException;

  /**
   * Stores one part (numbered 1 to 10,000) of a multipart upload; a part sent again replaces the
   * earlier one.
   *
   * @throws BlobStoreException {@code NO_SUCH_UPLOAD} when there is no such upload
   */
  PartInfo uploadPart(
      String key, String uploadId, int partNumber, InputStream body, long length, long maxBytes)
      throws IOException;

  /**
   * The parts stored so far, by part number, so a client can resume.
   *
   * @throws BlobStoreException {@code NO_SUCH_UPLOAD} when there is no such upload
   */
  List<PartInfo> listParts(String key, String uploadId) throws IOException;

  /**
   * Joins the listed parts, in order, into the object under {@code key} and ends the upload.
   *
   * @param sha256Hex when not {@code null}, the SHA-256 the whole object must have; otherwise the
   *     upload is kept (and can be completed again) and nothing is stored under {@code key}
   * @throws BlobStoreException {@code NO_SUCH_UPLOAD}, {@code BAD_PART} (a part missing or with
   *     another ETag) or {@code CHECKSUM_MISMATCH}
   */
  BlobInfo completeMultipart(String key, String uploadId, List<PartInfo> parts, String sha256Hex)
      throws IOException;

  /** Ends a multipart upload and drops its parts; aborting an unknown upload is not an error. */
  void abortMultipart(String key, String uploadId) throws IOException;

  /** Releases files and connections. */
  @Override
  void close() throws IOException;

  /**
   * An object's description.
   *
   * @param key its key
   * @param size its length in bytes
   * @param etag its entity tag, without quotes
   * @param contentType its media type, {@code application/octet-stream} when none was given
   * @param lastModifiedMillis when it was stored, epoch milliseconds
   */
  record BlobInfo(
      String key, long size, String etag, String contentType, long lastModifiedMillis) {}

  /**
   * A stored part of a multipart upload.
   *
   * @param partNumber 1 to 10,000
   * @param etag its entity tag, without quotes
   * @param size its length in bytes
   */
  record PartInfo(int partNumber, String etag, long size) {}

  /**
   * An inclusive byte range; {@code last} may be -1 for "to the end".
   *
   * @param first the first byte, at least 0
   * @param last the last byte, or -1
   */
  record ByteRange(long first, long last) {}

  /**
   * An open object: its description, which part of it the stream holds, and the stream.
   *
   * @param info the whole object's description
   * @param first the offset of the first byte in {@code body}
   * @param length how many bytes {@code body} holds
   * @param body the bytes; close it
   */
  record Blob(BlobInfo info, long first, long length, InputStream body) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      body.close();
    }
  }
}
