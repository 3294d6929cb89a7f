package dev.filesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs on one data directory: one holds the writer lock, the other is told and takes over. */
class TwoProcessIT {
  @TempDir Path dir;

  @Test
  void secondProcessIsToldItHasNoLockStillWritesAndTakesOverWhenTheFirstDies() throws Exception {
    try (StoreProcess first = new StoreProcess(dir.toString(), "shared")) {
      assertThat(first.expect("lock ")).isEqualTo("lock HAS_LOCK");
      try (StoreProcess second = new StoreProcess(dir.toString(), "shared")) {
        assertThat(second.expect("lock ")).isEqualTo("lock NO_LOCK");
        scenario(first, second);
      }
    }
  }

  private static void scenario(StoreProcess first, StoreProcess second) throws Exception {
    {
      first.send("commit a");
      first.expect("committed a");
      second.send("commit b");
      second.expect("committed b");
      first.send("count");
      assertThat(first.expect("count ")).isEqualTo("count 2");
      second.send("count");
      assertThat(second.expect("count ")).isEqualTo("count 2");

      first.kill();
      assertThat(second.expect("lock ")).isEqualTo("lock HAS_LOCK");
      second.send("commit c");
      second.expect("committed c");
      second.send("count");
      assertThat(second.expect("count ")).isEqualTo("count 3");
    }
  }
}
