package dev.filesync.server.internal;

import dev.filesync.server.BlobStore.BlobInfo;
import dev.filesync.server.BlobStore.PartInfo;
import dev.filesync.server.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Signer mode: the client moves bytes straight to and from an S3-compatible service with SigV4
 * presigned URLs; this server only signs them and drives multipart uploads.
 *
 * <p>An upload URL binds the key, the expiry and, when given, the content type ({@code
 * Content-Type}), the length ({@code Content-Length}) and the SHA-256 ({@code
 * x-amz-checksum-sha256}, base64): the client must send exactly the headers returned in {@link
 * StorageBackend.Signed#headers()}, and S3 refuses other bytes. The {@code origin} arguments are
 * ignored: URLs point at the service. Multipart uploads are staged and verified as {@link
 * S3BlobStore} does, so part URLs address its temporary key.
 *
 * <p>Thread-safe. {@link #close()} closes the presigner and the S3 client.
 */
public final class S3SignerBackend implements StorageBackend {
  /** The longest a SigV4 presigned URL can live. */
  static final Duration MAX_TTL = Duration.ofDays(7);

  private final S3Client s3;
  private final S3Presigner presigner;
  private final S3BlobStore store;
  private final String bucket;

  private S3SignerBackend(S3Client s3, S3Presigner presigner, String bucket) {
    this.s3 = s3;
    this.presigner = presigner;
    this.bucket = bucket;
    this.store = new S3BlobStore(s3, bucket, S3BlobStore.DEFAULT_PART_SIZE, false);
  }

  /**
   * A backend on the bucket of {@code settings}. It makes no request until used; the bucket must
   * exist.
   */
  public static S3SignerBackend create(S3Settings settings) {
    Objects.requireNonNull(settings, "settings");
    S3Client client = S3Clients.client(settings);
    try {
      return new S3SignerBackend(client, S3Clients.presigner(settings), settings.bucket());
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  @Override
  public Signed signUpload(
      URI origin,
      String key,
      String contentType,
      long contentLength,
      String sha256Hex,
      Duration ttl)
      throws IOException {
    S3BlobStore.checkKey(key);
    checkTtl(ttl);
    if (contentLength < -1) {
      throw new IllegalArgumentException("content length must be -1 or at least 0");
    }
    String sha = BodyReader.normalizeSha256(sha256Hex);
    PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key);
    if (contentType != null && !contentType.isBlank()) {
      put.contentType(contentType);
    }
    if (contentLength >= 0) {
      put.contentLength(contentLength);
    }
    if (sha != null) {
      put.checksumSHA256(S3BlobStore.base64(sha));
    }
    PutObjectRequest request = put.build();
    return signed(
        "PUT",
        presign(
            "presign PutObject " + key,
            () ->
                presigner.presignPutObject(
                    p -> p.signatureDuration(ttl).putObjectRequest(request))));
  }

  @Override
  public Signed signDownload(URI origin, String key, Duration ttl) throws IOException {
    S3BlobStore.checkKey(key);
    checkTtl(ttl);
    return signed(
        "GET",
        presign(
            "presign GetObject " + key,
            () ->
                presigner.presignGetObject(
                    p ->
                        p.signatureDuration(ttl)
                            .getObjectRequest(g -> g.bucket(bucket).key(key)))));
  }

  @Override
  public void delete(String key) throws IOException {
    S3BlobStore.checkKey(key);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw S3BlobStore.translate("DeleteObject " + key, e);
      }
    } catch (SdkException e) {
      throw S3BlobStore.translate("DeleteObject " + key, e);
    }
  }

  @Override
  public String createMultipart(String key, String contentType) throws IOException {
    return store.createMultipart(key, contentType);
  }

  @Override
  public List<Signed> signParts(
      URI origin, String key, String uploadId, List<Integer> partNumbers, Duration ttl)
      throws IOException {
    checkTtl(ttl);
    String s3Id = store.s3UploadId(key, uploadId);
    String temp = S3BlobStore.tempKey(uploadId, key);
    List<Signed> signed = new ArrayList<>();
    for (int partNumber : partNumbers) {
      FileSystemBlobStore.checkPartNumber(partNumber);
      signed.add(
          signed(
              "PUT",
              presign(
                  "presign UploadPart " + key,
                  () ->
                      presigner.presignUploadPart(
                          p ->
                              p.signatureDuration(ttl)
                                  .uploadPartRequest(
                                      u ->
                                          u.bucket(bucket)
                                              .key(temp)
                                              .uploadId(s3Id)
                                              .partNumber(partNumber))))));
    }
    return signed;
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) throws IOException {
    return store.listParts(key, uploadId);
  }

  @Override
  public BlobInfo completeMultipart(
      String key, String uploadId, List<PartInfo> parts, String sha256Hex) throws IOException {
    return store.completeMultipart(key, uploadId, parts, sha256Hex);
  }

  @Override
  public void abortMultipart(String key, String uploadId) throws IOException {
    store.abortMultipart(key, uploadId);
  }

  /** HeadBucket; false on any failure. */
  @Override
  public boolean healthy() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Closes the presigner and the S3 client. */
  @Override
  public void close() {
    try {
      presigner.close();
    } finally {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3SignerBackend[bucket=" + bucket + "]";
  }

  private static void checkTtl(Duration ttl) {
    if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("URL lifetime must be 1 s to 7 days: " + ttl);
    }
  }

  private interface Presign<T extends PresignedRequest> {
    T run();
  }

  private static <T extends PresignedRequest> T presign(String what, Presign<T> presign)
      throws IOException {
    try {
      return presign.run();
    } catch (SdkException e) {
      throw S3BlobStore.translate(what, e);
    }
  }

  /** The request the client must make: every signed header but {@code host}. */
  private static Signed signed(String method, PresignedRequest presigned) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    presigned
        .signedHeaders()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (!lower.equals("host")) {
                headers.put(headerName(lower), String.join(",", values));
              }
            });
    try {
      return new Signed(
          method, presigned.url().toURI(), Map.copyOf(headers), presigned.expiration());
    } catch (URISyntaxException e) {
      throw new IOException("presigner made a bad URL", e);
    }
  }

  private static String headerName(String lower) {
    return switch (lower) {
      case "content-type" -> "Content-Type";
      case "content-length" -> "Content-Length";
      default -> lower;
    };
  }
}
