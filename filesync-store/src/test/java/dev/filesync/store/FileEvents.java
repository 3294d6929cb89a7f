package dev.filesync.store;

import java.time.Instant;

/**
 * The reference's synced file events (livestore-filesync 0.8.0, section 1.4), as an application of
 * the store would define them; the golden tests check that they encode as the JS library does.
 */
final class FileEvents {
  private FileEvents() {}

  record FileCreated(
      String id,
      String path,
      String contentHash,
      ArgField<String> metadataJson,
      Instant createdAt,
      Instant updatedAt) {}

  record FileUpdated(
      String id,
      String path,
      String remoteKey,
      String contentHash,
      ArgField<String> metadataJson,
      Instant updatedAt) {}

  record FileDeleted(String id, Instant deletedAt) {}

  static final TableDef FILES =
      TableDef.of(
          "files",
          """
      CREATE TABLE files (id TEXT PRIMARY KEY, path TEXT NOT NULL DEFAULT '', remoteKey TEXT NOT NULL DEFAULT '',
        contentHash TEXT NOT NULL DEFAULT '', metadataJson TEXT, createdAt INTEGER NOT NULL,
        updatedAt INTEGER NOT NULL, deletedAt INTEGER)""");

  static final EventDef<FileCreated> CREATED =
      EventDef.synced(
          "v1.FileCreated",
          ArgsCodec.forRecord(FileCreated.class),
          (a, db) ->
              db.execute(
                  "INSERT INTO files (id, path, contentHash, metadataJson, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)",
                  a.id(),
                  a.path(),
                  a.contentHash(),
                  a.metadataJson().orElse(null),
                  a.createdAt(),
                  a.updatedAt()));

  static final EventDef<FileUpdated> UPDATED =
      EventDef.synced(
          "v1.FileUpdated",
          ArgsCodec.forRecord(FileUpdated.class),
          (a, db) -> {
            if (a.metadataJson().isPresent()) {
              db.execute(
                  "UPDATE files SET path = ?, remoteKey = ?, contentHash = ?, updatedAt = ?, metadataJson = ? WHERE id = ?",
                  a.path(),
                  a.remoteKey(),
                  a.contentHash(),
                  a.updatedAt(),
                  a.metadataJson().value(),
                  a.id());
            } else {
              db.execute(
                  "UPDATE files SET path = ?, remoteKey = ?, contentHash = ?, updatedAt = ? WHERE id = ?",
                  a.path(),
                  a.remoteKey(),
                  a.contentHash(),
                  a.updatedAt(),
                  a.id());
            }
          });

  static final EventDef<FileDeleted> DELETED =
      EventDef.synced(
          "v1.FileDeleted",
          ArgsCodec.forRecord(FileDeleted.class),
          (a, db) ->
              db.execute("UPDATE files SET deletedAt = ? WHERE id = ?", a.deletedAt(), a.id()));
}
