package dev.filesync.bench;

import dev.filesync.store.ArgsCodec;
import dev.filesync.store.EventDef;
import dev.filesync.store.StoreSchema;
import dev.filesync.store.TableDef;
import java.time.Instant;

/** A small application schema for the benchmarks: notes with a title and a timestamp. */
final class BenchSchema {
  private BenchSchema() {}

  record NoteAdded(String id, String title, Instant createdAt) {}

  static final EventDef<NoteAdded> NOTE_ADDED =
      EventDef.synced(
          "v1.NoteAdded",
          ArgsCodec.forRecord(NoteAdded.class),
          (a, db) ->
              db.execute(
                  "INSERT INTO notes (id, title, createdAt) VALUES (?, ?, ?)",
                  a.id(),
                  a.title(),
                  a.createdAt()));

  static final String NOTES_SQL =
      "CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL, createdAt INTEGER NOT NULL)";

  static StoreSchema schema(String stateVersion) {
    return StoreSchema.builder()
        .table(TableDef.of("notes", NOTES_SQL))
        .event(NOTE_ADDED)
        .stateVersion(stateVersion)
        .build();
  }
}
