package dev.filesync.core;

import dev.filesync.store.ArgField;
import dev.filesync.store.ArgsCodec;
import dev.filesync.store.EventDef;
import dev.filesync.store.StoreSchema;
import dev.filesync.store.TableDef;
import java.time.Instant;
import java.util.List;

/**
 * FileSync's tables and events, as livestore-filesync 0.8.0 defines them (reference section 1): the
 * synced {@code files} table, the per-device {@code localFileState} table, the {@code
 * fileSyncCursor} document, and the events that write them. An application registers them beside
 * its own with {@link #addTo}:
 *
 * {@snippet :
 * StoreSchema schema = FileSyncSchema.addTo(StoreSchema.builder())
 *     .table(myTable)
 *     .event(myEvent)
 *     .build();
 * }
 *
 * <p>The event arguments encode exactly as the JavaScript library's (dates as ISO-8601 strings with
 * milliseconds, an absent {@code metadataJson} distinct from {@code null}).
 */
public final class FileSyncSchema {
  private FileSyncSchema() {}

  /** Transfer status values of {@code localFileState} (the reference's {@code TransferStatus}). */
  public static final List<String> TRANSFER_STATUSES =
      List.of("pending", "queued", "inProgress", "done", "error");

  /** The id of the single cursor document. */
  public static final String CURSOR_ID = "global";

  /** The synced {@code files} table; dates are epoch milliseconds. */
  public static final TableDef FILES =
      TableDef.of(
          "files",
          "CREATE TABLE files (id TEXT PRIMARY KEY, path TEXT NOT NULL DEFAULT '',"
              + " remoteKey TEXT NOT NULL DEFAULT '', contentHash TEXT NOT NULL DEFAULT '',"
              + " metadataJson TEXT, createdAt INTEGER NOT NULL, updatedAt INTEGER NOT NULL,"
              + " deletedAt INTEGER)");

  /** The per-device {@code localFileState} table (written by client-only events). */
  public static final TableDef LOCAL_FILE_STATE =
      TableDef.of(
          "localFileState",
          "CREATE TABLE localFileState (fileId TEXT PRIMARY KEY, path TEXT NOT NULL DEFAULT '',"
              + " localHash TEXT NOT NULL DEFAULT '', downloadStatus TEXT NOT NULL DEFAULT"
              + " 'pending', uploadStatus TEXT NOT NULL DEFAULT 'pending', lastSyncError TEXT NOT"
              + " NULL DEFAULT '')");

  /** The cursor document: how far the engine has followed the confirmed file events. */
  public static final TableDef FILE_SYNC_CURSOR =
      TableDef.of(
          "fileSyncCursor",
          "CREATE TABLE fileSyncCursor (id TEXT PRIMARY KEY, lastEventSequence TEXT NOT NULL"
              + " DEFAULT 'e0', updatedAt INTEGER NOT NULL DEFAULT 0)");

  /**
   * {@code v1.FileCreated} arguments.
   *
   * @param id the file id
   * @param path the store-relative local path
   * @param contentHash lowercase hex SHA-256 of the bytes
   * @param metadataJson metadata JSON; absent and {@code null} both store {@code null}
   * @param createdAt creation time
   * @param updatedAt update time
   */
  public record FileCreated(
      String id,
      String path,
      String contentHash,
      ArgField<String> metadataJson,
      Instant createdAt,
      Instant updatedAt) {}

  /**
   * {@code v1.FileUpdated} arguments.
   *
   * @param id the file id
   * @param path the store-relative local path
   * @param remoteKey the remote object key, {@code ""} when not uploaded
   * @param contentHash lowercase hex SHA-256 of the bytes
   * @param metadataJson absent keeps the stored metadata, {@code null} clears it
   * @param updatedAt update time
   */
  public record FileUpdated(
      String id,
      String path,
      String remoteKey,
      String contentHash,
      ArgField<String> metadataJson,
      Instant updatedAt) {}

  /**
   * {@code v1.FileDeleted} arguments (a soft delete).
   *
   * @param id the file id
   * @param deletedAt deletion time
   */
  public record FileDeleted(String id, Instant deletedAt) {}

  /**
   * {@code v1.LocalFileStateUpsert} arguments: one {@code localFileState} row.
   *
   * @param fileId the file id
   * @param path the local path the state refers to
   * @param localHash the hash of the bytes on disk, {@code ""} when none
   * @param downloadStatus a {@link #TRANSFER_STATUSES} value
   * @param uploadStatus a {@link #TRANSFER_STATUSES} value
   * @param lastSyncError the last failure, or {@code ""}
   */
  public record LocalFileStateUpsert(
      String fileId,
      String path,
      String localHash,
      String downloadStatus,
      String uploadStatus,
      String lastSyncError) {
    /** Checks the statuses. */
    public LocalFileStateUpsert {
      if (!TRANSFER_STATUSES.contains(downloadStatus)) {
        throw new IllegalArgumentException("bad downloadStatus: " + downloadStatus);
      }
      if (!TRANSFER_STATUSES.contains(uploadStatus)) {
        throw new IllegalArgumentException("bad uploadStatus: " + uploadStatus);
      }
    }
  }

  /**
   * {@code v1.LocalFileStateRemove} arguments.
   *
   * @param fileId the file id
   */
  public record LocalFileStateRemove(String fileId) {}

  /** {@code v1.LocalFileStateClear} arguments: none. */
  public record LocalFileStateClear() {}

  /**
   * The cursor document's value.
   *
   * @param lastEventSequence the last handled event, e.g. {@code "e12"}
   * @param updatedAt when it was written
   */
  public record FileSyncCursor(String lastEventSequence, Instant updatedAt) {}

  /**
   * {@code fileSyncCursorSet} arguments (LiveStore's derived client-document set event).
   *
   * @param id the document id, {@link #CURSOR_ID}
   * @param value the cursor
   */
  public record FileSyncCursorSet(String id, FileSyncCursor value) {}

  /** {@code v1.FileCreated}: inserts the row; a duplicate id is rejected. */
  public static final EventDef<FileCreated> FILE_CREATED =
      EventDef.synced(
          "v1.FileCreated",
          ArgsCodec.forRecord(FileCreated.class),
          (a, db) ->
              db.execute(
                  "INSERT INTO files (id, path, contentHash, metadataJson, createdAt, updatedAt)"
                      + " VALUES (?, ?, ?, ?, ?, ?)",
                  a.id(),
                  a.path(),
                  a.contentHash(),
                  a.metadataJson().orElse(null),
                  a.createdAt(),
                  a.updatedAt()));

  /** {@code v1.FileUpdated}: updates the row; a missing id is a no-op. */
  public static final EventDef<FileUpdated> FILE_UPDATED =
      EventDef.synced(
          "v1.FileUpdated",
          ArgsCodec.forRecord(FileUpdated.class),
          (a, db) -> {
            // A publication of a remote key (non-empty remoteKey) for bytes the row no longer
            // holds is stale: an upload that finished after a newer edit (in this process, or on
            // another device and ordered later by a rebase). It is skipped, so the newer edit
            // stays; the reference applied it and paired the new row with the old bytes (9.B2).
            // Content updates carry remoteKey "" and always apply. Deterministic, so every
            // replica skips the same events.
            String guard =
                a.remoteKey().isEmpty() ? "" : " AND (contentHash = ? OR contentHash = '')";
            List<Object> params = new java.util.ArrayList<>();
            String sql = "UPDATE files SET path = ?, remoteKey = ?, contentHash = ?, updatedAt = ?";
            params.addAll(List.of(a.path(), a.remoteKey(), a.contentHash(), a.updatedAt()));
            if (a.metadataJson().isPresent()) {
              sql += ", metadataJson = ?";
              params.add(a.metadataJson().value());
            }
            sql += " WHERE id = ?" + guard;
            params.add(a.id());
            if (!a.remoteKey().isEmpty()) {
              params.add(a.contentHash());
            }
            db.execute(sql, params.toArray());
          });

  /** {@code v1.FileDeleted}: sets {@code deletedAt}. */
  public static final EventDef<FileDeleted> FILE_DELETED =
      EventDef.synced(
          "v1.FileDeleted",
          ArgsCodec.forRecord(FileDeleted.class),
          (a, db) ->
              db.execute("UPDATE files SET deletedAt = ? WHERE id = ?", a.deletedAt(), a.id()));

  /** {@code v1.LocalFileStateUpsert}: delete then insert, as the reference. */
  public static final EventDef<LocalFileStateUpsert> LOCAL_FILE_STATE_UPSERT =
      EventDef.clientOnly(
          "v1.LocalFileStateUpsert",
          ArgsCodec.forRecord(LocalFileStateUpsert.class),
          (a, db) -> {
            db.execute("DELETE FROM localFileState WHERE fileId = ?", a.fileId());
            db.execute(
                "INSERT INTO localFileState (fileId, path, localHash, downloadStatus,"
                    + " uploadStatus, lastSyncError) VALUES (?, ?, ?, ?, ?, ?)",
                a.fileId(),
                a.path(),
                a.localHash(),
                a.downloadStatus(),
                a.uploadStatus(),
                a.lastSyncError());
          });

  /** {@code v1.LocalFileStateRemove}. */
  public static final EventDef<LocalFileStateRemove> LOCAL_FILE_STATE_REMOVE =
      EventDef.clientOnly(
          "v1.LocalFileStateRemove",
          ArgsCodec.forRecord(LocalFileStateRemove.class),
          (a, db) -> db.execute("DELETE FROM localFileState WHERE fileId = ?", a.fileId()));

  /** {@code v1.LocalFileStateClear}: removes every row. */
  public static final EventDef<LocalFileStateClear> LOCAL_FILE_STATE_CLEAR =
      EventDef.clientOnly(
          "v1.LocalFileStateClear",
          ArgsCodec.forRecord(LocalFileStateClear.class),
          (a, db) -> db.execute("DELETE FROM localFileState"));

  /** {@code fileSyncCursorSet}: writes the cursor document. */
  public static final EventDef<FileSyncCursorSet> FILE_SYNC_CURSOR_SET =
      EventDef.clientOnly(
          "fileSyncCursorSet",
          ArgsCodec.forRecord(FileSyncCursorSet.class),
          (a, db) ->
              db.execute(
                  "INSERT OR REPLACE INTO fileSyncCursor (id, lastEventSequence, updatedAt)"
                      + " VALUES (?, ?, ?)",
                  a.id(),
                  a.value().lastEventSequence(),
                  a.value().updatedAt()));

  /** Every FileSync event. */
  public static final List<EventDef<?>> EVENTS =
      List.of(
          FILE_CREATED,
          FILE_UPDATED,
          FILE_DELETED,
          LOCAL_FILE_STATE_UPSERT,
          LOCAL_FILE_STATE_REMOVE,
          LOCAL_FILE_STATE_CLEAR,
          FILE_SYNC_CURSOR_SET);

  /** Registers FileSync's tables and events in {@code app} and returns it. */
  public static StoreSchema.Builder addTo(StoreSchema.Builder app) {
    return app.table(FILES).table(LOCAL_FILE_STATE).table(FILE_SYNC_CURSOR).events(EVENTS);
  }

  /** A schema with only FileSync's tables and events. */
  public static StoreSchema schema() {
    return addTo(StoreSchema.builder()).build();
  }
}
