package dev.filesync.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log in PostgreSQL, shared safely by several server processes.
 *
 * <p>An append locks the store's row ({@code SELECT ... FOR UPDATE}) in its transaction, so
 * concurrent appends to one store, from any process, are serialized by the database. Each append
 * also sends {@code NOTIFY filesync_events} (delivered on commit); one listener thread per instance
 * receives them through a dedicated connection and wakes local waiters. Waiters also re-read the
 * head every few seconds, so a lost notification (the listener reconnecting) only delays them.
 */
final class PostgresEventLog extends JdbcEventLog {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresEventLog.class);
  static final String CHANNEL = "filesync_events";
  private static final long SCHEMA_LOCK = 0x66696c6573796e63L; // "filesync"

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final HikariDataSource pool;
  private final Thread listener;
  private final CountDownLatch listening = new CountDownLatch(1);

  private PostgresEventLog(
      String jdbcUrl, String user, String password, HikariDataSource pool, Duration recheck) {
    super(recheck);
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.pool = pool;
    this.listener = new Thread(this::listen, "filesync-pg-listener");
    this.listener.setDaemon(true);
  }

  static PostgresEventLog open(String jdbcUrl, String user, String password) throws IOException {
    return open(jdbcUrl, user, password, Duration.ofSeconds(5));
  }

  /**
   * Opens the log; {@code recheck} is how often waiters re-read the head in case a notification was
   * lost (tests make it long to prove that notifications alone wake waiters).
   */
  static PostgresEventLog open(String jdbcUrl, String user, String password, Duration recheck)
      throws IOException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName("filesync-pg");
    config.setMaximumPoolSize(10);
    config.setMinimumIdle(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new IOException("cannot connect to PostgreSQL at " + safeUrl(jdbcUrl) + ": " + e, e);
    }
    PostgresEventLog log = new PostgresEventLog(jdbcUrl, user, password, pool, recheck);
    try {
      log.inWriteTransaction(
          c -> {
            try (Statement s = c.createStatement()) {
              // Two processes creating the tables at once would collide in the catalog.
              s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
              s.execute(CREATE_STORES);
              s.execute(CREATE_EVENTS);
            }
            return null;
          });
    } catch (SQLException e) {
      pool.close();
      throw new IOException("cannot create the event log tables: " + e.getMessage(), e);
    }
    log.listener.start();
    try {
      // Appends made after open() returns must reach this instance's waiters.
      if (!log.listening.await(10, TimeUnit.SECONDS)) {
        LOG.warn("the PostgreSQL listener is not up yet; waiters fall back to re-reading the head");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.close();
      throw new IOException("interrupted while opening the event log", e);
    }
    return log;
  }

  private static String safeUrl(String jdbcUrl) {
    int query = jdbcUrl.indexOf('?');
    return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
  }

  @Override
  <T> T withReadConnection(SqlWork<T> work) throws SQLException {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    }
  }

  @Override
  <T> T inWriteTransaction(SqlWork<T> work) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  @Override
  String lockStoreSql() {
    return "SELECT backend_id, head FROM fs_stores WHERE store_id = ? FOR UPDATE";
  }

  @Override
  void onAppendInTransaction(Connection c, String storeId, long head) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      s.setString(1, CHANNEL);
      s.setString(2, head + " " + storeId);
      s.execute();
    }
  }

  /** The listener loop: (re)connects, LISTENs, and publishes every notification's head. */
  private void listen() {
    long backoffMillis = 100;
    while (!isClosed()) {
      try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        listening.countDown();
        backoffMillis = 100;
        while (!isClosed()) {
          PGNotification[] notifications = pg.getNotifications(250);
          if (notifications == null) {
            continue;
          }
          for (PGNotification n : notifications) {
            String payload = n.getParameter();
            int space = payload.indexOf(' ');
            if (space > 0) {
              try {
                long head = Long.parseLong(payload.substring(0, space));
                signals.publish(payload.substring(space + 1), head);
              } catch (NumberFormatException e) {
                LOG.warn("ignoring a malformed {} notification", CHANNEL);
              }
            }
          }
        }
      } catch (SQLException e) {
        if (isClosed()) {
          return;
        }
        LOG.warn(
            "PostgreSQL listener failed, reconnecting in {} ms: {}", backoffMillis, e.toString());
        try {
          Thread.sleep(backoffMillis); // back-off before reconnecting, not a wait for a condition
        } catch (InterruptedException ie) {
          return;
        }
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }

  @Override
  void closeResources() {
    listener.interrupt();
    try {
      listener.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }

  @Override
  public String toString() {
    return "postgresql " + safeUrl(jdbcUrl);
  }
}
