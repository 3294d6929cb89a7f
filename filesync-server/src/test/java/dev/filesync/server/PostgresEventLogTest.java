package dev.filesync.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The event log contract on a real PostgreSQL, started once for the class. Tests use distinct store
 * ids, so they share the database.
 */
class PostgresEventLogTest extends EventLogContractTest {

  static EmbeddedPostgres postgres;
  static String url;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
    url = postgres.getJdbcUrl("postgres", "postgres");
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  EventLog openLog() throws IOException {
    return EventLogs.postgres(url, "postgres", null);
  }
}
