package dev.filesync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.filesync.core.internal.Rows;
import dev.filesync.store.LockStatus;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stores on one data directory (as two processes would be): only the lock holder runs the
 * engine, the other still saves and reads, and takes the engine over when the holder goes.
 */
class LeadershipTest {
  @TempDir Path dir;
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  private final FakeRemoteStorage remote = new FakeRemoteStorage();
  private final ManualScheduler time = new ManualScheduler();

  @AfterEach
  void close() throws Exception {
    remote.release();
    fs.close();
  }

  private Store store() throws Exception {
    return Store.open(
        StoreConfig.builder(dir, "shared", FileSyncSchema.schema())
            .lockRetryInterval(Duration.ofMillis(20))
            .externalChangePollInterval(Duration.ofMillis(20))
            .build());
  }

  private FileSync fileSync(Store store, List<FileSyncEvent> events) throws Exception {
    FileSync f =
        FileSync.builder(store, fs.getPath("/data"))
            .remote(remote)
            .clock(time)
            .scheduler(time)
            .healthCheckInterval(Duration.ofDays(1))
            .start();
    f.addListener(events::add);
    return f;
  }

  @Test
  void onlyTheLockHolderTransfersAndTheOtherTakesOver() throws Exception {
    List<FileSyncEvent> events2 = new CopyOnWriteArrayList<>();
    Store s1 = store();
    Store s2 = store();
    assertThat(s1.lockStatus()).isEqualTo(LockStatus.HAS_LOCK);
    assertThat(s2.lockStatus()).isEqualTo(LockStatus.NO_LOCK);
    FileSync f1 = fileSync(s1, new CopyOnWriteArrayList<>());
    FileSync f2 = fileSync(s2, events2);
    try {
      String a = f2.save("from the follower".getBytes(UTF_8), "a", null);
      assertThat(f1.awaitIdle(Device.WAIT)).isTrue();
      assertThat(Rows.file(s2, a).orElseThrow().remoteKey())
          .as("the leader uploaded it")
          .isNotEmpty();
      assertThat(f2.status().leader()).isFalse();
      try (InputStream in = f2.open(a)) {
        assertThat(in.readAllBytes()).isEqualTo("from the follower".getBytes(UTF_8));
      }

      remote.blockUploads();
      String b = f2.save("in flight".getBytes(UTF_8), "b", null);
      assertThat(remote.awaitBlockedUpload(20, TimeUnit.SECONDS)).isTrue();
      CountDownLatch took = new CountDownLatch(1);
      f2.addListener(
          e -> {
            if (e instanceof FileSyncEvent.LeadershipChanged l && l.leader()) {
              took.countDown();
            }
          });
      f1.close();
      s1.close();
      assertThat(Rows.state(s2, b).orElseThrow().uploadStatus()).isEqualTo("queued");
      remote.release();
      assertThat(took.await(20, TimeUnit.SECONDS)).as("f2 took the engine over").isTrue();
      assertThat(f2.awaitIdle(Device.WAIT)).isTrue();
      assertThat(f2.status().leader()).isTrue();
      assertThat(Rows.state(s2, b).orElseThrow().uploadStatus()).isEqualTo("done");
      assertThat(Rows.file(s2, b).orElseThrow().remoteKey()).isNotEmpty();
    } finally {
      f1.close();
      f2.close();
      s1.close();
      s2.close();
    }
  }
}
