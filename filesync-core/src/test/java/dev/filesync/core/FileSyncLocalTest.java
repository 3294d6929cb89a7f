package dev.filesync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.core.internal.Rows;
import dev.filesync.store.FileSyncException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local-only mode: no remote storage, states done/done, content dedup and reference counting. */
class FileSyncLocalTest {
  @TempDir Path dir;
  private Device device;

  @AfterEach
  void close() throws Exception {
    if (device != null) {
      device.close();
    }
  }

  private Device open() throws Exception {
    device = new Device(dir, null, null);
    return device;
  }

  private Path contentFile(String id) {
    return device.root.resolve(device.row(id).path());
  }

  @Test
  void orphanedContentIsSweptWhenTheEngineStartsButYoungFilesAndReferencedOnesStay()
      throws Exception {
    Device d = open();
    String kept = d.files.save("kept".getBytes(UTF_8), "kept.txt", "text/plain");
    dev.filesync.core.internal.LocalContent content =
        dev.filesync.core.internal.FileSystemContent.open(d.root, "shared");
    String old =
        content.save(new java.io.ByteArrayInputStream("crashed save".getBytes(UTF_8))).sha256Hex();
    String young =
        content
            .save(new java.io.ByteArrayInputStream("save in progress".getBytes(UTF_8)))
            .sha256Hex();
    java.time.Instant now = d.time.instant();
    Files.setLastModifiedTime(
        content.path(old), java.nio.file.attribute.FileTime.from(now.minusSeconds(3600)));
    Files.setLastModifiedTime(content.path(young), java.nio.file.attribute.FileTime.from(now));
    Files.setLastModifiedTime(
        contentFile(kept), java.nio.file.attribute.FileTime.from(now.minusSeconds(3600)));

    d.files.close();
    d.start(); // the engine starts leading again and sweeps
    d.awaitIdle();

    assertThat(content.has(old)).as("an hour-old orphan is removed").isFalse();
    assertThat(content.has(young)).as("a fresh one may be a save in another process").isTrue();
    assertThat(d.read(kept)).isEqualTo("kept".getBytes(UTF_8));
  }

  @Test
  void aVerifyPassFindsCorruptCopies() throws Exception {
    Device d = open();
    String good = d.files.save("good".getBytes(UTF_8), "g.txt", "text/plain");
    String bad = d.files.save("bad".getBytes(UTF_8), "b.txt", "text/plain");
    Files.write(contentFile(bad), "BAD".getBytes(UTF_8));
    assertThat(d.files.verifyLocalCopies()).containsExactly(bad);
    assertThat(d.files.displayState(bad).hasLocalCopy()).isFalse();
    assertThat(d.read(good)).isEqualTo("good".getBytes(UTF_8));
    assertThat(d.files.verifyLocalCopies()).isEmpty();
  }

  @Test
  void saveStoresLocallyAndMarksDone() throws Exception {
    Device d = open();
    String id = d.files.save("hello".getBytes(UTF_8), "a.txt", "text/plain");
    Rows.FileRow row = d.row(id);
    assertThat(row.contentHash())
        .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    assertThat(row.path()).isEqualTo("livestore-filesync-files/shared/" + row.contentHash());
    assertThat(row.remoteKey()).isEmpty();
    assertThat(row.metadataJson())
        .isEqualTo("{\"mimeType\":\"text/plain\",\"sizeBytes\":5,\"custom\":{\"name\":\"a.txt\"}}");
    assertThat(d.state(id))
        .isEqualTo(new Rows.LocalState(id, row.path(), row.contentHash(), "done", "done", ""));
    assertThat(d.read(id)).isEqualTo("hello".getBytes(UTF_8));
    assertThat(d.files.resolve(id)).contains(contentFile(id).toUri());
    assertThat(d.files.displayState(id))
        .isEqualTo(new DisplayState(true, true, false, false, false, false));
    d.awaitIdle();
    assertThat(d.files.status().uploads()).containsEntry("done", 1L);
    assertThat(d.files.status().bytesStored()).isEqualTo(5);
    assertThat(d.files.retryErrors()).isEmpty();
  }

  @Test
  void sameBytesTwiceShareOneFileAndDeletingOneKeepsTheOther() throws Exception {
    Device d = open();
    String a = d.files.save("same".getBytes(UTF_8), "a", null);
    String b = d.files.save(new ByteArrayInputStream("same".getBytes(UTF_8)), "b", null);
    assertThat(a).isNotEqualTo(b);
    assertThat(d.row(a).path()).isEqualTo(d.row(b).path());
    assertThat(d.files.status().bytesStored()).isEqualTo(4);

    d.files.delete(a);
    assertThat(d.row(a).live()).isFalse();
    assertThat(Rows.state(d.store, a)).isEmpty();
    assertThat(Files.exists(contentFile(b))).isTrue();
    assertThat(d.read(b)).isEqualTo("same".getBytes(UTF_8));
    assertThatThrownBy(() -> d.files.open(a)).isInstanceOf(NoSuchFileException.class);
    assertThat(d.files.resolve(a)).isEmpty();

    d.files.delete(b);
    assertThat(Files.exists(contentFile(b))).as("last reference gone").isFalse();
    d.files.delete("unknown"); // nothing
    d.awaitIdle();
  }

  @Test
  void updateReplacesBytesAndFreesOnlyUnsharedContent() throws Exception {
    Device d = open();
    String a = d.files.save("v1".getBytes(UTF_8), "a", null);
    String shared = d.files.save("v1".getBytes(UTF_8), "s", null);
    Path v1 = contentFile(a);
    d.files.update(a, new ByteArrayInputStream("v2".getBytes(UTF_8)), "a", "text/plain");
    assertThat(d.read(a)).isEqualTo("v2".getBytes(UTF_8));
    assertThat(Files.exists(v1)).as("still used by the other file").isTrue();
    assertThat(d.state(a).localHash()).isEqualTo(d.row(a).contentHash());

    d.files.update(shared, new ByteArrayInputStream("v3".getBytes(UTF_8)), "s", null);
    assertThat(Files.exists(v1)).as("no file uses v1 any more").isFalse();

    String before = d.row(a).metadataJson();
    d.files.update(a, new ByteArrayInputStream("v2".getBytes(UTF_8)), "a", "image/png");
    assertThat(d.row(a).metadataJson()).as("same bytes: no-op").isEqualTo(before);
    assertThatThrownBy(
            () -> d.files.update("nope", new ByteArrayInputStream(new byte[1]), "x", null))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void saveFromPathProbesTheName() throws Exception {
    Device d = open();
    Path src = d.fs.getPath("/in/photo.bin");
    Files.createDirectories(src.getParent());
    Files.write(src, new byte[] {1, 2, 3});
    String id = d.files.save(src);
    assertThat(d.read(id)).containsExactly(1, 2, 3);
    Files.write(src, new byte[] {4});
    d.files.update(id, src);
    assertThat(d.read(id)).containsExactly(4);
  }

  @Test
  void corruptLocalCopyIsReportedAndRemoved() throws Exception {
    Device d = open();
    String id = d.files.save("precious".getBytes(UTF_8), "p", null);
    Files.write(contentFile(id), "tampered".getBytes(UTF_8));
    assertThatThrownBy(() -> d.files.open(id))
        .isInstanceOf(FileSyncException.class)
        .hasMessageContaining("corrupt");
    assertThat(Files.exists(contentFile(id))).isFalse();
    d.awaitIdle();
    assertThat(Rows.state(d.store, id))
        .as("local-only: no bytes, no state (reference 3.6)")
        .isEmpty();
    assertThatThrownBy(() -> d.files.open(id))
        .isInstanceOf(FileSyncException.class)
        .hasMessageContaining("not on this device");
  }

  @Test
  void preprocessorsAreChosenExactThenFamilyThenAny() throws Exception {
    device =
        new Device(
            dir,
            null,
            null,
            b ->
                b.preprocessor("*", (in, n, m) -> result("any", null))
                    .preprocessor("image/*", (in, n, m) -> result("family", null))
                    .preprocessor(
                        "image/png",
                        (in, n, m) ->
                            result(
                                "exact:" + new String(in.readAllBytes(), UTF_8),
                                new FileMetadata("image/webp", null, 3, 2, Map.of("by", "test")))));
    Device d = device;
    String png = d.files.save("raw".getBytes(UTF_8), "a.png", "image/png");
    String jpg = d.files.save("raw".getBytes(UTF_8), "a.jpg", "image/jpeg");
    String txt = d.files.save("raw".getBytes(UTF_8), "a.txt", "text/plain");
    String none = d.files.save("raw".getBytes(UTF_8), "a", null);
    assertThat(new String(d.read(png), UTF_8)).isEqualTo("exact:raw");
    assertThat(new String(d.read(jpg), UTF_8)).isEqualTo("family");
    assertThat(new String(d.read(txt), UTF_8)).isEqualTo("any");
    assertThat(new String(d.read(none), UTF_8)).isEqualTo("any");
    assertThat(d.row(png).metadataJson())
        .isEqualTo(
            "{\"mimeType\":\"image/webp\",\"sizeBytes\":9,\"image\":{\"width\":3,\"height\":2},"
                + "\"custom\":{\"by\":\"test\",\"name\":\"a.png\"}}");
    assertThat(d.row(jpg).metadataJson())
        .isEqualTo("{\"mimeType\":\"image/jpeg\",\"sizeBytes\":6,\"custom\":{\"name\":\"a.jpg\"}}");
  }

  @Test
  void failingPreprocessorChangesNothing() throws Exception {
    device =
        new Device(
            dir,
            null,
            null,
            b ->
                b.preprocessor(
                    "*",
                    (in, n, m) -> {
                      throw new IllegalStateException("boom");
                    }));
    assertThatThrownBy(() -> device.files.save(new byte[] {1}, "x", null))
        .isInstanceOf(FileSyncException.class)
        .hasMessageContaining("boom");
    assertThat(Rows.files(device.store)).isEmpty();
    assertThat(device.files.status().bytesStored()).isZero();
  }

  @Test
  void configValidatesAtOnce() throws Exception {
    Device d = open();
    FileSyncConfig.Builder b = FileSync.builder(d.store, d.root);
    assertThatThrownBy(() -> b.concurrency(0, 1)).hasMessageContaining("uploads=0");
    assertThatThrownBy(() -> b.preprocessor("not a type", (in, n, m) -> null))
        .hasMessageContaining("not a type");
    FileSyncConfig c = b.concurrency(3, 4).build();
    FileSyncConfig copy = c.toBuilder().build();
    assertThat(copy.uploadConcurrency()).isEqualTo(3);
    assertThat(copy.downloadConcurrency()).isEqualTo(4);
    assertThat(copy.maxAttempts()).isEqualTo(6);
    assertThat(copy.remote()).isEqualTo(Optional.empty());
  }

  private static Preprocessor.Result result(String text, FileMetadata meta) {
    return new Preprocessor.Result(new ByteArrayInputStream(text.getBytes(UTF_8)), meta);
  }
}
