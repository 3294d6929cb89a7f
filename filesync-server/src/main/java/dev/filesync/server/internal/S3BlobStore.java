package dev.filesync.server.internal;

import dev.filesync.server.BlobStore;
import dev.filesync.server.BlobStoreException;
import dev.filesync.server.BlobStoreException.Kind;
import dev.filesync.server.S3Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A {@link BlobStore} in one bucket of an S3-compatible service, through the AWS SDK's synchronous
 * client.
 *
 * <p><b>Puts</b> read the body in parts of {@code partSize} bytes (8 MiB by default), hashing as
 * they go, with at most one part in memory. A body that fits in one part is sent with one PutObject
 * carrying {@code x-amz-checksum-sha256}; it is checked against the expected SHA-256 before
 * anything is sent. A longer body goes through a multipart upload on the real key, and its SHA-256
 * is checked before the upload is completed, so a refused body is aborted and never appears. (The
 * JDK {@code HttpURLConnection} under the SDK's url-connection client buffers each request body,
 * which is why requests stay part-sized.)
 *
 * <p><b>Multipart uploads</b> driven by a caller are staged under {@code
 * .filesync-uploads/<uploadId>/<key>}: S3 only checks a whole object's SHA-256 after it has been
 * assembled, so completion assembles the temporary object, streams it back through SHA-256 when a
 * hash is expected, then copies it to the real key (CopyObject, or UploadPartCopy above 5 GiB) and
 * deletes it. On a mismatch the upload is re-created from the assembled object with UploadPartCopy
 * (same upload id, same part numbers), so the caller can still complete it. The cost of a
 * completion is one server-side copy, plus reading the whole object back when a SHA-256 is given.
 * The upload id we hand out is our own; the S3 upload id is cached and otherwise found with
 * ListMultipartUploads.
 *
 * <p>Thread-safe. {@link #close()} closes the S3 client when this store created it.
 */
public final class S3BlobStore implements BlobStore {
  /** Where caller-driven multipart uploads are assembled; never a valid object key. */
  static final String UPLOADS_PREFIX = Keys.RESERVED_PREFIX;

  static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
  private static final long MAX_SINGLE_COPY = 5L * 1024 * 1024 * 1024;
  private static final long COPY_PART_SIZE = 512L * 1024 * 1024;
  private static final String DEFAULT_TYPE = "application/octet-stream";
  private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final S3Client s3;
  private final String bucket;
  private final int partSize;
  private final boolean ownsClient;
  private final SecureRandom random = new SecureRandom();
  // temporary key -> S3 upload id
  private final Map<String, String> uploads = new ConcurrentHashMap<>();

  /**
   * A store on {@code bucket} through {@code s3}.
   *
   * @param partSize the part size for streamed puts, at least 5 MiB (S3's minimum part size)
   * @param ownsClient whether {@link #close()} closes {@code s3}
   */
  public S3BlobStore(S3Client s3, String bucket, int partSize, boolean ownsClient) {
    if (partSize < 5 * 1024 * 1024) {
      throw new IllegalArgumentException("part size must be at least 5 MiB: " + partSize);
    }
    this.s3 = s3;
    this.bucket = bucket;
    this.partSize = partSize;
    this.ownsClient = ownsClient;
  }

  /** A store with its own client, made from {@code settings}. */
  public static S3BlobStore create(S3Settings settings) {
    return new S3BlobStore(S3Clients.client(settings), settings.bucket(), DEFAULT_PART_SIZE, true);
  }

  S3Client client() {
    return s3;
  }

  String bucket() {
    return bucket;
  }

  // ---------------------------------------------------------------------------------- objects

  @Override
  public BlobInfo put(
      String key,
      InputStream body,
      long length,
      long maxBytes,
      String contentType,
      String sha256Hex)
      throws IOException {
    checkKey(key);
    String expected = BodyReader.normalizeSha256(sha256Hex);
    String type = type(contentType);
    BodyReader reader = new BodyReader(body, length, maxBytes);
    byte[] buf = reader.readUpTo(partSize);
    int n = buf.length;
    if (reader.atEnd()) {
      String sha = reader.sha256Hex();
      BodyReader.checkSha256(expected, sha);
      PutObjectResponse response =
          call(
              "PutObject " + key,
              () ->
                  s3.putObject(
                      b -> b.bucket(bucket).key(key).contentType(type).checksumSHA256(base64(sha)),
                      body(buf, n)));
      return new BlobInfo(
          key, n, MultipartParts.unquote(response.eTag()), type, System.currentTimeMillis());
    }
    return putMultipart(key, type, expected, reader, buf, n);
  }

  /** Streams a body longer than one part through a multipart upload on the real key. */
  private BlobInfo putMultipart(
      String key, String type, String expected, BodyReader reader, byte[] buf, int firstLength)
      throws IOException {
    String uploadId =
        call(
            "CreateMultipartUpload " + key,
            () ->
                s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(type))
                    .uploadId());
    boolean completed = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int n = firstLength;
      while (n > 0) {
        int partNumber = parts.size() + 1;
        int size = n;
        UploadPartResponse response =
            call(
                "UploadPart " + key,
                () ->
                    s3.uploadPart(
                        b ->
                            b.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(partNumber)
                                .contentLength((long) size),
                        body(buf, size)));
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build());
        n = reader.eof() ? 0 : reader.fill(buf);
      }
      String sha = reader.sha256Hex();
      BodyReader.checkSha256(expected, sha); // before completing: a refused body never appears
      CompleteMultipartUploadResponse response =
          call(
              "CompleteMultipartUpload " + key,
              () ->
                  s3.completeMultipartUpload(
                      b ->
                          b.bucket(bucket)
                              .key(key)
                              .uploadId(uploadId)
                              .multipartUpload(m -> m.parts(parts))));
      completed = true;
      return new BlobInfo(
          key,
          reader.count(),
          MultipartParts.unquote(response.eTag()),
          type,
          System.currentTimeMillis());
    } finally {
      if (!completed) {
        abortQuietly(key, uploadId);
      }
    }
  }

  private void abortQuietly(String key, String uploadId) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
    } catch (SdkException e) {
      // the bucket's lifecycle rules should clean up what we could not
    }
  }

  private static RequestBody body(byte[] buf, int length) {
    // Repeatable, so that the SDK can retry and sign the payload; no copy of the buffer.
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(buf, 0, length), length, DEFAULT_TYPE);
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    checkKey(key);
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(bucket).key(key));
      return Optional.of(
          new BlobInfo(
              key,
              r.contentLength(),
              MultipartParts.unquote(r.eTag()),
              type(r.contentType()),
              r.lastModified() == null ? 0 : r.lastModified().toEpochMilli()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw translate("HeadObject " + key, e);
    } catch (SdkException e) {
      throw translate("HeadObject " + key, e);
    }
  }

  @Override
  public Optional<Blob> get(String key, ByteRange range) throws IOException {
    checkKey(key);
    GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
    if (range != null) {
      FileSystemBlobStore.checkRange(range);
      request.range(
          "bytes=" + range.first() + "-" + (range.last() >= 0 ? Long.toString(range.last()) : ""));
    }
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(request.build());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      if (e.statusCode() == 416) {
        throw new BlobStoreException(
            Kind.BAD_RANGE, "range starts past the end of " + key + ": " + range);
      }
      throw translate("GetObject " + key, e);
    } catch (SdkException e) {
      throw translate("GetObject " + key, e);
    }
    try {
      GetObjectResponse r = in.response();
      long first = 0;
      long length = r.contentLength();
      long size = length;
      Matcher m = r.contentRange() == null ? null : CONTENT_RANGE.matcher(r.contentRange());
      if (m != null && m.matches()) {
        first = Long.parseLong(m.group(1));
        length = Long.parseLong(m.group(2)) - first + 1;
        size = "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3));
      } else if (range != null) {
        // The service ignored the Range header and sent the whole object.
        if (range.first() >= size) {
          throw new BlobStoreException(Kind.BAD_RANGE, "range starts past the end of " + key);
        }
        in.skipNBytes(range.first());
        first = range.first();
        long last = range.last() >= 0 ? Math.min(range.last(), size - 1) : size - 1;
        length = last - first + 1;
      }
      BlobInfo info =
          new BlobInfo(
              key,
              size,
              MultipartParts.unquote(r.eTag()),
              type(r.contentType()),
              r.lastModified() == null ? 0 : r.lastModified().toEpochMilli());
      InputStream bodyStream = new FileSystemBlobStore.BoundedInputStream(in, length);
      return Optional.of(new Blob(info, first, length, bodyStream));
    } catch (IOException | RuntimeException e) {
      in.abort();
      in.close();
      throw e;
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    boolean existed = head(key).isPresent();
    call("DeleteObject " + key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
    return existed;
  }

  // -------------------------------------------------------------------------------- multipart

  static String tempKey(String uploadId, String key) {
    return UPLOADS_PREFIX + uploadId + "/" + key;
  }

  @Override
  public String createMultipart(String key, String contentType) throws IOException {
    checkKey(key);
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String uploadId = HexFormat.of().formatHex(bytes);
    String temp = tempKey(uploadId, key);
    String s3Id =
        call(
            "CreateMultipartUpload " + key,
            () ->
                s3.createMultipartUpload(
                        b -> b.bucket(bucket).key(temp).contentType(type(contentType)))
                    .uploadId());
    uploads.put(temp, s3Id);
    return uploadId;
  }

  /** The S3 upload id behind our {@code uploadId}, or NO_SUCH_UPLOAD. */
  String s3UploadId(String key, String uploadId) throws IOException {
    checkKey(key);
    if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
      throw noSuchUpload(uploadId);
    }
    String temp = tempKey(uploadId, key);
    String cached = uploads.get(temp);
    if (cached != null) {
      return cached;
    }
    // Another server, or this one before a restart, created it.
    ListMultipartUploadsResponse listed =
        call(
            "ListMultipartUploads " + temp,
            () -> s3.listMultipartUploads(b -> b.bucket(bucket).prefix(temp)));
    for (MultipartUpload upload : listed.uploads()) {
      if (temp.equals(upload.key())) {
        uploads.put(temp, upload.uploadId());
        return upload.uploadId();
      }
    }
    throw noSuchUpload(uploadId);
  }

  private static BlobStoreException noSuchUpload(String uploadId) {
    return new BlobStoreException(Kind.NO_SUCH_UPLOAD, "no such upload: " + uploadId);
  }

  @Override
  public PartInfo uploadPart(
      String key, String uploadId, int partNumber, InputStream body, long length, long maxBytes)
      throws IOException {
    FileSystemBlobStore.checkPartNumber(partNumber);
    String temp = tempKey(uploadId, key);
    String s3Id = s3UploadId(key, uploadId);
    BodyReader reader = new BodyReader(body, length, maxBytes);
    byte[] bytes = readAll(reader);
    int size = bytes.length;
    UploadPartResponse response =
        callUpload(
            uploadId,
            "UploadPart " + key,
            () ->
                s3.uploadPart(
                    b ->
                        b.bucket(bucket)
                            .key(temp)
                            .uploadId(s3Id)
                            .partNumber(partNumber)
                            .contentLength((long) size),
                    body(bytes, size)));
    return new PartInfo(partNumber, MultipartParts.unquote(response.eTag()), size);
  }

  /**
   * One part, in memory: the SDK's url-connection client buffers request bodies anyway, so a part
   * costs its size in memory however it is read. {@code maxBytes} bounds it.
   */
  private static byte[] readAll(BodyReader reader) throws IOException {
    if (reader.limit() > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "parts must be limited to less than 2 GiB: " + reader.limit());
    }
    byte[] bytes = reader.readUpTo((int) reader.limit());
    if (!reader.atEnd()) {
      throw new AssertionError("read to the limit but not at the end");
    }
    return bytes;
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) throws IOException {
    String s3Id = s3UploadId(key, uploadId);
    return listParts(key, uploadId, s3Id);
  }

  private List<PartInfo> listParts(String key, String uploadId, String s3Id) throws IOException {
    String temp = tempKey(uploadId, key);
    List<PartInfo> parts = new ArrayList<>();
    Integer marker = null;
    while (true) {
      Integer from = marker;
      ListPartsResponse page =
          callUpload(
              uploadId,
              "ListParts " + key,
              () ->
                  s3.listParts(
                      b -> b.bucket(bucket).key(temp).uploadId(s3Id).partNumberMarker(from)));
      for (Part p : page.parts()) {
        parts.add(new PartInfo(p.partNumber(), MultipartParts.unquote(p.eTag()), p.size()));
      }
      if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextPartNumberMarker() == null) {
        return parts;
      }
      marker = page.nextPartNumberMarker();
    }
  }

  @Override
  public BlobInfo completeMultipart(
      String key, String uploadId, List<PartInfo> parts, String sha256Hex) throws IOException {
    String expected = BodyReader.normalizeSha256(sha256Hex);
    String temp = tempKey(uploadId, key);
    String s3Id = s3UploadId(key, uploadId);
    List<PartInfo> joined = MultipartParts.check(parts, listParts(key, uploadId, s3Id));
    CompleteMultipartUploadResponse completed =
        callUpload(
            uploadId,
            "CompleteMultipartUpload " + key,
            () ->
                s3.completeMultipartUpload(
                    b ->
                        b.bucket(bucket)
                            .key(temp)
                            .uploadId(s3Id)
                            .multipartUpload(
                                m ->
                                    m.parts(
                                        joined.stream()
                                            .map(
                                                p ->
                                                    CompletedPart.builder()
                                                        .partNumber(p.partNumber())
                                                        .eTag(p.etag())
                                                        .build())
                                            .toList()))));
    uploads.remove(temp, s3Id);
    String etag = MultipartParts.unquote(completed.eTag());
    try {
      HeadObjectResponse head =
          call("HeadObject " + temp, () -> s3.headObject(b -> b.bucket(bucket).key(temp)));
      String type = type(head.contentType());
      long size = head.contentLength();
      if (expected != null) {
        String actual = hashObject(temp, etag);
        if (!expected.equals(actual)) {
          restoreUpload(temp, etag, type, joined);
          throw new BlobStoreException(
              Kind.CHECKSUM_MISMATCH,
              "joined parts have SHA-256 " + actual + ", expected " + expected);
        }
      }
      String finalEtag = copy(temp, etag, key, type, size);
      return new BlobInfo(key, size, finalEtag, type, System.currentTimeMillis());
    } finally {
      try {
        s3.deleteObject(b -> b.bucket(bucket).key(temp));
      } catch (SdkException e) {
        // left for the bucket's lifecycle rules
      }
    }
  }

  /** Streams an object back through SHA-256 (failing if it is no longer {@code etag}). */
  private String hashObject(String key, String etag) throws IOException {
    MessageDigest digest = BodyReader.newSha256();
    try (InputStream in =
        call(
            "GetObject " + key,
            () -> s3.getObject(b -> b.bucket(bucket).key(key).ifMatch(quote(etag))))) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) >= 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * After a completion whose bytes had another SHA-256: rebuilds the upload, with the same part
   * numbers, from the assembled object, so that the caller's upload id still works.
   */
  private void restoreUpload(String temp, String etag, String type, List<PartInfo> parts)
      throws IOException {
    String s3Id =
        call(
            "CreateMultipartUpload " + temp,
            () ->
                s3.createMultipartUpload(b -> b.bucket(bucket).key(temp).contentType(type))
                    .uploadId());
    long offset = 0;
    for (PartInfo part : parts) {
      String range = "bytes=" + offset + "-" + (offset + part.size() - 1);
      if (part.size() > 0) {
        call(
            "UploadPartCopy " + temp,
            () ->
                s3.uploadPartCopy(
                    b ->
                        b.sourceBucket(bucket)
                            .sourceKey(temp)
                            .copySourceIfMatch(quote(etag))
                            .copySourceRange(range)
                            .destinationBucket(bucket)
                            .destinationKey(temp)
                            .uploadId(s3Id)
                            .partNumber(part.partNumber())));
      } else {
        call(
            "UploadPart " + temp,
            () ->
                s3.uploadPart(
                    b ->
                        b.bucket(bucket)
                            .key(temp)
                            .uploadId(s3Id)
                            .partNumber(part.partNumber())
                            .contentLength(0L),
                    RequestBody.empty()));
      }
      offset += part.size();
    }
    uploads.put(temp, s3Id);
  }

  /** Copies {@code source} (as it is at {@code etag}) to {@code target}; returns the new ETag. */
  private String copy(String source, String etag, String target, String type, long size)
      throws IOException {
    if (size <= MAX_SINGLE_COPY) {
      CopyObjectResponse r =
          call(
              "CopyObject " + target,
              () ->
                  s3.copyObject(
                      b ->
                          b.sourceBucket(bucket)
                              .sourceKey(source)
                              .copySourceIfMatch(quote(etag))
                              .destinationBucket(bucket)
                              .destinationKey(target)
                              .metadataDirective(MetadataDirective.COPY)));
      return MultipartParts.unquote(r.copyObjectResult().eTag());
    }
    String s3Id =
        call(
            "CreateMultipartUpload " + target,
            () ->
                s3.createMultipartUpload(b -> b.bucket(bucket).key(target).contentType(type))
                    .uploadId());
    boolean done = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      for (long offset = 0; offset < size; offset += COPY_PART_SIZE) {
        int partNumber = parts.size() + 1;
        String range = "bytes=" + offset + "-" + (Math.min(size, offset + COPY_PART_SIZE) - 1);
        UploadPartCopyResponse r =
            call(
                "UploadPartCopy " + target,
                () ->
                    s3.uploadPartCopy(
                        b ->
                            b.sourceBucket(bucket)
                                .sourceKey(source)
                                .copySourceIfMatch(quote(etag))
                                .copySourceRange(range)
                                .destinationBucket(bucket)
                                .destinationKey(target)
                                .uploadId(s3Id)
                                .partNumber(partNumber)));
        parts.add(
            CompletedPart.builder().partNumber(partNumber).eTag(r.copyPartResult().eTag()).build());
      }
      CompleteMultipartUploadResponse r =
          call(
              "CompleteMultipartUpload " + target,
              () ->
                  s3.completeMultipartUpload(
                      b ->
                          b.bucket(bucket)
                              .key(target)
                              .uploadId(s3Id)
                              .multipartUpload(m -> m.parts(parts))));
      done = true;
      return MultipartParts.unquote(r.eTag());
    } finally {
      if (!done) {
        abortQuietly(target, s3Id);
      }
    }
  }

  @Override
  public void abortMultipart(String key, String uploadId) throws IOException {
    String s3Id;
    try {
      s3Id = s3UploadId(key, uploadId);
    } catch (BlobStoreException e) {
      return;
    }
    String temp = tempKey(uploadId, key);
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(temp).uploadId(s3Id));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw translate("AbortMultipartUpload " + key, e);
      }
    } catch (SdkException e) {
      throw translate("AbortMultipartUpload " + key, e);
    } finally {
      uploads.remove(temp, s3Id);
    }
  }

  /** Closes the S3 client if this store created it. */
  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3BlobStore[bucket=" + bucket + "]";
  }

  // ---------------------------------------------------------------------------------- helpers

  static void checkKey(String key) {
    FileSystemBlobStore.checkKey(key);
    if (key.startsWith(UPLOADS_PREFIX)) {
      throw new IllegalArgumentException("reserved key prefix: " + key);
    }
  }

  private static String type(String contentType) {
    return contentType == null || contentType.isBlank() ? DEFAULT_TYPE : contentType;
  }

  private static String quote(String etag) {
    return "\"" + etag + "\"";
  }

  static String base64(String sha256Hex) {
    return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
  }

  /** An SDK call whose failures become {@link IOException}s. */
  interface Call<T> {
    T run() throws IOException;
  }

  static <T> T call(String what, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (SdkException e) {
      throw translate(what, e);
    }
  }

  /** Like {@link #call} on an upload: a vanished upload also drops it from the cache. */
  private <T> T callUpload(String uploadId, String what, Call<T> call) throws IOException {
    try {
      return call(what, call);
    } catch (BlobStoreException e) {
      if (e.kind() == Kind.NO_SUCH_UPLOAD) {
        uploads.keySet().removeIf(k -> k.startsWith(UPLOADS_PREFIX + uploadId + "/"));
      }
      throw e;
    }
  }

  /** Maps what S3 said to our refusals; everything else is a plain {@link IOException}. */
  static IOException translate(String what, SdkException e) {
    if (e instanceof S3Exception s3e) {
      String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
      if (code != null) {
        switch (code) {
          case "NoSuchUpload" -> {
            return new BlobStoreException(Kind.NO_SUCH_UPLOAD, what + ": no such upload");
          }
          case "InvalidPart", "InvalidPartOrder", "EntityTooSmall" -> {
            return new BlobStoreException(Kind.BAD_PART, what + ": " + s3e.getMessage());
          }
          case "InvalidRange" -> {
            return new BlobStoreException(Kind.BAD_RANGE, what + ": " + s3e.getMessage());
          }
          case "BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest" -> {
            return new BlobStoreException(Kind.CHECKSUM_MISMATCH, what + ": " + s3e.getMessage());
          }
          default -> {}
        }
      }
      return new IOException(
          what + " failed (HTTP " + s3e.statusCode() + "): " + e.getMessage(), e);
    }
    return new IOException(what + " failed: " + e.getMessage(), e);
  }
}
