package dev.filesync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.filesync.core.internal.LocalContent.ContentMismatchException;
import dev.filesync.core.internal.LocalContent.Saved;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The local content store on Jimfs (Unix and Windows flavours) and on the default file system. */
@ParameterizedClass(name = "{0}")
@EnumSource(FileSystemContentTest.Flavour.class)
class FileSystemContentTest {

  enum Flavour {
    JIMFS_UNIX,
    JIMFS_WINDOWS,
    DEFAULT
  }

  static final String STORE = "user:42/main";
  static final String HELLO_SHA =
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  static final String EMPTY_SHA =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

  @Parameter Flavour flavour;
  @TempDir Path tempDir;

  FileSystem fs;
  Path root;
  LocalContent content;

  @BeforeEach
  void open() {
    switch (flavour) {
      case JIMFS_UNIX -> {
        fs = Jimfs.newFileSystem(Configuration.unix());
        root = fs.getPath("/data/app");
      }
      case JIMFS_WINDOWS -> {
        fs = Jimfs.newFileSystem(Configuration.windows());
        root = fs.getPath("C:\\data\\app");
      }
      case DEFAULT -> root = tempDir.resolve("app");
    }
    content = FileSystemContent.open(root, STORE);
  }

  @AfterEach
  void close() throws IOException {
    if (fs != null) {
      fs.close();
    }
  }

  Path filesRoot() {
    return root.resolve("livestore-filesync-files");
  }

  Path tempDirectory() {
    return filesRoot().resolve(".tmp");
  }

  List<Path> tempFiles() throws IOException {
    if (!Files.exists(tempDirectory())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tempDirectory())) {
      return s.toList();
    }
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void helloIsStoredUnderTheReferencePath() throws IOException {
    Saved saved = content.save(new ByteArrayInputStream(HELLO));

    assertThat(saved).isEqualTo(new Saved(HELLO_SHA, 5));
    Path expected = filesRoot().resolve("user_42_main").resolve(HELLO_SHA);
    assertThat(content.path(HELLO_SHA)).isEqualTo(expected);
    assertThat(Files.readAllBytes(expected)).isEqualTo(HELLO);
    assertThat(content.relativePath(HELLO_SHA))
        .isEqualTo("livestore-filesync-files/user_42_main/" + HELLO_SHA);
    assertThat(content.has(HELLO_SHA)).isTrue();
    assertThat(content.verify(HELLO_SHA)).isTrue();
    try (InputStream in = content.open(HELLO_SHA)) {
      assertThat(in.readAllBytes()).isEqualTo(HELLO);
    }
    assertThat(content.list()).containsExactly(HELLO_SHA);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void emptyBytesHaveTheEmptyHash() throws IOException {
    Saved saved = content.save(InputStream.nullInputStream());

    assertThat(saved).isEqualTo(new Saved(EMPTY_SHA, 0));
    assertThat(Files.size(content.path(EMPTY_SHA))).isZero();
    assertThat(content.verify(EMPTY_SHA)).isTrue();
  }

  @Test
  void storeIdsAreSanitizedLikeTheReference() {
    assertThat(FileSystemContent.sanitizeStoreId("user:42/main")).isEqualTo("user_42_main");
    assertThat(FileSystemContent.sanitizeStoreId("a.b_c-D9 é")).isEqualTo("a.b_c-D9__");
    for (String bad : List.of("", ".", "..", ".tmp")) {
      assertThatThrownBy(() -> FileSystemContent.open(root, bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    for (String bad : List.of("", "abc", HELLO_SHA.toUpperCase(java.util.Locale.ROOT), "../x")) {
      assertThatThrownBy(() -> content.path(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void savingTheSameBytesAgainKeepsTheIntactFile() throws IOException {
    content.save(new ByteArrayInputStream(HELLO));
    Object before = fileKey(content.path(HELLO_SHA));

    Saved again = content.save(new ByteArrayInputStream(HELLO));

    assertThat(again).isEqualTo(new Saved(HELLO_SHA, 5));
    if (before != null) {
      assertThat(fileKey(content.path(HELLO_SHA))).isEqualTo(before);
    }
    assertThat(content.list()).containsExactly(HELLO_SHA);
    assertThat(tempFiles()).isEmpty();
  }

  static Object fileKey(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  @Test
  void savingReplacesACorruptFile() throws IOException {
    content.save(new ByteArrayInputStream(HELLO));
    Files.write(content.path(HELLO_SHA), "hellO".getBytes(StandardCharsets.UTF_8));
    assertThat(content.verify(HELLO_SHA)).isFalse();

    content.save(new ByteArrayInputStream(HELLO));

    assertThat(content.verify(HELLO_SHA)).isTrue();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void concurrentSavesOfTheSameBytesLeaveOneIntactFile() throws Exception {
    byte[] bytes = new byte[1 << 20];
    new SplittableRandom(7).nextBytes(bytes);
    String sha = sha256(bytes);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Saved>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return content.save(new ByteArrayInputStream(bytes));
                }));
      }
      start.countDown();
      for (Future<Saved> f : results) {
        assertThat(f.get()).isEqualTo(new Saved(sha, bytes.length));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(content.list()).containsExactly(sha);
    assertThat(content.verify(sha)).isTrue();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void aFailedSaveLeavesNothing() throws IOException {
    InputStream failing =
        new InputStream() {
          long left = 200_000;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
              throw new IOException("the source broke");
            }
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
          }
        };

    assertThatThrownBy(() -> content.save(failing))
        .isInstanceOf(IOException.class)
        .hasMessage("the source broke");

    assertThat(tempFiles()).isEmpty();
    assertThat(content.list()).isEmpty();
  }

  @Test
  void adoptMovesVerifiedBytesIntoPlace() throws IOException {
    Path temp = content.newTempFile();
    assertThat(temp.getParent()).isEqualTo(tempDirectory());
    Files.write(temp, HELLO);

    content.adopt(temp, HELLO_SHA);

    assertThat(Files.exists(temp)).isFalse();
    assertThat(content.verify(HELLO_SHA)).isTrue();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void adoptOfWrongBytesThrowsAndKeepsNothing() throws IOException {
    Path temp = content.newTempFile();
    Files.write(temp, "not hello".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> content.adopt(temp, HELLO_SHA))
        .isInstanceOf(ContentMismatchException.class)
        .hasMessageContaining(HELLO_SHA);

    assertThat(Files.exists(temp)).isFalse();
    assertThat(content.has(HELLO_SHA)).isFalse();
    assertThat(content.list()).isEmpty();
  }

  @Test
  void adoptOverAnIntactFileKeepsIt() throws IOException {
    content.save(new ByteArrayInputStream(HELLO));
    Path temp = content.newTempFile();
    Files.write(temp, HELLO);

    content.adopt(temp, HELLO_SHA);

    assertThat(Files.exists(temp)).isFalse();
    assertThat(content.verify(HELLO_SHA)).isTrue();
  }

  @Test
  void verifyDetectsACorruptedFile() throws IOException {
    assertThat(content.verify(HELLO_SHA)).isFalse();
    content.save(new ByteArrayInputStream(HELLO));
    Path file = content.path(HELLO_SHA);
    byte[] bytes = Files.readAllBytes(file);
    bytes[2] ^= 0x20;
    Files.write(file, bytes);

    assertThat(content.has(HELLO_SHA)).isTrue();
    assertThat(content.verify(HELLO_SHA)).isFalse();
  }

  @Test
  void listIgnoresTempFilesStrayNamesAndOtherStores() throws IOException {
    assertThat(content.list()).isEmpty();
    content.save(new ByteArrayInputStream(HELLO));
    content.newTempFile(); // an unfinished download
    Path store = content.path(HELLO_SHA).getParent();
    Files.write(store.resolve("notes.txt"), HELLO);
    Files.write(store.resolve(EMPTY_SHA.toUpperCase(java.util.Locale.ROOT)), HELLO);
    Files.write(store.resolve(EMPTY_SHA + ".meta.json"), HELLO);
    Files.createDirectory(store.resolve(EMPTY_SHA.replace('e', 'f')));
    LocalContent other = FileSystemContent.open(root, "other");
    other.save(InputStream.nullInputStream());

    assertThat(content.list()).containsExactly(HELLO_SHA);
    assertThat(other.list()).containsExactly(EMPTY_SHA);
  }

  @Test
  void deleteRemovesOnlyThatFile() throws IOException {
    content.save(new ByteArrayInputStream(HELLO));
    content.save(InputStream.nullInputStream());

    content.delete(HELLO_SHA);
    content.delete(HELLO_SHA); // absent: no error

    assertThat(content.has(HELLO_SHA)).isFalse();
    assertThat(content.list()).containsExactly(EMPTY_SHA);
    assertThatThrownBy(() -> content.open(HELLO_SHA)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void a64MiBStreamIsSavedThroughASmallBuffer() throws Exception {
    long size = 64L << 20;
    GeneratedStream in = new GeneratedStream(size, 42);

    Saved saved = content.save(in);

    String expected = sha256Of(new GeneratedStream(size, 42));
    assertThat(saved).isEqualTo(new Saved(expected, size));
    assertThat(in.largestRead).isLessThanOrEqualTo(1 << 20);
    assertThat(Files.size(content.path(expected))).isEqualTo(size);
    assertThat(content.verify(expected)).isTrue();
    content.delete(expected);
  }

  static String sha256Of(InputStream in) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Pseudo-random bytes made as they are read; remembers the largest read asked for. */
  static final class GeneratedStream extends InputStream {
    private final SplittableRandom random;
    private long remaining;
    int largestRead;

    GeneratedStream(long size, long seed) {
      this.random = new SplittableRandom(seed);
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      largestRead = Math.max(largestRead, len);
      if (len == 0) {
        return 0;
      }
      if (remaining <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) random.nextInt(256);
      }
      remaining -= n;
      return n;
    }
  }
}
