package dev.filesync.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.server.BlobStore.PartInfo;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The {@link BlobStore} contract on a real S3-compatible server (s3proxy, in this JVM). */
class S3BlobStoreIT extends BlobStoreContractTest {
  static S3ProxyFixture s3;
  S3Settings settings;

  @BeforeAll
  static void startServer() {
    s3 = S3ProxyFixture.start();
  }

  @AfterAll
  static void stopServer() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Override
  BlobStore newStore() {
    settings = s3.newBucket();
    return BlobStores.s3(settings);
  }

  List<String> keysInBucket() {
    return s3.client().listObjectsV2(b -> b.bucket(settings.bucket())).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  @Test
  void completedUploadLeavesOnlyTheObject() throws IOException {
    String uploadId = store.createMultipart(key, null);
    PartInfo p1 = part(uploadId, 1, "abc".getBytes(UTF_8));
    store.completeMultipart(
        key, uploadId, List.of(p1), GeneratedInputStream.sha256("abc".getBytes(UTF_8)));
    assertThat(keysInBucket()).containsExactly(key);
    assertThat(s3.client().listMultipartUploads(b -> b.bucket(settings.bucket())).uploads())
        .isEmpty();
  }

  @Test
  void anotherStoreOnTheBucketFindsTheUpload() throws IOException {
    String uploadId = store.createMultipart(key, null);
    PartInfo p1 = part(uploadId, 1, "abc".getBytes(UTF_8));
    try (BlobStore other = BlobStores.s3(settings)) {
      assertThat(other.listParts(key, uploadId)).containsExactly(p1);
      other.completeMultipart(key, uploadId, List.of(p1), null);
    }
    assertThat(read(key, null)).isEqualTo("abc".getBytes(UTF_8));
  }

  @Test
  void refusedLargePutLeavesNoUpload() throws IOException {
    long size = 12L * 1024 * 1024;
    assertRefused(
        BlobStoreException.Kind.CHECKSUM_MISMATCH,
        () -> store.put(key, new GeneratedInputStream(size, 1), -1, MAX, null, "00".repeat(32)));
    assertThat(keysInBucket()).isEmpty();
    assertThat(s3.client().listMultipartUploads(b -> b.bucket(settings.bucket())).uploads())
        .isEmpty();
  }

  @Test
  void smallPartBeforeTheLastIsABadPart() throws IOException {
    String uploadId = store.createMultipart(key, null);
    PartInfo p1 = part(uploadId, 1, "small".getBytes(UTF_8));
    PartInfo p2 = part(uploadId, 2, "last".getBytes(UTF_8));
    assertRefused(
        BlobStoreException.Kind.BAD_PART,
        () -> store.completeMultipart(key, uploadId, List.of(p1, p2), null));
    assertThat(store.head(key)).isEmpty();
  }
}
