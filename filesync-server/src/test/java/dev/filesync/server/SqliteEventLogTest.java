package dev.filesync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event log contract on SQLite, one file per test. */
class SqliteEventLogTest extends EventLogContractTest {

  @TempDir Path dir;

  @Override
  EventLog openLog() throws IOException {
    return EventLogs.sqlite(dir.resolve("nested/sync.db"));
  }

  @Test
  void createsTheFileInWalMode() throws Exception {
    log.append(store, batch(1, 1));
    Path file = dir.resolve("nested/sync.db");
    assertThat(Files.exists(file)).isTrue();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void twoInstancesOnOneFileDoNotLoseAppends() throws Exception {
    try (EventLog second = openLog()) {
      assertThat(log.append(store, batch(1, 2))).isInstanceOf(AppendResult.Admitted.class);
      assertThat(second.append(store, batch(2, 1))).isInstanceOf(AppendResult.ServerAhead.class);
      assertThat(second.append(store, batch(3, 1))).isInstanceOf(AppendResult.Admitted.class);
      assertThat(log.head(store)).isEqualTo(3);
      assertThat(log.backendId(store)).isEqualTo(second.backendId(store));
    }
  }
}
