package dev.filesync.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The event log in one SQLite file, in WAL mode: one write connection, guarded by a lock in this
 * process and by {@code BEGIN IMMEDIATE} against other processes, and a few read connections that
 * WAL lets run beside the writer.
 */
final class SqliteEventLog extends JdbcEventLog {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteEventLog.class);
  private static final int READERS = 4;
  private static final int BUSY_TIMEOUT_MILLIS = 10_000;

  private final Path file;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Connection writer;
  private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

  private SqliteEventLog(Path file, Connection writer) {
    super(Duration.ofSeconds(1));
    this.file = file;
    this.writer = writer;
  }

  static SqliteEventLog open(Path file) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String url = "jdbc:sqlite:" + absolute;
    Connection writer = null;
    SqliteEventLog log = null;
    try {
      writer = config().createConnection(url);
      try (Statement s = writer.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        try {
          s.execute(CREATE_STORES);
          s.execute(CREATE_EVENTS);
          s.execute("COMMIT");
        } catch (SQLException e) {
          s.execute("ROLLBACK");
          throw e;
        }
      }
      log = new SqliteEventLog(absolute, writer);
      for (int i = 0; i < READERS; i++) {
        log.readers.add(config().createConnection(url));
      }
      LOG.debug("opened SQLite event log {}", absolute);
      return log;
    } catch (SQLException e) {
      if (log != null) {
        log.close();
      } else if (writer != null) {
        closeQuietly(writer);
      }
      throw new IOException("cannot open the SQLite event log " + absolute + ": " + e, e);
    }
  }

  private static SQLiteConfig config() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    return config;
  }

  Path file() {
    return file;
  }

  @Override
  <T> T withReadConnection(SqlWork<T> work) throws SQLException {
    Connection c;
    try {
      do {
        if (isClosed()) {
          throw new IllegalStateException("the event log is closed");
        }
        c = readers.poll(100, TimeUnit.MILLISECONDS);
      } while (c == null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a connection", e);
    }
    try {
      return work.run(c);
    } finally {
      readers.add(c);
    }
  }

  @Override
  <T> T inWriteTransaction(SqlWork<T> work) throws SQLException {
    writeLock.lock();
    try {
      if (isClosed()) {
        throw new IllegalStateException("the event log is closed");
      }
      try (Statement s = writer.createStatement()) {
        // IMMEDIATE takes SQLite's write lock now, so the head we read cannot change before
        // COMMIT, also when another process writes the same file.
        s.execute("BEGIN IMMEDIATE");
        T result;
        try {
          result = work.run(writer);
        } catch (SQLException | RuntimeException e) {
          try {
            s.execute("ROLLBACK");
          } catch (SQLException rollback) {
            e.addSuppressed(rollback);
          }
          throw e;
        }
        s.execute("COMMIT");
        return result;
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  String lockStoreSql() {
    return "SELECT backend_id, head FROM fs_stores WHERE store_id = ?";
  }

  @Override
  void closeResources() {
    writeLock.lock();
    try {
      closeQuietly(writer);
    } finally {
      writeLock.unlock();
    }
    // Readers in use are returned to the queue; close what is there now and what comes back.
    for (int closedReaders = 0; closedReaders < READERS; ) {
      Connection c;
      try {
        c = readers.poll(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (c == null) {
        return;
      }
      closeQuietly(c);
      closedReaders++;
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.warn("closing a SQLite connection failed", e);
    }
  }

  @Override
  public String toString() {
    return "sqlite " + file;
  }
}
