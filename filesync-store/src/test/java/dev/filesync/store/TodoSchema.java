package dev.filesync.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An application schema for the store's tests: to-dos (text that can be renamed and deleted), a
 * counter mixed by an operation that does not commute (so any difference in event order shows in
 * the state), and a client-only table.
 */
public final class TodoSchema {
  private TodoSchema() {}

  /** Added to-do. */
  public record TodoAdded(String id, String text, Instant createdAt) {}

  /** Renamed to-do. */
  public record TodoRenamed(String id, String text) {}

  /** Deleted to-do. */
  public record TodoDeleted(String id) {}

  /** Counter mixed with {@code x}: {@code value = (value * 31 + x) mod 1000003}. */
  public record CounterMixed(long x) {}

  /** A client-only UI setting. */
  public record UiSet(String key, String value) {}

  public static final EventDef<TodoAdded> TODO_ADDED =
      EventDef.synced(
          "v1.TodoAdded",
          ArgsCodec.forRecord(TodoAdded.class),
          (a, db) ->
              db.execute(
                  "INSERT INTO todos (id, text, createdAt) VALUES (?, ?, ?)",
                  a.id(),
                  a.text(),
                  a.createdAt()));

  public static final EventDef<TodoRenamed> TODO_RENAMED =
      EventDef.synced(
          "v1.TodoRenamed",
          ArgsCodec.forRecord(TodoRenamed.class),
          (a, db) ->
              db.execute(
                  "UPDATE todos SET text = ?, renames = renames + 1 WHERE id = ?",
                  a.text(),
                  a.id()));

  public static final EventDef<TodoDeleted> TODO_DELETED =
      EventDef.synced(
          "v1.TodoDeleted",
          ArgsCodec.forRecord(TodoDeleted.class),
          (a, db) -> db.execute("DELETE FROM todos WHERE id = ?", a.id()));

  public static final EventDef<CounterMixed> COUNTER_MIXED =
      EventDef.synced(
          "v1.CounterMixed",
          ArgsCodec.forRecord(CounterMixed.class),
          (a, db) ->
              db.execute(
                  "INSERT INTO counter (id, value, mixes) VALUES (1, ?, 1) ON CONFLICT (id) DO UPDATE"
                      + " SET value = (value * 31 + ?) % 1000003, mixes = mixes + 1",
                  a.x() % 1000003, a.x()));

  public static final EventDef<UiSet> UI_SET =
      EventDef.clientOnly(
          "v1.UiSet",
          ArgsCodec.forRecord(UiSet.class),
          (a, db) ->
              db.execute(
                  "INSERT OR REPLACE INTO ui (key, value) VALUES (?, ?)", a.key(), a.value()));

  public static final StoreSchema SCHEMA =
      StoreSchema.builder()
          .table(
              TableDef.of(
                  "todos",
                  "CREATE TABLE todos (id TEXT PRIMARY KEY, text TEXT NOT NULL, createdAt INTEGER NOT NULL,"
                      + " renames INTEGER NOT NULL DEFAULT 0)"))
          .table(
              TableDef.of(
                  "counter",
                  "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL, mixes INTEGER NOT NULL)"))
          .table(TableDef.of("ui", "CREATE TABLE ui (key TEXT PRIMARY KEY, value TEXT)"))
          .event(TODO_ADDED)
          .event(TODO_RENAMED)
          .event(TODO_DELETED)
          .event(COUNTER_MIXED)
          .event(UI_SET)
          .build();

  /** A to-do row. */
  public record Todo(String id, String text, int renames) {}

  public static final Query<List<Todo>> ALL_TODOS =
      Query.list(
          "SELECT id, text, renames FROM todos ORDER BY id",
          r -> new Todo(r.getString("id"), r.getString("text"), r.getInt("renames")));

  public static final Query<Long> COUNTER = Query.scalar("SELECT value FROM counter WHERE id = 1");

  /** The synced part of the state (to-dos and counter), for comparing replicas. */
  public static Map<String, Object> syncedState(Store store) {
    Map<String, Object> m = new TreeMap<>();
    m.put("todos", store.query(ALL_TODOS));
    m.put(
        "counter",
        store.query(
            Query.list(
                "SELECT value, mixes FROM counter",
                r -> r.getLong("value") + "/" + r.getLong("mixes"))));
    return m;
  }
}
