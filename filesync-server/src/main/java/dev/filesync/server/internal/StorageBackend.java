package dev.filesync.server.internal;

import dev.filesync.server.BlobStore.BlobInfo;
import dev.filesync.server.BlobStore.PartInfo;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the signer routes ({@code {base}/v1/sign/upload} and the others) need from the storage side.
 * Two implementations: signer mode, which presigns URLs of an S3-compatible service so bytes go
 * there directly, and gateway mode, which mints HMAC-signed URLs on this server and keeps the bytes
 * in a {@link dev.filesync.server.BlobStore}.
 *
 * <p>Keys reaching these methods are already checked: safe ({@link Keys}) and granted to the
 * caller.
 */
public interface StorageBackend extends AutoCloseable {

  /**
   * A request the client makes itself: method, URL, the headers it must send, and when the URL
   * stops working.
   */
  record Signed(String method, URI url, Map<String, String> headers, Instant expiresAt) {}

  /**
   * A URL to upload the object.
   *
   * @param origin the scheme, host and port the client reached this server on (gateway URLs point
   *     there)
   * @param contentType bound into the signature when not {@code null}
   * @param contentLength bound into the signature when not -1
   * @param sha256Hex when not {@code null}, the storage must refuse bytes with another SHA-256
   */
  Signed signUpload(
      URI origin,
      String key,
      String contentType,
      long contentLength,
      String sha256Hex,
      Duration ttl)
      throws IOException;

  /** A URL to download the object. */
  Signed signDownload(URI origin, String key, Duration ttl) throws IOException;

  /** Removes the object; removing nothing is not an error. */
  void delete(String key) throws IOException;

  /** Starts a multipart upload; returns the upload id. */
  String createMultipart(String key, String contentType) throws IOException;

  /** URLs to upload the given parts of a multipart upload. */
  List<Signed> signParts(
      URI origin, String key, String uploadId, List<Integer> partNumbers, Duration ttl)
      throws IOException;

  /** The parts uploaded so far. */
  List<PartInfo> listParts(String key, String uploadId) throws IOException;

  /** Joins the parts into the object. */
  BlobInfo completeMultipart(String key, String uploadId, List<PartInfo> parts, String sha256Hex)
      throws IOException;

  /** Drops a multipart upload. */
  void abortMultipart(String key, String uploadId) throws IOException;

  /** Whether the storage answers (for {@code /health}); never throws. */
  boolean healthy();

  @Override
  void close() throws IOException;
}
