package dev.filesync.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices in their own JVMs: killed mid-upload, and two processes on one data directory. */
class ProcessesIT {
  static final String TOKEN = "proc-token";

  @TempDir Path dir;
  FileSyncServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(dir.resolve("server"))
                    .token(TOKEN, List.of("*"))
                    .build())
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Path bigFile(String name, long size) throws Exception {
    Path f = dir.resolve(name);
    Random rnd = new Random(size);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(f)) {
      for (long left = size; left > 0; left -= buf.length) {
        rnd.nextBytes(buf);
        out.write(buf, 0, (int) Math.min(buf.length, left));
      }
    }
    return f;
  }

  private static String sha256(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void aDeviceKilledMidUploadFinishesTheUploadAfterRestart() throws Exception {
    Path big = bigFile("big.bin", 200L << 20);
    Path data = dir.resolve("a");
    String id;
    try (DeviceProcess a =
        new DeviceProcess(data.toString(), server.baseUri().toString(), TOKEN, "kill-store")) {
      assertThat(a.expect("lock ")).isEqualTo("lock HAS_LOCK");
      a.send("save " + big);
      id = a.expect("saved ").substring("saved ".length());
      a.expect("event progress UPLOAD");
      a.kill(); // kill -9, in the middle of the upload
    }
    try (RealDevice again = new RealDevice(data, server.baseUri(), TOKEN, "kill-store")) {
      again.awaitSettled(Duration.ofSeconds(120));
      assertThat(again.files.status().uploads()).containsEntry("done", 1L);
    }
    try (RealDevice b = new RealDevice(dir.resolve("b"), server.baseUri(), TOKEN, "kill-store")) {
      b.awaitSettled(Duration.ofSeconds(120));
      assertThat(b.sha256(id)).isEqualTo(sha256(big));
    }
  }

  @Test
  void twoProcessesOnOneDataDirectoryBothSaveButOnlyTheLockHolderTransfers() throws Exception {
    Path data = dir.resolve("shared");
    Path f1 = bigFile("one.bin", 300_000);
    Path f2 = bigFile("two.bin", 400_000);
    try (DeviceProcess first =
        new DeviceProcess(data.toString(), server.baseUri().toString(), TOKEN, "shared-store")) {
      assertThat(first.expect("lock ")).isEqualTo("lock HAS_LOCK");
      try (DeviceProcess second =
          new DeviceProcess(data.toString(), server.baseUri().toString(), TOKEN, "shared-store")) {
        assertThat(second.expect("lock ")).isEqualTo("lock NO_LOCK");
        first.send("save " + f1);
        String id1 = first.expect("saved ").substring(6);
        second.send("save " + f2);
        String id2 = second.expect("saved ").substring(6);
        first.send("settle");
        first.expect("settled");
        try (RealDevice b =
            new RealDevice(dir.resolve("b"), server.baseUri(), TOKEN, "shared-store")) {
          b.awaitSettled(Duration.ofSeconds(120));
          assertThat(b.sha256(id1)).isEqualTo(sha256(f1));
          assertThat(b.sha256(id2)).isEqualTo(sha256(f2));
        }
        assertThat(second.all).noneMatch(l -> l.startsWith("event started"));
        assertThat(first.all).anyMatch(l -> l.startsWith("event completed UPLOAD"));
      }
    }
  }
}
