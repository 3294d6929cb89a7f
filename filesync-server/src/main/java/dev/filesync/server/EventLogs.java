package dev.filesync.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens {@link EventLog}s. Opening creates the tables if they are missing (idempotent), so a new
 * file or an empty database is ready at once.
 *
 * {@snippet :
 * try (EventLog log = EventLogs.sqlite(Path.of("filesync-data/sync.db"))) {
 *   String backendId = log.backendId("user-42/main");
 *   long head = log.head("user-42/main");
 * }
 * }
 */
public final class EventLogs {

  private EventLogs() {}

  /**
   * Opens (creating if needed) an event log in a SQLite file, in WAL mode with a busy timeout.
   * Waiters see appends of this instance at once and appends of other processes sharing the file
   * within about a second (they re-read the head).
   *
   * @param file the database file; its parent directories are created
   * @return the open event log; the caller closes it
   * @throws IOException if the file cannot be opened or initialized
   */
  public static EventLog sqlite(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    return SqliteEventLog.open(file);
  }

  /**
   * Opens an event log in a PostgreSQL database through a HikariCP pool (at most 10 connections)
   * plus one listener connection. Several server processes may open the same database: appends are
   * serialized per store by a row lock, and waiters are woken across processes by {@code
   * LISTEN/NOTIFY} (with a re-read of the head every 5 seconds as a fallback).
   *
   * @param jdbcUrl for example {@code jdbc:postgresql://127.0.0.1:5432/filesync}
   * @param user the database user, or {@code null} to take it from the URL
   * @param password the password, or {@code null}
   * @return the open event log; the caller closes it
   * @throws IOException if the database cannot be reached or initialized
   */
  public static EventLog postgres(String jdbcUrl, String user, String password) throws IOException {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "not a PostgreSQL JDBC URL (must start with jdbc:postgresql:): "
              + jdbcUrl.substring(0, Math.min(jdbcUrl.length(), 16)));
    }
    return PostgresEventLog.open(jdbcUrl, user, password);
  }
}
