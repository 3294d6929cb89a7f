package dev.filesync.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An application schema for the store's tests: tasks (text that can be renamed and deleted), a
 * counter mixed by an operation that does not commute (so any difference in event order shows in
 * the state), and a client-only table.
 */
public final class TaskSchema {
  private TaskSchema() {}

  /** Added task. */
  public record TaskAdded(String id, String text, Instant createdAt) {}

  /** Renamed task. */
  public record TaskRenamed(String id, String text) {}

  /** Deleted task. */
  public record TaskDeleted(String id) {}

  /** Counter mixed with {@code x}: {@code value = (value * 31 + x) mod 1000003}. */
  public record CounterMixed(long x) {}

  /** A client-only UI setting. */
  public record UiSet(String key, String value) {}

  public static final EventDef<TaskAdded> TASK_ADDED =
      EventDef.synced(
          "v1.TaskAdded",
          ArgsCodec.forRecord(TaskAdded.class),
          (a, db) ->
              db.execute(
                  "INSERT INTO tasks (id, text, createdAt) VALUES (?, ?, ?)",
                  a.id(),
                  a.text(),
                  a.createdAt()));

  public static final EventDef<TaskRenamed> TASK_RENAMED =
      EventDef.synced(
          "v1.TaskRenamed",
          ArgsCodec.forRecord(TaskRenamed.class),
          (a, db) ->
              db.execute(
                  "UPDATE tasks SET text = ?, renames = renames + 1 WHERE id = ?",
                  a.text(),
                  a.id()));

  public static final EventDef<TaskDeleted> TASK_DELETED =
      EventDef.synced(
          "v1.TaskDeleted",
          ArgsCodec.forRecord(TaskDeleted.class),
          (a, db) -> db.execute("DELETE FROM tasks WHERE id = ?", a.id()));

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
                  "tasks",
                  "CREATE TABLE tasks (id TEXT PRIMARY KEY, text TEXT NOT NULL, createdAt INTEGER NOT NULL,"
                      + " renames INTEGER NOT NULL DEFAULT 0)"))
          .table(
              TableDef.of(
                  "counter",
                  "CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL, mixes INTEGER NOT NULL)"))
          .table(TableDef.of("ui", "CREATE TABLE ui (key TEXT PRIMARY KEY, value TEXT)"))
          .event(TASK_ADDED)
          .event(TASK_RENAMED)
          .event(TASK_DELETED)
          .event(COUNTER_MIXED)
          .event(UI_SET)
          .build();

  /** A task row. */
  public record Task(String id, String text, int renames) {}

  public static final Query<List<Task>> ALL_TASKS =
      Query.list(
          "SELECT id, text, renames FROM tasks ORDER BY id",
          r -> new Task(r.getString("id"), r.getString("text"), r.getInt("renames")));

  public static final Query<Long> COUNTER = Query.scalar("SELECT value FROM counter WHERE id = 1");

  /** The synced part of the state (tasks and counter), for comparing replicas. */
  public static Map<String, Object> syncedState(Store store) {
    Map<String, Object> m = new TreeMap<>();
    m.put("tasks", store.query(ALL_TASKS));
    m.put(
        "counter",
        store.query(
            Query.list(
                "SELECT value, mixes FROM counter",
                r -> r.getLong("value") + "/" + r.getLong("mixes"))));
    return m;
  }
}
