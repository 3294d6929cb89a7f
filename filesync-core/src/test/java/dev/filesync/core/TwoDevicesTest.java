package dev.filesync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.core.internal.Rows;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two devices sharing one sync backend and one remote storage. */
class TwoDevicesTest {
  @TempDir Path dir;
  private final dev.filesync.store.FakeSyncBackend backend =
      new dev.filesync.store.FakeSyncBackend();
  private final FakeRemoteStorage remote = new FakeRemoteStorage();
  private final List<Device> devices = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (Device d : devices) {
      d.close();
    }
  }

  private Device device(String name) throws Exception {
    Device d = new Device(dir.resolve(name), backend.client(), remote);
    devices.add(d);
    return d;
  }

  private static void settle(Device... ds) throws InterruptedException {
    for (int round = 0; round < 2; round++) {
      for (Device d : ds) {
        d.awaitIdle();
        d.awaitSynced();
      }
    }
    for (Device d : ds) {
      d.awaitIdle();
    }
  }

  @Test
  void everyFileReachesTheOtherDeviceVerified() throws Exception {
    Device a = device("a");
    Device b = device("b");
    List<String> ids = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] bytes = ("file number " + (i % 15) + " ").repeat(100 + i % 15).getBytes(UTF_8);
      ids.add(a.files.save(bytes, "f" + i, "text/plain"));
      contents.add(bytes);
    }
    settle(a, b);
    assertThat(remote.keys()).hasSize(15);
    for (int i = 0; i < 20; i++) {
      String id = ids.get(i);
      assertThat(a.row(id).remoteKey()).isEqualTo("shared/" + a.row(id).contentHash());
      assertThat(b.row(id)).isEqualTo(a.row(id));
      assertThat(b.read(id)).as("file %d on b", i).isEqualTo(contents.get(i));
      assertThat(b.state(id).downloadStatus()).isEqualTo("done");
      assertThat(b.state(id).uploadStatus()).isEqualTo("done");
    }
    assertThat(remote.downloads()).as("one download per distinct content").isEqualTo(15);
    assertThat(b.files.status().bytesStored()).isEqualTo(a.files.status().bytesStored());

    // File 15 has the same bytes as file 0: delete file 0 on a.
    String deleted = ids.get(0);
    String twin = ids.get(15);
    assertThat(a.row(twin).contentHash()).isEqualTo(a.row(deleted).contentHash());
    a.files.delete(deleted);
    settle(a, b);
    for (Device d : List.of(a, b)) {
      assertThat(d.row(deleted).live()).isFalse();
      assertThat(Rows.state(d.store, deleted)).isEmpty();
      assertThatThrownBy(() -> d.files.open(deleted)).isInstanceOf(NoSuchFileException.class);
      assertThat(d.read(twin)).isEqualTo(contents.get(15));
    }
    assertThat(remote.keys()).contains(a.row(twin).remoteKey());

    // Deleting the last user of some bytes frees them on both devices.
    String lonely = ids.get(7);
    String hash = a.row(lonely).contentHash();
    a.files.delete(lonely);
    settle(a, b);
    for (Device d : List.of(a, b)) {
      assertThat(d.root.resolve(d.row(lonely).path())).doesNotExist();
    }
    assertThat(hash).isNotEmpty();
  }

  @Test
  void anUpdateOnOneDeviceReplacesTheBytesOnTheOther() throws Exception {
    Device a = device("a");
    Device b = device("b");
    String id = a.files.save("first".getBytes(UTF_8), "f", null);
    settle(a, b);
    assertThat(b.read(id)).isEqualTo("first".getBytes(UTF_8));
    Path old = b.root.resolve(b.row(id).path());
    b.files.update(id, new java.io.ByteArrayInputStream("second".getBytes(UTF_8)), "f", null);
    settle(a, b);
    assertThat(a.read(id)).isEqualTo("second".getBytes(UTF_8));
    assertThat(a.row(id)).isEqualTo(b.row(id));
    assertThat(a.row(id).remoteKey()).endsWith(a.row(id).contentHash());
    assertThat(old).as("b freed the old version").doesNotExist();
    assertThat(a.root.resolve("livestore-filesync-files/shared/" + sha("first")))
        .as("a freed the old version too")
        .doesNotExist();
  }

  private static String sha(String s) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(UTF_8)));
  }
}
