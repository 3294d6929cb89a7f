package dev.filesync.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.server.BlobStoreException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link BlobStore} contract on the local filesystem, plus its layout. */
class FileSystemBlobStoreTest extends BlobStoreContractTest {
  @TempDir Path dir;
  Path root;

  @Override
  BlobStore newStore() throws IOException {
    root = dir.resolve("blobs");
    return BlobStores.filesystem(root);
  }

  @Test
  void layoutKeepsObjectsAndMetadataApart() throws IOException {
    put("s/abc", "bytes".getBytes(UTF_8));
    String h = GeneratedInputStream.sha256("s/abc".getBytes(UTF_8));
    assertThat(root.resolve("objects/" + h.substring(0, 2) + "/" + h)).hasContent("bytes");
    assertThat(root.resolve("meta/" + h.substring(0, 2) + "/" + h)).exists();
    assertThat(store.head("s/abc").orElseThrow().etag())
        .isEqualTo(GeneratedInputStream.sha256("bytes".getBytes(UTF_8)));
    try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void keysThatWouldCollideOnDiskStayApart() throws IOException {
    // a key that is a prefix of another, and keys differing only in case: distinct objects
    put("a/b", "short".getBytes(UTF_8));
    put("a/b/c", "longer".getBytes(UTF_8));
    put("A/b", "upper".getBytes(UTF_8));
    assertThat(read("a/b")).isEqualTo("short".getBytes(UTF_8));
    assertThat(read("a/b/c")).isEqualTo("longer".getBytes(UTF_8));
    assertThat(read("A/b")).isEqualTo("upper".getBytes(UTF_8));
  }

  private byte[] read(String k) throws IOException {
    try (BlobStore.Blob b = store.get(k, null).orElseThrow()) {
      return b.body().readAllBytes();
    }
  }

  @Test
  void refusedPutsLeaveNoTemporaryFiles() throws IOException {
    byte[] bytes = new byte[100];
    assertRefused(
        Kind.INCOMPLETE_BODY,
        () -> store.put(key, new ByteArrayInputStream(bytes), 200, MAX, null, null));
    assertRefused(
        Kind.CHECKSUM_MISMATCH,
        () -> store.put(key, new ByteArrayInputStream(bytes), 100, MAX, null, "00".repeat(32)));
    assertRefused(
        Kind.TOO_LARGE, () -> store.put(key, new ByteArrayInputStream(bytes), -1, 10, null, null));
    try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void unsafeKeysAreRejected() {
    for (String bad :
        new String[] {"../x", "a/../../x", "/abs", "a//b", "a/./b", "a/", "", "a\u0000b", "a\\b"}) {
      assertThatThrownBy(() -> put(bad, new byte[1]))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(root.getParent().resolve("x")).doesNotExist();
  }

  @Test
  void reopeningKeepsObjectsAndUploads() throws IOException {
    put(key, "kept".getBytes(UTF_8));
    String uploadId = store.createMultipart(key, null);
    part(uploadId, 1, "p".getBytes(UTF_8));
    store.close();
    store = newStore();
    assertThat(read(key, null)).isEqualTo("kept".getBytes(UTF_8));
    assertThat(store.listParts(key, uploadId)).hasSize(1);
  }
}
