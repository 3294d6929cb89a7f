package dev.filesync.image;

import dev.filesync.store.ArgsCodec;
import dev.filesync.store.EventDef;
import dev.filesync.store.StoreSchema;
import dev.filesync.store.TableDef;
import java.util.List;

/**
 * The thumbnail tables and events, with the reference's names and JSON: {@code thumbnailState} (one
 * row per file: the content hash the thumbnails belong to, the detected media type and a JSON map
 * of size name to {@code {status, path?, error?, generatedAt?}}) and {@code thumbnailConfig} (the
 * settings hash of the last run). Every event is client-only: thumbnails are never synced.
 *
 * {@snippet :
 * StoreSchema schema = ThumbnailSchema.addTo(FileSyncSchema.addTo(StoreSchema.builder())).build();
 * }
 */
public final class ThumbnailSchema {
  private ThumbnailSchema() {}

  /** The id of the single {@code thumbnailConfig} row. */
  public static final String CONFIG_ID = "global";

  /** {@code thumbnailState}: per-file, per-size thumbnail state on this device. */
  public static final TableDef THUMBNAIL_STATE =
      TableDef.of(
          "thumbnailState",
          "CREATE TABLE thumbnailState (fileId TEXT PRIMARY KEY, contentHash TEXT NOT NULL DEFAULT"
              + " '', mimeType TEXT NOT NULL DEFAULT '', sizesJson TEXT NOT NULL DEFAULT '{}')");

  /** {@code thumbnailConfig}: the settings the stored thumbnails were made with. */
  public static final TableDef THUMBNAIL_CONFIG =
      TableDef.of(
          "thumbnailConfig",
          "CREATE TABLE thumbnailConfig (id TEXT PRIMARY KEY, configHash TEXT NOT NULL DEFAULT '',"
              + " sizesJson TEXT NOT NULL DEFAULT '{}')");

  /**
   * {@code v1.ThumbnailStateUpsert} arguments.
   *
   * @param fileId the file id
   * @param contentHash the content the sizes belong to
   * @param mimeType the detected media type, or {@code unknown}
   * @param sizesJson the per-size states as JSON
   */
  public record ThumbnailStateUpsert(
      String fileId, String contentHash, String mimeType, String sizesJson) {}

  /**
   * {@code v1.ThumbnailStateRemove} arguments.
   *
   * @param fileId the file id
   */
  public record ThumbnailStateRemove(String fileId) {}

  /** {@code v1.ThumbnailStateClear} arguments (none). */
  public record ThumbnailStateClear() {}

  /**
   * {@code v1.ThumbnailConfigSet} arguments.
   *
   * @param id always {@link #CONFIG_ID}
   * @param configHash the settings hash
   * @param sizesJson the configured sizes as JSON, e.g. {@code {"small":128}}
   */
  public record ThumbnailConfigSet(String id, String configHash, String sizesJson) {}

  /** {@code v1.ThumbnailStateUpsert}: replaces a file's row. */
  public static final EventDef<ThumbnailStateUpsert> STATE_UPSERT =
      EventDef.clientOnly(
          "v1.ThumbnailStateUpsert",
          ArgsCodec.forRecord(ThumbnailStateUpsert.class),
          (a, db) -> {
            db.execute("DELETE FROM thumbnailState WHERE fileId = ?", a.fileId());
            db.execute(
                "INSERT INTO thumbnailState (fileId, contentHash, mimeType, sizesJson)"
                    + " VALUES (?, ?, ?, ?)",
                a.fileId(),
                a.contentHash(),
                a.mimeType(),
                a.sizesJson());
          });

  /** {@code v1.ThumbnailStateRemove}. */
  public static final EventDef<ThumbnailStateRemove> STATE_REMOVE =
      EventDef.clientOnly(
          "v1.ThumbnailStateRemove",
          ArgsCodec.forRecord(ThumbnailStateRemove.class),
          (a, db) -> db.execute("DELETE FROM thumbnailState WHERE fileId = ?", a.fileId()));

  /** {@code v1.ThumbnailStateClear}: removes every row. */
  public static final EventDef<ThumbnailStateClear> STATE_CLEAR =
      EventDef.clientOnly(
          "v1.ThumbnailStateClear",
          ArgsCodec.forRecord(ThumbnailStateClear.class),
          (a, db) -> db.execute("DELETE FROM thumbnailState"));

  /** {@code v1.ThumbnailConfigSet}: replaces the config row. */
  public static final EventDef<ThumbnailConfigSet> CONFIG_SET =
      EventDef.clientOnly(
          "v1.ThumbnailConfigSet",
          ArgsCodec.forRecord(ThumbnailConfigSet.class),
          (a, db) -> {
            db.execute("DELETE FROM thumbnailConfig WHERE id = ?", a.id());
            db.execute(
                "INSERT INTO thumbnailConfig (id, configHash, sizesJson) VALUES (?, ?, ?)",
                a.id(),
                a.configHash(),
                a.sizesJson());
          });

  /** Every thumbnail event. */
  public static final List<EventDef<?>> EVENTS =
      List.of(STATE_UPSERT, STATE_REMOVE, STATE_CLEAR, CONFIG_SET);

  /** Registers the thumbnail tables and events in {@code app} and returns it. */
  public static StoreSchema.Builder addTo(StoreSchema.Builder app) {
    return app.table(THUMBNAIL_STATE).table(THUMBNAIL_CONFIG).events(EVENTS);
  }
}
