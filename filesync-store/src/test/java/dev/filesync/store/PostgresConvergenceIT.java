package dev.filesync.store;

import dev.filesync.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Convergence through a server whose event log is a real PostgreSQL. */
class PostgresConvergenceIT extends ConvergenceContract {
  private static EmbeddedPostgres pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = EmbeddedPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  ServerConfig.Builder serverConfig(Path dataDirectory, String storeIdSalt) {
    return ServerConfig.builder()
        .dataDirectory(dataDirectory)
        .postgres(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres")
        .token(TOKEN, List.of("*"));
  }
}
