package dev.filesync.store.internal;

import dev.filesync.store.Event;
import dev.filesync.store.EventDef;
import dev.filesync.store.EventRejectedException;
import dev.filesync.store.FileSyncException;
import dev.filesync.store.GlobalEvent;
import dev.filesync.store.RowMapper;
import dev.filesync.store.SeqNum;
import dev.filesync.store.StateWriter;
import dev.filesync.store.StoreSchema;
import dev.filesync.store.StoredEvent;
import dev.filesync.store.TableDef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * The store's SQLite database: the event log, the undo log, the state tables and the sync
 * bookkeeping, with every operation that changes them as one transaction.
 *
 * <p>Writes go through one connection under {@link #writeLock} (in this process) and {@code BEGIN
 * IMMEDIATE} (across processes); reads use a second connection, which WAL mode lets run beside a
 * writer. Every method that writes returns the names of the tables it changed, for reactive
 * queries.
 *
 * <p>The undo log: each state table gets three triggers that, while {@code __fs_undo_ctx.active} is
 * 1, record the SQL that reverses each row change, tagged with the event being materialized.
 * Rolling back pending events runs that SQL newest first. Confirmed events never roll back, so
 * their undo rows are deleted as soon as they are confirmed.
 */
final class StoreDb implements AutoCloseable {
  static final String META_CLIENT_ID = "client_id";
  static final String META_SCHEMA_HASH = "schema_hash";
  static final String META_STATE_TABLES = "state_tables";
  static final String META_UPSTREAM = "upstream_head";
  static final String META_BACKEND_ID = "backend_id";
  static final String META_REBASE_GEN = "rebase_generation";
  static final String META_MODE = "mode";

  private static final String EVENT_COLUMNS =
      "seq_global, seq_client, rebase_gen, parent_global, parent_client, parent_rebase_gen,"
          + " name, args_json, client_id, session_id, client_only";

  private final Connection writer;
  private final Connection reader;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock readLock = new ReentrantLock();
  private final StoreSchema schema;
  private final String sessionId;
  private final Set<String> changed = new HashSet<>();
  private String clientId;

  StoreDb(Path file, StoreSchema schema, String sessionId) throws SQLException {
    this.schema = schema;
    this.sessionId = sessionId;
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.setBusyTimeout(30_000);
    cfg.enableRecursiveTriggers(true);
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    this.writer = DriverManager.getConnection(url, cfg.toProperties());
    SQLiteConfig rcfg = new SQLiteConfig();
    rcfg.setBusyTimeout(30_000);
    // queries go through the reader: it must not be able to change state outside the log
    rcfg.setReadOnly(true);
    try {
      this.reader = DriverManager.getConnection(url, rcfg.toProperties());
    } catch (SQLException e) {
      writer.close();
      throw e;
    }
    ((SQLiteConnection) writer)
        .addUpdateListener(
            (type, database, table, rowId) -> changed.add(table.toLowerCase(Locale.ROOT)));
  }

  // ---------------------------------------------------------------------------------------------
  // Opening

  /**
   * Creates the system tables, fixes the client id and the store's mode, and rebuilds the state
   * from the log when the schema changed.
   *
   * @param wantedMode the mode to record if the store is new
   * @return the mode the store was created with
   */
  Mode open(String wantedClientId, Mode wantedMode) throws SQLException {
    return write(
        () -> {
          Sql.exec(
              writer,
              "CREATE TABLE IF NOT EXISTS __fs_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
          Sql.exec(
              writer,
              "CREATE TABLE IF NOT EXISTS __fs_eventlog ("
                  + "seq_global INTEGER NOT NULL, seq_client INTEGER NOT NULL, rebase_gen INTEGER NOT NULL,"
                  + " parent_global INTEGER NOT NULL, parent_client INTEGER NOT NULL, parent_rebase_gen INTEGER NOT NULL,"
                  + " name TEXT NOT NULL, args_json TEXT NOT NULL, client_id TEXT NOT NULL, session_id TEXT NOT NULL,"
                  + " client_only INTEGER NOT NULL, materialize_error TEXT,"
                  + " PRIMARY KEY (seq_global, seq_client))");
          Sql.exec(
              writer,
              "CREATE TABLE IF NOT EXISTS __fs_undo (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                  + " seq_global INTEGER NOT NULL, seq_client INTEGER NOT NULL, undo_sql TEXT NOT NULL)");
          Sql.exec(
              writer,
              "CREATE INDEX IF NOT EXISTS __fs_undo_by_event ON __fs_undo (seq_global, seq_client)");
          Sql.exec(
              writer,
              "CREATE TABLE IF NOT EXISTS __fs_undo_ctx (id INTEGER PRIMARY KEY CHECK (id = 1),"
                  + " active INTEGER NOT NULL, seq_global INTEGER NOT NULL, seq_client INTEGER NOT NULL)");
          Sql.exec(writer, "INSERT OR IGNORE INTO __fs_undo_ctx VALUES (1, 0, 0, 0)");
          update("UPDATE __fs_undo_ctx SET active = 0 WHERE id = 1");
          String stored = meta(META_CLIENT_ID);
          if (wantedClientId != null) {
            clientId = wantedClientId;
          } else if (stored != null) {
            clientId = stored;
          } else {
            clientId = "c-" + Ids.randomHex(10);
          }
          if (!clientId.equals(stored)) {
            setMeta(META_CLIENT_ID, clientId);
          }
          if (!schema.hash().equals(meta(META_SCHEMA_HASH))) {
            rebuildState();
          }
          String mode = meta(META_MODE);
          if (mode == null) {
            mode = wantedMode.name();
            setMeta(META_MODE, mode);
          }
          return Mode.valueOf(mode);
        });
  }

  /**
   * Whether the store syncs with a backend. Fixed when the store is created: a local-only store
   * confirms its own events, so it cannot later join a backend's history; a synced store opened
   * without a backend keeps its commits pending for a process that has one.
   */
  enum Mode {
    LOCAL,
    SYNCED
  }

  String clientId() {
    return clientId;
  }

  /** Drops the state tables, creates the schema's, and replays the whole log into them. */
  private void rebuildState() throws SQLException {
    List<String> old = new ArrayList<>();
    String listed = meta(META_STATE_TABLES);
    if (listed != null && !listed.isEmpty()) {
      old.addAll(List.of(listed.split(",")));
    }
    for (TableDef t : schema.tables()) {
      old.add(t.name());
    }
    for (String name : old) {
      for (String suffix : List.of("ins", "upd", "del")) {
        Sql.exec(
            writer, "DROP TRIGGER IF EXISTS " + Sql.quoteIdent("__fs_undo_" + name + "_" + suffix));
      }
      Sql.exec(writer, "DROP TABLE IF EXISTS " + Sql.quoteIdent(name));
    }
    update("DELETE FROM __fs_undo");
    List<String> names = new ArrayList<>();
    for (TableDef t : schema.tables()) {
      for (String stmt : t.createSql().split(";")) {
        if (!stmt.isBlank()) {
          Sql.exec(writer, stmt);
        }
      }
      createUndoTriggers(t.name());
      names.add(t.name());
    }
    setMeta(META_STATE_TABLES, String.join(",", names));
    long upstream = upstreamHead();
    for (StoredEvent e :
        readLog(
            "SELECT " + EVENT_COLUMNS + " FROM __fs_eventlog ORDER BY seq_global, seq_client")) {
      boolean pending = e.seqNum().global() > upstream;
      String error = materializeQuarantined(e, pending);
      update(
          "UPDATE __fs_eventlog SET materialize_error = ? WHERE seq_global = ? AND seq_client = ?",
          error,
          e.seqNum().global(),
          e.seqNum().client());
    }
    setMeta(META_SCHEMA_HASH, schema.hash());
  }

  private void createUndoTriggers(String table) throws SQLException {
    List<String> cols =
        queryWriter(
            "SELECT name FROM pragma_table_info(?) ORDER BY cid", r -> r.getString("name"), table);
    String t = Sql.quoteIdent(table);
    String tLit = sqlLiteral(t);
    String when =
        " WHEN (SELECT active FROM __fs_undo_ctx WHERE id = 1) = 1 BEGIN"
            + " INSERT INTO __fs_undo (seq_global, seq_client, undo_sql) SELECT seq_global, seq_client, ";
    String tail = " FROM __fs_undo_ctx WHERE id = 1; END";
    StringBuilder set = new StringBuilder();
    StringBuilder colList = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (String c : cols) {
      String q = Sql.quoteIdent(c);
      set.append(" || ', ")
          .append(q.replace("'", "''"))
          .append(" = ' || quote(OLD.")
          .append(q)
          .append(")");
      colList.append(", ").append(q);
      values.append(" || ', ' || quote(OLD.").append(q).append(")");
    }
    Sql.exec(
        writer,
        "CREATE TRIGGER "
            + Sql.quoteIdent("__fs_undo_" + table + "_ins")
            + " AFTER INSERT ON "
            + t
            + when
            + "'DELETE FROM ' || "
            + tLit
            + " || ' WHERE rowid = ' || NEW.rowid"
            + tail);
    Sql.exec(
        writer,
        "CREATE TRIGGER "
            + Sql.quoteIdent("__fs_undo_" + table + "_upd")
            + " AFTER UPDATE ON "
            + t
            + when
            + "'UPDATE ' || "
            + tLit
            + " || ' SET rowid = ' || OLD.rowid"
            + set
            + " || ' WHERE rowid = ' || NEW.rowid"
            + tail);
    Sql.exec(
        writer,
        "CREATE TRIGGER "
            + Sql.quoteIdent("__fs_undo_" + table + "_del")
            + " AFTER DELETE ON "
            + t
            + when
            + "'INSERT INTO ' || "
            + tLit
            + " || '(rowid"
            + colList.toString().replace("'", "''")
            + ") VALUES (' || OLD.rowid"
            + values
            + " || ')'"
            + tail);
  }

  private static String sqlLiteral(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  // ---------------------------------------------------------------------------------------------
  // Local commits

  /** The result of a write: what it produced and which tables changed. */
  record Written<T>(T value, Set<String> tables) {}

  /**
   * Commits events on top of the local head. When {@code selfConfirm} (a local-only store) they are
   * confirmed at once.
   */
  Written<SeqNum> commit(List<Event<?>> events, boolean selfConfirm) throws FileSyncException {
    try {
      return writeTracked(
          () -> {
            SeqNum head = localHead();
            for (Event<?> e : events) {
              EventDef<?> def = e.def();
              if (schema.event(def.name()) != def) {
                throw new IllegalArgumentException(
                    "event " + def.name() + " is not in this store's schema");
              }
              SeqNum seq = head.next(def.clientOnly());
              SeqNum parent = seq.parentOf(head);
              String args = encode(e);
              setUndoContext(!selfConfirm, seq);
              // materialize what the log holds (the decoded JSON), not the caller's object: every
              // replica and every replay sees exactly these arguments
              try {
                materialize(def, args);
              } catch (MaterializerSqlException failure) {
                if (failure.environmental()) {
                  throw (SQLException) failure.getCause();
                }
                throw new Rejected(new EventRejectedException(def.name(), failure));
              } catch (RuntimeException failure) {
                throw new Rejected(new EventRejectedException(def.name(), failure));
              }
              insertEvent(
                  new StoredEvent(def.name(), args, seq, parent, clientId, sessionId),
                  def.clientOnly(),
                  null);
              head = seq;
            }
            setUndoContext(false, SeqNum.ROOT);
            if (selfConfirm) {
              setMeta(META_UPSTREAM, Long.toString(head.global()));
            }
            return head;
          });
    } catch (Rejected r) {
      throw r.rejection;
    } catch (SQLException e) {
      throw new FileSyncException("cannot commit to the store database: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <A> String encode(Event<A> e) {
    return e.def().codec().encode(e.args());
  }

  /** Carries a materializer's refusal out of the transaction, which is rolled back. */
  private static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient EventRejectedException rejection;

    Rejected(EventRejectedException rejection) {
      super(rejection.getMessage(), null, false, false);
      this.rejection = rejection;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sync

  /** What applying a pulled page did. */
  enum ApplyOutcome {
    /** Nothing new in the page. */
    NOTHING,
    /** Upstream events were appended or confirmed local ones; no local event moved. */
    ADVANCED,
    /**
     * Local pending events were rolled back, the upstream events applied and the pending
     * re-applied.
     */
    REBASED,
    /** The page did not continue from the upstream head; pull again from it. */
    GAP
  }

  /**
   * Applies pulled events: those that are this client's pending events come back confirmed; the
   * first one that differs starts a rebase (roll back the pending events, apply the upstream ones,
   * re-apply the pending ones renumbered on top, with the next rebase generation).
   */
  Written<ApplyOutcome> applyUpstream(List<GlobalEvent> pulled) throws SQLException {
    return writeTracked(
        () -> {
          long upstream = upstreamHead();
          List<GlobalEvent> incoming = new ArrayList<>();
          for (GlobalEvent g : pulled) {
            if (g.seqNum() > upstream) {
              incoming.add(g);
            }
          }
          if (incoming.isEmpty()) {
            return ApplyOutcome.NOTHING;
          }
          long expected = upstream;
          for (GlobalEvent g : incoming) {
            if (g.parentSeqNum() != expected || g.seqNum() != expected + 1) {
              return ApplyOutcome.GAP;
            }
            expected = g.seqNum();
          }
          List<StoredEvent> pendingSynced =
              readLog(
                  "SELECT "
                      + EVENT_COLUMNS
                      + " FROM __fs_eventlog WHERE client_only = 0 AND seq_global > ?"
                      + " ORDER BY seq_global LIMIT ?",
                  upstream,
                  incoming.size()); // only as many as can match: the rest may be thousands
          int matched = 0;
          while (matched < incoming.size()
              && matched < pendingSynced.size()
              && sameEvent(incoming.get(matched), pendingSynced.get(matched))) {
            matched++;
          }
          if (matched > 0) {
            upstream = incoming.get(matched - 1).seqNum();
            confirmUpTo(upstream);
          }
          if (matched == incoming.size()) {
            return ApplyOutcome.ADVANCED;
          }
          List<StoredEvent> rolledBack = rollbackAfter(upstream);
          int gen = rebaseGeneration();
          for (GlobalEvent g : incoming.subList(matched, incoming.size())) {
            StoredEvent e =
                new StoredEvent(
                    g.name(),
                    g.argsJson(),
                    new SeqNum(g.seqNum(), 0, gen),
                    new SeqNum(g.parentSeqNum(), 0, gen),
                    g.clientId(),
                    g.sessionId());
            insertEvent(e, false, materializeQuarantined(e, false));
          }
          upstream = incoming.get(incoming.size() - 1).seqNum();
          setMeta(META_UPSTREAM, Long.toString(upstream));
          if (rolledBack.isEmpty()) {
            return ApplyOutcome.ADVANCED;
          }
          gen++;
          setMeta(META_REBASE_GEN, Integer.toString(gen));
          reapply(rolledBack, new SeqNum(upstream, 0, gen));
          return ApplyOutcome.REBASED;
        });
  }

  /**
   * Marks a pushed batch confirmed when the backend admitted it and nothing moved meanwhile (the
   * upstream head is still the batch's parent).
   */
  Written<Boolean> confirmPushed(List<GlobalEvent> batch) throws SQLException {
    return writeTracked(
        () -> {
          if (batch.isEmpty() || upstreamHead() != batch.get(0).parentSeqNum()) {
            return false;
          }
          long last = batch.get(batch.size() - 1).seqNum();
          List<StoredEvent> current =
              readLog(
                  "SELECT "
                      + EVENT_COLUMNS
                      + " FROM __fs_eventlog WHERE client_only = 0 AND seq_global > ? AND seq_global <= ? ORDER BY seq_global",
                  batch.get(0).parentSeqNum(),
                  last);
          if (current.size() != batch.size()) {
            return false;
          }
          for (int i = 0; i < batch.size(); i++) {
            if (!sameEvent(batch.get(i), current.get(i))) {
              return false;
            }
          }
          confirmUpTo(last);
          return true;
        });
  }

  /**
   * Adopts a new backend: drops the confirmed synced events and the state, keeps every client-only
   * event and every pending synced event, and re-applies them, renumbered from the root.
   */
  Written<Integer> resetToBackend(String newBackendId) throws SQLException {
    return writeTracked(
        () -> {
          long upstream = upstreamHead();
          List<StoredEvent> kept =
              readLog(
                  "SELECT "
                      + EVENT_COLUMNS
                      + " FROM __fs_eventlog WHERE client_only = 1 OR seq_global > ? ORDER BY seq_global, seq_client",
                  upstream);
          update("DELETE FROM __fs_eventlog");
          update("DELETE FROM __fs_undo");
          setUndoContext(false, SeqNum.ROOT);
          for (TableDef t : schema.tables()) {
            update("DELETE FROM " + Sql.quoteIdent(t.name()));
          }
          setMeta(META_UPSTREAM, "0");
          setMeta(META_BACKEND_ID, newBackendId);
          int gen = rebaseGeneration() + 1;
          setMeta(META_REBASE_GEN, Integer.toString(gen));
          reapply(kept, new SeqNum(0, 0, gen));
          return kept.size();
        });
  }

  /** Records the backend id seen on first contact. */
  void setBackendId(String backendId) throws SQLException {
    write(
        () -> {
          setMeta(META_BACKEND_ID, backendId);
          return null;
        });
  }

  /**
   * The oldest pending synced events, at most {@code limit}, as they go on the wire, with the
   * backend id they were numbered for; both from one snapshot, so a reset in between cannot pair
   * old numbers with a new backend.
   */
  PendingBatch pendingBatch(int limit) throws SQLException {
    return readSnapshot(
        () -> {
          long upstream = Long.parseLong(metaOn(reader, META_UPSTREAM, "0"));
          List<GlobalEvent> out = new ArrayList<>();
          for (StoredEvent e :
              readLogOn(
                  reader,
                  "SELECT "
                      + EVENT_COLUMNS
                      + " FROM __fs_eventlog WHERE client_only = 0 AND seq_global > ?"
                      + " ORDER BY seq_global LIMIT ?",
                  upstream,
                  limit)) {
            out.add(
                new GlobalEvent(
                    e.name(),
                    e.argsJson(),
                    e.seqNum().global(),
                    e.seqNum().global() - 1,
                    e.clientId(),
                    e.sessionId()));
          }
          return new PendingBatch(out, metaOn(reader, META_BACKEND_ID, null));
        });
  }

  /** Pending events to push and the backend id they belong to. */
  record PendingBatch(List<GlobalEvent> events, String backendId) {}

  /** The upstream head, read on the read connection (no lock on the writer needed). */
  long readUpstreamHead() throws SQLException {
    return read(() -> Long.parseLong(metaOn(reader, META_UPSTREAM, "0")));
  }

  private void confirmUpTo(long upstream) throws SQLException {
    setMeta(META_UPSTREAM, Long.toString(upstream));
    update("DELETE FROM __fs_undo WHERE seq_global <= ?", upstream);
  }

  /** Undoes every event after {@code upstream}, newest first, and removes them from the log. */
  private List<StoredEvent> rollbackAfter(long upstream) throws SQLException {
    List<StoredEvent> events =
        readLog(
            "SELECT "
                + EVENT_COLUMNS
                + " FROM __fs_eventlog WHERE seq_global > ? ORDER BY seq_global, seq_client",
            upstream);
    if (events.isEmpty()) {
      return events;
    }
    setUndoContext(false, SeqNum.ROOT);
    List<String> undo =
        queryWriter(
            "SELECT undo_sql FROM __fs_undo WHERE seq_global > ? ORDER BY id DESC",
            r -> r.getString("undo_sql"),
            upstream);
    for (String stmt : undo) {
      Sql.exec(writer, stmt);
    }
    update("DELETE FROM __fs_undo WHERE seq_global > ?", upstream);
    update("DELETE FROM __fs_eventlog WHERE seq_global > ?", upstream);
    return events;
  }

  /** Applies events again in order on top of {@code head}, renumbered, recording their undo. */
  private void reapply(List<StoredEvent> events, SeqNum head) throws SQLException {
    long upstream = upstreamHead();
    for (StoredEvent old : events) {
      boolean clientOnly = old.seqNum().isClientOnly();
      SeqNum seq = head.next(clientOnly);
      StoredEvent e =
          new StoredEvent(
              old.name(), old.argsJson(), seq, seq.parentOf(head), old.clientId(), old.sessionId());
      insertEvent(e, clientOnly, materializeQuarantined(e, seq.global() > upstream));
      head = seq;
    }
    setUndoContext(false, SeqNum.ROOT);
  }

  private static boolean sameEvent(GlobalEvent g, StoredEvent e) {
    return g.seqNum() == e.seqNum().global()
        && g.name().equals(e.name())
        && g.clientId().equals(e.clientId())
        && g.sessionId().equals(e.sessionId())
        && Json.sameJson(g.argsJson(), e.argsJson());
  }

  // ---------------------------------------------------------------------------------------------
  // Materializing

  private void materialize(EventDef<?> def, String argsJson) {
    materializeTyped(def, argsJson);
  }

  private <A> void materializeTyped(EventDef<A> def, String argsJson) {
    A args = def.codec().decode(argsJson);
    def.materializer().materialize(args, stateWriter);
  }

  /**
   * Materializes a logged event inside a savepoint; a failure (or an event this schema does not
   * know) leaves the state as it was and is returned as text, so that every replica skips the same
   * events and converges.
   */
  private String materializeQuarantined(StoredEvent e, boolean recordUndo) throws SQLException {
    EventDef<?> def = schema.event(e.name());
    if (def == null) {
      return "unknown event " + e.name();
    }
    setUndoContext(recordUndo, e.seqNum());
    Sql.exec(writer, "SAVEPOINT fs_event");
    try {
      materialize(def, e.argsJson());
      Sql.exec(writer, "RELEASE fs_event");
      return null;
    } catch (RuntimeException failure) {
      if (failure instanceof MaterializerSqlException m && m.environmental()) {
        // the disk, not the event: fail the whole transaction (it is retried), skip nothing
        throw (SQLException) m.getCause();
      }
      Sql.exec(writer, "ROLLBACK TO fs_event");
      Sql.exec(writer, "RELEASE fs_event");
      String msg = failure.getMessage();
      return failure.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    } finally {
      setUndoContext(false, SeqNum.ROOT);
    }
  }

  private final StateWriter stateWriter =
      new StateWriter() {
        @Override
        public int execute(String sql, Object... params) {
          try {
            return update(sql, params);
          } catch (SQLException e) {
            throw new MaterializerSqlException(e);
          }
        }

        @Override
        public <R> List<R> query(String sql, RowMapper<R> mapper, Object... params) {
          try {
            return queryWriter(sql, mapper, params);
          } catch (SQLException e) {
            throw new MaterializerSqlException(e);
          }
        }
      };

  /** A materializer's SQL failed; the SQLException says whether it was the event or the disk. */
  static final class MaterializerSqlException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    MaterializerSqlException(SQLException cause) {
      super(cause.getMessage(), cause);
    }

    /**
     * Whether the failure is the environment's (disk full, I/O error, database busy or corrupt)
     * rather than the event's (a constraint, a type mismatch, bad SQL).
     */
    boolean environmental() {
      int primary = ((SQLException) getCause()).getErrorCode() & 0xff;
      return switch (primary) {
        case 5, 6, 7, 8, 10, 11, 13, 14, 26 ->
            true; // BUSY LOCKED NOMEM READONLY IOERR CORRUPT FULL CANTOPEN NOTADB
        default -> false;
      };
    }
  }

  private void setUndoContext(boolean active, SeqNum seq) throws SQLException {
    update(
        "UPDATE __fs_undo_ctx SET active = ?, seq_global = ?, seq_client = ? WHERE id = 1",
        active ? 1 : 0,
        seq.global(),
        seq.client());
  }

  private void insertEvent(StoredEvent e, boolean clientOnly, String materializeError)
      throws SQLException {
    update(
        "INSERT INTO __fs_eventlog ("
            + EVENT_COLUMNS
            + ", materialize_error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.seqNum().global(),
        e.seqNum().client(),
        e.seqNum().rebaseGeneration(),
        e.parentSeqNum().global(),
        e.parentSeqNum().client(),
        e.parentSeqNum().rebaseGeneration(),
        e.name(),
        e.argsJson(),
        e.clientId(),
        e.sessionId(),
        clientOnly ? 1 : 0,
        materializeError);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  /** The newest event of the log, or the root with the current rebase generation. */
  SeqNum localHead() throws SQLException {
    List<SeqNum> r =
        queryWriter(
            "SELECT seq_global, seq_client, rebase_gen FROM __fs_eventlog"
                + " ORDER BY seq_global DESC, seq_client DESC LIMIT 1",
            row ->
                new SeqNum(
                    row.getLong("seq_global"), row.getInt("seq_client"), row.getInt("rebase_gen")));
    int gen = rebaseGeneration();
    return r.isEmpty() ? new SeqNum(0, 0, gen) : r.get(0).withRebaseGeneration(gen);
  }

  long upstreamHead() throws SQLException {
    return Long.parseLong(metaOr(META_UPSTREAM, "0"));
  }

  private int rebaseGeneration() throws SQLException {
    return Integer.parseInt(metaOr(META_REBASE_GEN, "0"));
  }

  /** A consistent snapshot of the sync bookkeeping, from the read connection. */
  record Snapshot(SeqNum localHead, long upstreamHead, int pendingEvents, String backendId) {}

  Snapshot snapshot() throws SQLException {
    return readSnapshot(
        () -> {
          long upstream = Long.parseLong(metaOn(reader, META_UPSTREAM, "0"));
          int gen = Integer.parseInt(metaOn(reader, META_REBASE_GEN, "0"));
          List<SeqNum> head =
              Sql.query(
                  reader,
                  "SELECT seq_global, seq_client FROM __fs_eventlog"
                      + " ORDER BY seq_global DESC, seq_client DESC LIMIT 1",
                  row -> new SeqNum(row.getLong("seq_global"), row.getInt("seq_client"), gen));
          long pending =
              Sql.scalar(
                  reader,
                  "SELECT count(*) FROM __fs_eventlog WHERE client_only = 0 AND seq_global > ?",
                  upstream);
          String backendId = metaOn(reader, META_BACKEND_ID, null);
          return new Snapshot(
              head.isEmpty() ? new SeqNum(0, 0, gen) : head.get(0),
              upstream,
              (int) pending,
              backendId);
        });
  }

  String backendId() throws SQLException {
    return read(() -> metaOn(reader, META_BACKEND_ID, null));
  }

  /**
   * Confirmed events after {@code after}, filtered by name (all when empty), at most {@code limit}.
   */
  List<StoredEvent> confirmedEvents(SeqNum after, Set<String> names, int limit)
      throws SQLException {
    return readSnapshot(
        () -> {
          long upstream = Long.parseLong(metaOn(reader, META_UPSTREAM, "0"));
          StringBuilder sql =
              new StringBuilder(
                  "SELECT "
                      + EVENT_COLUMNS
                      + " FROM __fs_eventlog WHERE client_only = 0 AND seq_global > ? AND seq_global <= ?");
          List<Object> params = new ArrayList<>(List.of(after.global(), upstream));
          if (!names.isEmpty()) {
            sql.append(" AND name IN (")
                .append(String.join(",", java.util.Collections.nCopies(names.size(), "?")))
                .append(")");
            params.addAll(names);
          }
          sql.append(" ORDER BY seq_global LIMIT ?");
          params.add(limit);
          return readLogOn(reader, sql.toString(), params.toArray());
        });
  }

  /** Every event of the log in order (for tests and tools). */
  List<StoredEvent> allEvents() throws SQLException {
    return read(
        () ->
            readLogOn(
                reader,
                "SELECT " + EVENT_COLUMNS + " FROM __fs_eventlog ORDER BY seq_global, seq_client"));
  }

  /** Runs a query on the read connection. */
  <R> List<R> query(String sql, RowMapper<R> mapper, Object... params) throws SQLException {
    return read(() -> Sql.query(reader, sql, mapper, params));
  }

  /**
   * The tables a query reads, from SQLite's query plan ({@code OpenRead} root pages), or an empty
   * set when the plan names none.
   */
  Set<String> tablesRead(String sql, Object... params) throws SQLException {
    return read(
        () -> {
          Set<Long> roots = new HashSet<>();
          try (PreparedStatement ps = reader.prepareStatement("EXPLAIN " + sql)) {
            Sql.bind(ps, params);
            try (var rs = ps.executeQuery()) {
              while (rs.next()) {
                if ("OpenRead".equals(rs.getString("opcode")) && rs.getInt("p3") == 0) {
                  roots.add(rs.getLong("p2"));
                }
              }
            }
          }
          Set<String> tables = new HashSet<>();
          for (var entry :
              Sql.query(
                  reader,
                  "SELECT rootpage, tbl_name FROM sqlite_master WHERE rootpage > 0",
                  r -> new Object[] {r.getLong("rootpage"), r.getString("tbl_name")})) {
            if (roots.contains((Long) entry[0])) {
              tables.add(((String) entry[1]).toLowerCase(Locale.ROOT));
            }
          }
          return tables;
        });
  }

  /**
   * SQLite's {@code data_version} on the write connection: it moves when another connection
   * commits.
   */
  long externalDataVersion() throws SQLException {
    writeLock.lock();
    try {
      return Sql.scalar(writer, "PRAGMA data_version");
    } finally {
      writeLock.unlock();
    }
  }

  private List<StoredEvent> readLog(String sql, Object... params) throws SQLException {
    return readLogOn(writer, sql, params);
  }

  private static List<StoredEvent> readLogOn(Connection c, String sql, Object... params)
      throws SQLException {
    return Sql.query(
        c,
        sql,
        row -> {
          int gen = row.getInt("rebase_gen");
          return new StoredEvent(
              row.getString("name"),
              row.getString("args_json"),
              new SeqNum(row.getLong("seq_global"), row.getInt("seq_client"), gen),
              new SeqNum(
                  row.getLong("parent_global"),
                  row.getInt("parent_client"),
                  row.getInt("parent_rebase_gen")),
              row.getString("client_id"),
              row.getString("session_id"));
        },
        params);
  }

  // ---------------------------------------------------------------------------------------------
  // Meta and transactions

  /**
   * Prepared statements of the write connection, by SQL text, least recently used evicted: the
   * store's own statements and the materializers' run once per event, so preparing them each time
   * would dominate a commit.
   */
  private final Map<String, PreparedStatement> statements =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
          if (size() <= 128) {
            return false;
          }
          try {
            eldest.getValue().close();
          } catch (SQLException ignored) {
            // a statement that cannot close is dropped all the same
          }
          return true;
        }
      };

  private PreparedStatement prepared(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = writer.prepareStatement(sql);
      statements.put(sql, ps);
    } else {
      ps.clearParameters();
    }
    return ps;
  }

  private int update(String sql, Object... params) throws SQLException {
    PreparedStatement ps = prepared(sql);
    Sql.bind(ps, params);
    return ps.executeUpdate();
  }

  private <R> List<R> queryWriter(String sql, RowMapper<R> mapper, Object... params)
      throws SQLException {
    PreparedStatement ps = prepared(sql);
    Sql.bind(ps, params);
    return Sql.mapAll(ps, mapper);
  }

  private String meta(String key) throws SQLException {
    return metaOn(writer, key, null);
  }

  private String metaOr(String key, String dflt) throws SQLException {
    return metaOn(writer, key, dflt);
  }

  private static String metaOn(Connection c, String key, String dflt) throws SQLException {
    List<String> r =
        Sql.query(
            c, "SELECT value FROM __fs_meta WHERE key = ?", row -> row.getString("value"), key);
    return r.isEmpty() ? dflt : r.get(0);
  }

  private void setMeta(String key, String value) throws SQLException {
    update(
        "INSERT INTO __fs_meta (key, value) VALUES (?, ?)"
            + " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value);
  }

  @FunctionalInterface
  interface SqlWork<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction, rolled back on any failure. */
  private <T> T write(SqlWork<T> work) throws SQLException {
    return writeTracked(work).value();
  }

  private <T> Written<T> writeTracked(SqlWork<T> work) throws SQLException {
    writeLock.lock();
    try {
      changed.clear();
      // Transactions are driven by hand, with the connection left in autocommit mode: the driver's
      // own setAutoCommit(false) marks the connection transactional before BEGIN runs, so a BEGIN
      // that fails with SQLITE_BUSY would leave it running statements outside any transaction.
      Sql.exec(writer, "BEGIN IMMEDIATE");
      boolean committed = false;
      try {
        T value = work.run();
        Sql.exec(writer, "COMMIT");
        committed = true;
        Set<String> tables = new HashSet<>(changed);
        tables.removeIf(t -> t.startsWith("__fs_"));
        return new Written<>(value, Set.copyOf(tables));
      } finally {
        if (!committed) {
          try {
            Sql.exec(writer, "ROLLBACK");
          } catch (SQLException ignored) {
            // the original failure is the one worth reporting
          }
        }
        changed.clear();
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Runs {@code work} on the read connection inside one read transaction (one snapshot). */
  private <T> T readSnapshot(SqlWork<T> work) throws SQLException {
    return read(
        () -> {
          Sql.exec(reader, "BEGIN");
          try {
            return work.run();
          } finally {
            Sql.exec(reader, "COMMIT");
          }
        });
  }

  private <T> T read(SqlWork<T> work) throws SQLException {
    readLock.lock();
    try {
      return work.run();
    } finally {
      readLock.unlock();
    }
  }

  @Override
  public void close() throws SQLException {
    writeLock.lock();
    readLock.lock();
    try {
      try {
        for (PreparedStatement ps : statements.values()) {
          ps.close();
        }
        statements.clear();
        reader.close();
      } finally {
        writer.close();
      }
    } finally {
      readLock.unlock();
      writeLock.unlock();
    }
  }
}
