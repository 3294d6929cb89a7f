package dev.filesync.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.server.FileSyncServer;
import dev.filesync.server.S3ProxyFixture;
import dev.filesync.server.ServerConfig;
import dev.filesync.server.StorageMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two devices sync files through a real server, in gateway mode (bytes through the server onto its
 * disk) and in signer mode (bytes straight to a real S3-compatible server that verifies
 * signatures).
 */
class TwoDevicesIT {
  static final String TOKEN = "it-token";
  static final Duration SETTLE = Duration.ofSeconds(90);

  static S3ProxyFixture s3;

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startS3() {
    s3 = S3ProxyFixture.start();
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  static Stream<Arguments> modes() {
    return Stream.of(Arguments.of(StorageMode.GATEWAY), Arguments.of(StorageMode.SIGNER));
  }

  private FileSyncServer server(StorageMode mode) throws Exception {
    ServerConfig.Builder b =
        ServerConfig.builder()
            .port(0)
            .dataDirectory(dir.resolve("server"))
            .token(TOKEN, List.of("*"));
    if (mode == StorageMode.SIGNER) {
      b.storageMode(StorageMode.SIGNER).s3(s3.newBucket());
    }
    FileSyncServer s = FileSyncServer.create(b.build()).start();
    open.add(s);
    return s;
  }

  private RealDevice device(FileSyncServer server, String name) throws Exception {
    RealDevice d = new RealDevice(dir.resolve(name), server.baseUri(), TOKEN, "it-store");
    open.add(d);
    return d;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void fiftyFilesWithDuplicatesArriveVerifiedAndChangesPropagate(StorageMode mode)
      throws Exception {
    FileSyncServer server = server(mode);
    RealDevice a = device(server, "a");
    Random rnd = new Random(42);
    Map<String, String> expected = new LinkedHashMap<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] bytes;
      if (i % 5 == 4) {
        bytes = contents.get(rnd.nextInt(contents.size())); // a duplicate of earlier bytes
      } else {
        bytes = new byte[1 + rnd.nextInt(200_000)];
        rnd.nextBytes(bytes);
        contents.add(bytes);
      }
      expected.put(
          a.files.save(bytes, "f" + i + ".bin", "application/octet-stream"), sha256(bytes));
    }
    a.awaitSettled(SETTLE);

    RealDevice b = device(server, "b");
    b.awaitSettled(SETTLE);
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertThat(b.sha256(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }

    // an update and a delete on B reach A
    String updated = expected.keySet().iterator().next();
    byte[] fresh = "new bytes for the first file".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    b.files.update(updated, new java.io.ByteArrayInputStream(fresh), "f0.bin", "text/plain");
    String deleted = new ArrayList<>(expected.keySet()).get(1);
    b.files.delete(deleted);
    b.awaitSettled(SETTLE);
    a.awaitSettled(SETTLE);
    assertThat(a.sha256(updated)).isEqualTo(sha256(fresh));
    assertThatThrownBy(() -> a.files.open(deleted)).isInstanceOf(java.io.IOException.class);
  }

  @ParameterizedTest
  @MethodSource("modes")
  void deletingOneOfTwoFilesWithTheSameBytesKeepsTheOtherEverywhere(StorageMode mode)
      throws Exception {
    FileSyncServer server = server(mode);
    RealDevice a = device(server, "a");
    byte[] bytes = "shared content, saved twice".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String x = a.files.save(bytes, "x.txt", "text/plain");
    String y = a.files.save(bytes, "y.txt", "text/plain");
    a.awaitSettled(SETTLE);
    RealDevice b = device(server, "b");
    b.awaitSettled(SETTLE);

    a.files.delete(x);
    a.awaitSettled(SETTLE);
    b.awaitSettled(SETTLE);
    assertThat(a.sha256(y)).isEqualTo(sha256(bytes));
    assertThat(b.sha256(y)).isEqualTo(sha256(bytes));
    // and the server still has it: a third device gets it from scratch
    RealDevice c = device(server, "c");
    c.awaitSettled(SETTLE);
    assertThat(c.sha256(y)).isEqualTo(sha256(bytes));
  }

  @ParameterizedTest
  @MethodSource("modes")
  void aCorruptedLocalCopyIsDetectedAndReplaced(StorageMode mode) throws Exception {
    FileSyncServer server = server(mode);
    RealDevice a = device(server, "a");
    byte[] bytes = new byte[100_000];
    new Random(7).nextBytes(bytes);
    String id = a.files.save(bytes, "c.bin", "application/octet-stream");
    a.awaitSettled(SETTLE);
    RealDevice b = device(server, "b");
    b.awaitSettled(SETTLE);

    Path local;
    try (Stream<Path> files = Files.walk(b.data)) {
      local =
          files
              .filter(p -> p.getFileName().toString().equals(sha256Unchecked(bytes)))
              .findFirst()
              .orElseThrow();
    }
    byte[] corrupt = bytes.clone();
    corrupt[500] ^= 1;
    Files.write(local, corrupt);
    assertThatThrownBy(() -> b.files.open(id)).hasMessageContaining("corrupt");
    b.awaitSettled(SETTLE);
    assertThat(b.sha256(id)).isEqualTo(sha256(bytes));
  }

  private static String sha256Unchecked(byte[] b) {
    try {
      return sha256(b);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
