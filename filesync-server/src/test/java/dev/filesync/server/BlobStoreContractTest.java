package dev.filesync.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.server.BlobStore.Blob;
import dev.filesync.server.BlobStore.BlobInfo;
import dev.filesync.server.BlobStore.ByteRange;
import dev.filesync.server.BlobStore.PartInfo;
import dev.filesync.server.BlobStoreException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one contract every {@link BlobStore} must meet. Subclasses say how to open a store on empty
 * storage.
 */
abstract class BlobStoreContractTest {
  static final long GUARD_SECONDS = 60;
  static final long MAX = 64L * 1024 * 1024;

  /** S3's minimum size of every part but the last. */
  static final int PART = 5 * 1024 * 1024;

  BlobStore store;
  String key;

  /** A store on fresh, empty storage. */
  abstract BlobStore newStore() throws IOException;

  @BeforeEach
  void open() throws IOException {
    store = newStore();
    key = "store-" + UUID.randomUUID() + "/" + "ab".repeat(32);
  }

  @AfterEach
  void closeStore() throws IOException {
    if (store != null) {
      store.close();
    }
  }

  BlobInfo put(String k, byte[] bytes) throws IOException {
    return store.put(k, new ByteArrayInputStream(bytes), bytes.length, MAX, null, null);
  }

  byte[] read(String k, ByteRange range) throws IOException {
    try (Blob blob = store.get(k, range).orElseThrow()) {
      byte[] bytes = blob.body().readAllBytes();
      assertThat(bytes).hasSize((int) blob.length());
      return bytes;
    }
  }

  static void assertRefused(Kind kind, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(BlobStoreException.class)
        .satisfies(e -> assertThat(((BlobStoreException) e).kind()).isEqualTo(kind));
  }

  // ---------------------------------------------------------------------------------- objects

  @Test
  void putHeadGetDelete() throws IOException {
    byte[] bytes = "hello, blob".getBytes(UTF_8);
    BlobInfo put = put(key, bytes);
    assertThat(put.key()).isEqualTo(key);
    assertThat(put.size()).isEqualTo(bytes.length);
    assertThat(put.etag()).isNotBlank().doesNotContain("\"");

    BlobInfo head = store.head(key).orElseThrow();
    assertThat(head.size()).isEqualTo(bytes.length);
    assertThat(head.etag()).isEqualTo(put.etag());
    assertThat(head.contentType()).isEqualTo("application/octet-stream");
    assertThat(head.lastModifiedMillis()).isPositive();

    try (Blob blob = store.get(key, null).orElseThrow()) {
      assertThat(blob.first()).isZero();
      assertThat(blob.length()).isEqualTo(bytes.length);
      assertThat(blob.info().size()).isEqualTo(bytes.length);
      assertThat(blob.info().etag()).isEqualTo(put.etag());
      assertThat(blob.body().readAllBytes()).isEqualTo(bytes);
    }

    assertThat(store.delete(key)).isTrue();
    assertThat(store.head(key)).isEmpty();
    assertThat(store.get(key, null)).isEmpty();
    assertThat(store.delete(key)).isFalse();
  }

  @Test
  void missingObjectIsEmpty() throws IOException {
    assertThat(store.head(key)).isEmpty();
    assertThat(store.get(key, null)).isEmpty();
    assertThat(store.get(key, new ByteRange(0, 10))).isEmpty();
    assertThat(store.delete(key)).isFalse();
  }

  @Test
  void emptyObject() throws IOException {
    put(key, new byte[0]);
    assertThat(store.head(key).orElseThrow().size()).isZero();
    assertThat(read(key, null)).isEmpty();
  }

  @Test
  void putReplaces() throws IOException {
    put(key, "first".getBytes(UTF_8));
    BlobInfo second = put(key, "second, longer".getBytes(UTF_8));
    assertThat(read(key, null)).isEqualTo("second, longer".getBytes(UTF_8));
    assertThat(store.head(key).orElseThrow().etag()).isEqualTo(second.etag());
  }

  @Test
  void contentTypeIsKept() throws IOException {
    byte[] bytes = {1, 2, 3};
    BlobInfo info =
        store.put(key, new ByteArrayInputStream(bytes), bytes.length, MAX, "image/png", null);
    assertThat(info.contentType()).isEqualTo("image/png");
    assertThat(store.head(key).orElseThrow().contentType()).isEqualTo("image/png");
    try (Blob blob = store.get(key, null).orElseThrow()) {
      assertThat(blob.info().contentType()).isEqualTo("image/png");
    }
  }

  @Test
  void rangeFirstToLast() throws IOException {
    put(key, "0123456789".getBytes(UTF_8));
    try (Blob blob = store.get(key, new ByteRange(2, 5)).orElseThrow()) {
      assertThat(blob.first()).isEqualTo(2);
      assertThat(blob.length()).isEqualTo(4);
      assertThat(blob.info().size()).isEqualTo(10);
      assertThat(new String(blob.body().readAllBytes(), UTF_8)).isEqualTo("2345");
    }
  }

  @Test
  void rangeOpenEnded() throws IOException {
    put(key, "0123456789".getBytes(UTF_8));
    try (Blob blob = store.get(key, new ByteRange(7, -1)).orElseThrow()) {
      assertThat(blob.first()).isEqualTo(7);
      assertThat(blob.length()).isEqualTo(3);
      assertThat(new String(blob.body().readAllBytes(), UTF_8)).isEqualTo("789");
    }
  }

  @Test
  void rangeRunningPastTheEndIsCut() throws IOException {
    put(key, "0123456789".getBytes(UTF_8));
    try (Blob blob = store.get(key, new ByteRange(8, 100)).orElseThrow()) {
      assertThat(blob.first()).isEqualTo(8);
      assertThat(blob.length()).isEqualTo(2);
      assertThat(new String(blob.body().readAllBytes(), UTF_8)).isEqualTo("89");
    }
  }

  @Test
  void rangeStartingPastTheEndIsRefused() throws IOException {
    put(key, "0123456789".getBytes(UTF_8));
    assertRefused(Kind.BAD_RANGE, () -> store.get(key, new ByteRange(10, -1)));
    assertRefused(Kind.BAD_RANGE, () -> store.get(key, new ByteRange(50, 60)));
  }

  @Test
  void declaredLengthAboveLimitIsRefusedAndNothingStored() throws IOException {
    byte[] bytes = new byte[100];
    assertRefused(
        Kind.TOO_LARGE,
        () -> store.put(key, new ByteArrayInputStream(bytes), bytes.length, 99, null, null));
    assertThat(store.head(key)).isEmpty();
  }

  @Test
  void unknownLengthAboveLimitIsRefusedAndNothingStored() throws IOException {
    byte[] bytes = new byte[100];
    assertRefused(
        Kind.TOO_LARGE, () -> store.put(key, new ByteArrayInputStream(bytes), -1, 99, null, null));
    assertThat(store.head(key)).isEmpty();
  }

  @Test
  void bodyLongerThanDeclaredIsRefusedAndNothingStored() throws IOException {
    byte[] bytes = new byte[100];
    assertRefused(
        Kind.TOO_LARGE, () -> store.put(key, new ByteArrayInputStream(bytes), 50, MAX, null, null));
    assertThat(store.head(key)).isEmpty();
  }

  @Test
  void bodyShorterThanDeclaredIsRefusedAndNothingStored() throws IOException {
    put(key, "old".getBytes(UTF_8));
    byte[] bytes = new byte[50];
    assertRefused(
        Kind.INCOMPLETE_BODY,
        () -> store.put(key, new ByteArrayInputStream(bytes), 100, MAX, null, null));
    assertThat(read(key, null)).isEqualTo("old".getBytes(UTF_8));
    String other = key + "-other";
    assertRefused(
        Kind.INCOMPLETE_BODY,
        () -> store.put(other, new ByteArrayInputStream(bytes), 100, MAX, null, null));
    assertThat(store.head(other)).isEmpty();
  }

  @Test
  void rightSha256IsAccepted() throws IOException {
    byte[] bytes = "checked".getBytes(UTF_8);
    String sha = GeneratedInputStream.sha256(bytes);
    store.put(key, new ByteArrayInputStream(bytes), bytes.length, MAX, null, sha.toUpperCase());
    assertThat(read(key, null)).isEqualTo(bytes);
  }

  @Test
  void wrongSha256IsRefusedAndOldObjectKept() throws IOException {
    put(key, "old".getBytes(UTF_8));
    byte[] bytes = "new".getBytes(UTF_8);
    String wrong = GeneratedInputStream.sha256("other".getBytes(UTF_8));
    assertRefused(
        Kind.CHECKSUM_MISMATCH,
        () -> store.put(key, new ByteArrayInputStream(bytes), bytes.length, MAX, null, wrong));
    assertThat(read(key, null)).isEqualTo("old".getBytes(UTF_8));
    String other = key + "-other";
    assertRefused(
        Kind.CHECKSUM_MISMATCH,
        () -> store.put(other, new ByteArrayInputStream(bytes), -1, MAX, null, wrong));
    assertThat(store.head(other)).isEmpty();
  }

  @Test
  void unknownLengthStreams() throws IOException {
    InputStream body = new GeneratedInputStream(300_000, 7);
    BlobInfo info = store.put(key, body, -1, MAX, "text/plain", null);
    assertThat(info.size()).isEqualTo(300_000);
    try (Blob blob = store.get(key, null).orElseThrow()) {
      assertThat(GeneratedInputStream.sha256(blob.body()))
          .isEqualTo(GeneratedInputStream.sha256(300_000, 7));
    }
  }

  @Test
  void largeBodiesStreamThrough() throws IOException {
    long size = 20L * 1024 * 1024 + 123;
    String sha = GeneratedInputStream.sha256(size, 11);
    BlobInfo unknown = store.put(key, new GeneratedInputStream(size, 11), -1, MAX, null, sha);
    assertThat(unknown.size()).isEqualTo(size);
    try (Blob blob = store.get(key, null).orElseThrow()) {
      assertThat(blob.length()).isEqualTo(size);
      assertThat(GeneratedInputStream.sha256(blob.body())).isEqualTo(sha);
    }
    try (Blob blob = store.get(key, new ByteRange(size - 10, -1)).orElseThrow()) {
      assertThat(blob.body().readAllBytes()).hasSize(10);
    }
    String known = key + "-known";
    store.put(known, new GeneratedInputStream(size, 11), size, MAX, null, null);
    assertThat(store.head(known).orElseThrow().size()).isEqualTo(size);
  }

  @Test
  void largeBodyWithWrongSha256LeavesOldObject() throws IOException {
    put(key, "old".getBytes(UTF_8));
    long size = 12L * 1024 * 1024;
    String wrong = GeneratedInputStream.sha256(size, 99);
    assertRefused(
        Kind.CHECKSUM_MISMATCH,
        () -> store.put(key, new GeneratedInputStream(size, 12), size, MAX, null, wrong));
    assertThat(read(key, null)).isEqualTo("old".getBytes(UTF_8));
  }

  @Test
  void largeBodyAboveLimitIsRefusedAndNothingStored() throws IOException {
    long limit = 10L * 1024 * 1024;
    assertRefused(
        Kind.TOO_LARGE,
        () -> store.put(key, new GeneratedInputStream(limit + 1, 3), -1, limit, null, null));
    assertThat(store.head(key)).isEmpty();
  }

  @Test
  void concurrentPutsLeaveOneWholeObject() throws Exception {
    int writers = 6;
    int size = 256 * 1024;
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      hashes.add(GeneratedInputStream.sha256(size, 100 + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<BlobInfo>> futures = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        long seed = 100 + i;
        Callable<BlobInfo> task =
            () -> {
              go.await();
              return store.put(key, new GeneratedInputStream(size, seed), size, MAX, null, null);
            };
        futures.add(pool.submit(task));
      }
      go.countDown();
      for (Future<BlobInfo> f : futures) {
        f.get(GUARD_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    try (Blob blob = store.get(key, null).orElseThrow()) {
      assertThat(blob.length()).isEqualTo(size);
      assertThat(GeneratedInputStream.sha256(blob.body())).isIn(hashes);
    }
  }

  // -------------------------------------------------------------------------------- multipart

  PartInfo part(String uploadId, int number, byte[] bytes) throws IOException {
    return store.uploadPart(key, uploadId, number, new ByteArrayInputStream(bytes), -1, MAX);
  }

  @Test
  void multipartOutOfOrderWithResentPart() throws IOException {
    byte[] one = GeneratedInputStream.bytes(PART, 1);
    byte[] two = GeneratedInputStream.bytes(PART, 2);
    byte[] three = "the end".getBytes(UTF_8);
    String uploadId = store.createMultipart(key, "video/mp4");

    PartInfo p3 = part(uploadId, 3, three);
    part(uploadId, 2, GeneratedInputStream.bytes(PART, 999)); // replaced below
    PartInfo p1 = part(uploadId, 1, one);
    PartInfo p2 = store.uploadPart(key, uploadId, 2, new ByteArrayInputStream(two), PART, MAX);
    assertThat(p3.size()).isEqualTo(three.length);

    List<PartInfo> listed = store.listParts(key, uploadId);
    assertThat(listed).containsExactly(p1, p2, p3);
    assertThat(store.head(key)).isEmpty();

    byte[] all = concat(one, two, three);
    BlobInfo info =
        store.completeMultipart(key, uploadId, listed, GeneratedInputStream.sha256(all));
    assertThat(info.size()).isEqualTo(all.length);
    assertThat(info.contentType()).isEqualTo("video/mp4");
    assertThat(read(key, null)).isEqualTo(all);
    assertThat(store.head(key).orElseThrow().contentType()).isEqualTo("video/mp4");
    assertRefused(Kind.NO_SUCH_UPLOAD, () -> store.listParts(key, uploadId));
  }

  @Test
  void multipartWithoutChecksum() throws IOException {
    String uploadId = store.createMultipart(key, null);
    PartInfo p1 = part(uploadId, 1, "only part".getBytes(UTF_8));
    store.completeMultipart(key, uploadId, List.of(p1), null);
    assertThat(read(key, null)).isEqualTo("only part".getBytes(UTF_8));
  }

  @Test
  void completionNamingAWrongOrMissingPartIsRefused() throws IOException {
    String uploadId = store.createMultipart(key, null);
    PartInfo p1 = part(uploadId, 1, GeneratedInputStream.bytes(PART, 1));
    PartInfo p2 = part(uploadId, 2, "end".getBytes(UTF_8));
    PartInfo wrongEtag = new PartInfo(2, "0".repeat(32), p2.size());
    assertRefused(
        Kind.BAD_PART, () -> store.completeMultipart(key, uploadId, List.of(p1, wrongEtag), null));
    PartInfo missing = new PartInfo(3, p2.etag(), p2.size());
    assertRefused(
        Kind.BAD_PART,
        () -> store.completeMultipart(key, uploadId, List.of(p1, p2, missing), null));
    assertThat(store.head(key)).isEmpty();
    // still usable
    store.completeMultipart(key, uploadId, List.of(p1, p2), null);
    assertThat(store.head(key).orElseThrow().size()).isEqualTo(PART + 3);
  }

  @Test
  void checksumMismatchAtCompletionKeepsTheUpload() throws IOException {
    put(key, "old".getBytes(UTF_8));
    byte[] one = GeneratedInputStream.bytes(PART, 5);
    byte[] two = "tail".getBytes(UTF_8);
    String uploadId = store.createMultipart(key, "application/pdf");
    PartInfo p1 = part(uploadId, 1, one);
    PartInfo p2 = part(uploadId, 2, two);
    String wrong = GeneratedInputStream.sha256("something else".getBytes(UTF_8));
    assertRefused(
        Kind.CHECKSUM_MISMATCH,
        () -> store.completeMultipart(key, uploadId, List.of(p1, p2), wrong));
    assertThat(read(key, null)).isEqualTo("old".getBytes(UTF_8));

    List<PartInfo> listed = store.listParts(key, uploadId);
    assertThat(listed).extracting(PartInfo::partNumber).containsExactly(1, 2);
    assertThat(listed).extracting(PartInfo::size).containsExactly((long) PART, (long) two.length);
    byte[] all = concat(one, two);
    store.completeMultipart(key, uploadId, listed, GeneratedInputStream.sha256(all));
    assertThat(read(key, null)).isEqualTo(all);
    assertThat(store.head(key).orElseThrow().contentType()).isEqualTo("application/pdf");
  }

  @Test
  void abortDropsTheUpload() throws IOException {
    String uploadId = store.createMultipart(key, null);
    part(uploadId, 1, "x".getBytes(UTF_8));
    store.abortMultipart(key, uploadId);
    assertRefused(Kind.NO_SUCH_UPLOAD, () -> store.listParts(key, uploadId));
    assertThat(store.head(key)).isEmpty();
    store.abortMultipart(key, uploadId); // again: not an error
  }

  @Test
  void unknownUploadIsRefused() throws IOException {
    String unknown = "0123456789abcdef0123456789abcdef";
    byte[] b = {1};
    assertRefused(
        Kind.NO_SUCH_UPLOAD,
        () -> store.uploadPart(key, unknown, 1, new ByteArrayInputStream(b), 1, MAX));
    assertRefused(Kind.NO_SUCH_UPLOAD, () -> store.listParts(key, unknown));
    assertRefused(
        Kind.NO_SUCH_UPLOAD,
        () -> store.completeMultipart(key, unknown, List.of(new PartInfo(1, "x", 1)), null));
    assertRefused(Kind.NO_SUCH_UPLOAD, () -> store.listParts(key, "not-an-id"));
    store.abortMultipart(key, unknown);
  }

  @Test
  void uploadIsBoundToItsKey() throws IOException {
    String uploadId = store.createMultipart(key, null);
    assertRefused(Kind.NO_SUCH_UPLOAD, () -> store.listParts(key + "-other", uploadId));
    store.abortMultipart(key, uploadId);
  }

  @Test
  void partAboveLimitIsRefused() throws IOException {
    String uploadId = store.createMultipart(key, null);
    byte[] bytes = new byte[100];
    assertRefused(
        Kind.TOO_LARGE,
        () -> store.uploadPart(key, uploadId, 1, new ByteArrayInputStream(bytes), -1, 99));
    assertRefused(
        Kind.INCOMPLETE_BODY,
        () -> store.uploadPart(key, uploadId, 1, new ByteArrayInputStream(bytes), 101, MAX));
    assertThat(store.listParts(key, uploadId)).isEmpty();
    store.abortMultipart(key, uploadId);
  }

  static byte[] concat(byte[]... arrays) {
    int n = 0;
    for (byte[] a : arrays) {
      n += a.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] a : arrays) {
      System.arraycopy(a, 0, all, at, a.length);
      at += a.length;
    }
    return all;
  }
}
