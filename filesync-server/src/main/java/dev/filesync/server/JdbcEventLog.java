package dev.filesync.server;

import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The SQL shared by the SQLite and PostgreSQL event logs. Two tables: {@code fs_stores} (one row
 * per store: backend id and head, the row that serializes appends) and {@code fs_events}.
 *
 * <p>Subclasses say how to get a read connection and how to run a write transaction that holds the
 * store's write lock.
 */
abstract class JdbcEventLog implements EventLog {

  static final String CREATE_STORES =
      "CREATE TABLE IF NOT EXISTS fs_stores ("
          + "store_id TEXT PRIMARY KEY, "
          + "backend_id TEXT NOT NULL, "
          + "head BIGINT NOT NULL, "
          + "created_at TEXT NOT NULL)";
  static final String CREATE_EVENTS =
      "CREATE TABLE IF NOT EXISTS fs_events ("
          + "store_id TEXT NOT NULL, "
          + "seq_num BIGINT NOT NULL, "
          + "parent_seq_num BIGINT NOT NULL, "
          + "name TEXT NOT NULL, "
          + "args TEXT NOT NULL, "
          + "client_id TEXT NOT NULL, "
          + "session_id TEXT NOT NULL, "
          + "created_at TEXT NOT NULL, "
          + "PRIMARY KEY (store_id, seq_num))";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A unit of JDBC work. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** The store row, read with the store's write lock held. */
  record StoreRow(String backendId, long head) {}

  final StoreSignals signals = new StoreSignals();
  private final ConcurrentMap<String, String> backendIds = new ConcurrentHashMap<>();
  private final long recheckNanos;
  private volatile boolean closed;

  /**
   * @param recheck how often a waiter re-reads the head from the database, to see appends that no
   *     notification reported
   */
  JdbcEventLog(Duration recheck) {
    this.recheckNanos = recheck.toNanos();
  }

  /** Runs read-only work on a connection in auto-commit mode. */
  abstract <T> T withReadConnection(SqlWork<T> work) throws SQLException;

  /**
   * Runs work in one write transaction, committing if it returns and rolling back if it throws. The
   * transaction must be one that {@link #lockStore} can serialize per store.
   */
  abstract <T> T inWriteTransaction(SqlWork<T> work) throws SQLException;

  /** The statement that reads the store row and takes its write lock. */
  abstract String lockStoreSql();

  /** Called inside the append transaction, after the events are inserted. */
  void onAppendInTransaction(Connection connection, String storeId, long head)
      throws SQLException {}

  /** Closes connections and threads of the subclass. */
  abstract void closeResources();

  final boolean isClosed() {
    return closed;
  }

  @Override
  public final String backendId(String storeId) throws IOException {
    checkOpen();
    Objects.requireNonNull(storeId, "storeId");
    String cached = backendIds.get(storeId);
    if (cached != null) {
      return cached;
    }
    try {
      String found =
          withReadConnection(
              c -> {
                try (PreparedStatement s =
                    c.prepareStatement("SELECT backend_id FROM fs_stores WHERE store_id = ?")) {
                  s.setString(1, storeId);
                  try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                  }
                }
              });
      if (found == null) {
        found = inWriteTransaction(c -> lockStore(c, storeId).backendId());
      }
      backendIds.putIfAbsent(storeId, found);
      return found;
    } catch (SQLException e) {
      throw failure("reading the backend id", e);
    }
  }

  @Override
  public final long head(String storeId) throws IOException {
    checkOpen();
    Objects.requireNonNull(storeId, "storeId");
    try {
      return withReadConnection(c -> readHead(c, storeId));
    } catch (SQLException e) {
      throw failure("reading the head", e);
    }
  }

  private static long readHead(Connection c, String storeId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT head FROM fs_stores WHERE store_id = ?")) {
      s.setString(1, storeId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  @Override
  public final AppendResult append(String storeId, List<LogEvent> batch) throws IOException {
    checkOpen();
    Objects.requireNonNull(storeId, "storeId");
    checkContiguous(batch);
    AppendResult result;
    try {
      result =
          inWriteTransaction(
              c -> {
                StoreRow row = lockStore(c, storeId);
                if (row.head() != batch.get(0).parentSeqNum()) {
                  return new AppendResult.ServerAhead(row.head(), row.backendId());
                }
                String now = Instant.now().toString();
                try (PreparedStatement s =
                    c.prepareStatement(
                        "INSERT INTO fs_events (store_id, seq_num, parent_seq_num, name, args,"
                            + " client_id, session_id, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                  for (LogEvent e : batch) {
                    s.setString(1, storeId);
                    s.setLong(2, e.seqNum());
                    s.setLong(3, e.parentSeqNum());
                    s.setString(4, e.name());
                    s.setString(5, e.argsJson());
                    s.setString(6, e.clientId());
                    s.setString(7, e.sessionId());
                    s.setString(8, now);
                    s.addBatch();
                  }
                  s.executeBatch();
                }
                long head = batch.get(batch.size() - 1).seqNum();
                try (PreparedStatement s =
                    c.prepareStatement("UPDATE fs_stores SET head = ? WHERE store_id = ?")) {
                  s.setLong(1, head);
                  s.setString(2, storeId);
                  s.executeUpdate();
                }
                onAppendInTransaction(c, storeId, head);
                return new AppendResult.Admitted(head, row.backendId());
              });
    } catch (SQLException e) {
      throw failure("appending", e);
    }
    backendIds.putIfAbsent(storeId, result.backendId());
    if (result instanceof AppendResult.Admitted) {
      signals.publish(storeId, result.head());
    }
    return result;
  }

  private static void checkContiguous(List<LogEvent> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("batch is empty");
    }
    for (int i = 1; i < batch.size(); i++) {
      if (batch.get(i).parentSeqNum() != batch.get(i - 1).seqNum()) {
        throw new IllegalArgumentException(
            "batch is not contiguous at index " + i + ": " + batch.get(i).parentSeqNum());
      }
    }
  }

  /** Creates the store row if missing and reads it with the store's write lock held. */
  final StoreRow lockStore(Connection c, String storeId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO fs_stores (store_id, backend_id, head, created_at) VALUES (?, ?, 0, ?)"
                + " ON CONFLICT (store_id) DO NOTHING")) {
      s.setString(1, storeId);
      s.setString(2, newBackendId());
      s.setString(3, Instant.now().toString());
      s.executeUpdate();
    }
    try (PreparedStatement s = c.prepareStatement(lockStoreSql())) {
      s.setString(1, storeId);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("store row vanished: " + storeId);
        }
        return new StoreRow(rs.getString(1), rs.getLong(2));
      }
    }
  }

  static String newBackendId() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return "b-" + HexFormat.of().formatHex(bytes);
  }

  @Override
  public final List<LogEvent> read(String storeId, long after, int limit) throws IOException {
    checkOpen();
    Objects.requireNonNull(storeId, "storeId");
    if (after < 0) {
      throw new IllegalArgumentException("after must be >= 0: " + after);
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    try {
      return withReadConnection(
          c -> {
            try (PreparedStatement s =
                c.prepareStatement(
                    "SELECT name, args, seq_num, parent_seq_num, client_id, session_id"
                        + " FROM fs_events WHERE store_id = ? AND seq_num > ?"
                        + " ORDER BY seq_num LIMIT ?")) {
              s.setString(1, storeId);
              s.setLong(2, after);
              s.setInt(3, limit);
              List<LogEvent> events = new ArrayList<>();
              try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                  events.add(
                      new LogEvent(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getLong(3),
                          rs.getLong(4),
                          rs.getString(5),
                          rs.getString(6)));
                }
              }
              return List.copyOf(events);
            }
          });
    } catch (SQLException e) {
      throw failure("reading events", e);
    }
  }

  @Override
  public final boolean awaitAfter(String storeId, long after, Duration timeout)
      throws IOException, InterruptedException {
    checkOpen();
    Objects.requireNonNull(storeId, "storeId");
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    while (true) {
      if (head(storeId) > after) {
        return true;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0 || closed) {
        return false;
      }
      if (signals.await(storeId, after, Math.min(remaining, recheckNanos))) {
        return true;
      }
      if (closed) {
        return false;
      }
    }
  }

  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    signals.close();
    closeResources();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the event log is closed");
    }
  }

  private static IOException failure(String what, SQLException e) {
    return new IOException("event log failed " + what + ": " + e.getMessage(), e);
  }
}
