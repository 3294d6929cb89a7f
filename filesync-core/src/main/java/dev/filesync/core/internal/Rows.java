package dev.filesync.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.FileSyncSchema.LocalFileStateUpsert;
import dev.filesync.store.Query;
import dev.filesync.store.Row;
import dev.filesync.store.SeqNum;
import dev.filesync.store.Store;
import java.util.List;
import java.util.Optional;

/** Typed reads of FileSync's tables. */
public final class Rows {
  private Rows() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One {@code files} row.
   *
   * @param id the file id
   * @param path the store-relative path
   * @param remoteKey the remote key or {@code ""}
   * @param contentHash the content hash
   * @param metadataJson metadata JSON or {@code null}
   * @param deletedAt deletion time in epoch ms, or {@code null}
   */
  public record FileRow(
      String id,
      String path,
      String remoteKey,
      String contentHash,
      String metadataJson,
      Long deletedAt) {
    /** Whether the row is not soft-deleted. */
    public boolean live() {
      return deletedAt == null;
    }

    /** The {@code mimeType} of the metadata, or {@code null}. */
    public String mimeType() {
      if (metadataJson == null) {
        return null;
      }
      try {
        JsonNode n = JSON.readTree(metadataJson);
        JsonNode m = n == null ? null : n.get("mimeType");
        return m != null && m.isTextual() ? m.asText() : null;
      } catch (java.io.IOException | RuntimeException e) {
        return null;
      }
    }
  }

  /**
   * One {@code localFileState} row.
   *
   * @param fileId the file id
   * @param path the local path
   * @param localHash the hash on disk or {@code ""}
   * @param downloadStatus download status
   * @param uploadStatus upload status
   * @param lastSyncError last error or {@code ""}
   */
  public record LocalState(
      String fileId,
      String path,
      String localHash,
      String downloadStatus,
      String uploadStatus,
      String lastSyncError) {

    /** The upsert event arguments for this state. */
    public LocalFileStateUpsert toUpsert() {
      return new LocalFileStateUpsert(
          fileId, path, localHash, downloadStatus, uploadStatus, lastSyncError);
    }

    /** A copy with the status of {@code upload} or download changed. */
    public LocalState with(boolean upload, String status) {
      return upload
          ? new LocalState(fileId, path, localHash, downloadStatus, status, lastSyncError)
          : new LocalState(fileId, path, localHash, status, uploadStatus, lastSyncError);
    }

    /** A copy with another error text. */
    public LocalState withError(String error) {
      return new LocalState(fileId, path, localHash, downloadStatus, uploadStatus, error);
    }

    /** The status of one direction. */
    public String status(boolean upload) {
      return upload ? uploadStatus : downloadStatus;
    }
  }

  private static FileRow fileRow(Row r) {
    return new FileRow(
        r.getString("id"),
        r.getString("path"),
        r.getString("remoteKey"),
        r.getString("contentHash"),
        r.getString("metadataJson"),
        r.isNull("deletedAt") ? null : r.getLong("deletedAt"));
  }

  private static LocalState state(Row r) {
    return new LocalState(
        r.getString("fileId"),
        r.getString("path"),
        r.getString("localHash"),
        r.getString("downloadStatus"),
        r.getString("uploadStatus"),
        r.getString("lastSyncError"));
  }

  private static final String FILE_COLUMNS =
      "SELECT id, path, remoteKey, contentHash, metadataJson, deletedAt FROM files";
  private static final String STATE_COLUMNS =
      "SELECT fileId, path, localHash, downloadStatus, uploadStatus, lastSyncError FROM"
          + " localFileState";

  /** The row of {@code id}. */
  public static Optional<FileRow> file(Store store, String id) {
    return store.query(Query.first(FILE_COLUMNS + " WHERE id = ?", Rows::fileRow, id));
  }

  /** Every row, ordered by id. */
  public static List<FileRow> files(Store store) {
    return store.query(Query.list(FILE_COLUMNS + " ORDER BY id", Rows::fileRow));
  }

  /** The live rows holding {@code hash}. */
  public static List<FileRow> liveWithHash(Store store, String hash) {
    return store.query(
        Query.list(
            FILE_COLUMNS + " WHERE contentHash = ? AND deletedAt IS NULL ORDER BY id",
            Rows::fileRow,
            hash));
  }

  /** The state of {@code id}. */
  public static Optional<LocalState> state(Store store, String id) {
    return store.query(Query.first(STATE_COLUMNS + " WHERE fileId = ?", Rows::state, id));
  }

  /** Every state row. */
  public static List<LocalState> states(Store store) {
    return store.query(Query.list(STATE_COLUMNS + " ORDER BY fileId", Rows::state));
  }

  /** The persisted cursor, {@link SeqNum#ROOT} when none. */
  public static SeqNum cursor(Store store) {
    return store
        .query(
            Query.first(
                "SELECT lastEventSequence FROM fileSyncCursor WHERE id = ?",
                r -> r.getString("lastEventSequence"),
                FileSyncSchema.CURSOR_ID))
        .map(SeqNum::parse)
        .orElse(SeqNum.ROOT);
  }
}
