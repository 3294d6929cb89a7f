package dev.filesync.examples.gallery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.store.Query;
import dev.filesync.store.Row;
import dev.filesync.store.Store;
import java.io.IOException;
import java.util.List;

/**
 * One live file as the gallery lists it, read from FileSync's synced {@code files} table. Its
 * {@code metadataJson} is the reference's shape, written by the device that saved the file: {@code
 * {"mimeType", "sizeBytes", "image": {"width", "height"}, "custom": {"name"}}}; every part may be
 * missing (a device without an image preprocessor records no dimensions).
 *
 * @param id the file id
 * @param contentHash the SHA-256 of its bytes (changes when the file is updated)
 * @param name {@code custom.name}, else the id
 * @param mimeType the media type, or {@code ""} when the saving device gave none
 * @param sizeBytes the size in bytes, or -1 when unknown
 * @param width the image width in pixels, or {@code null} when unknown
 * @param height the image height in pixels, or {@code null} when unknown
 */
record GalleryItem(
    String id,
    String contentHash,
    String name,
    String mimeType,
    long sizeBytes,
    Integer width,
    Integer height) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every live file, oldest first. A store query runs on the current state, in SQLite. */
  static final Query<List<GalleryItem>> LIVE_FILES =
      Query.list(
          "SELECT id, contentHash, metadataJson FROM files WHERE deletedAt IS NULL"
              + " ORDER BY createdAt, id",
          GalleryItem::fromRow);

  /** The live files of {@code app}'s store. */
  static List<GalleryItem> list(GalleryApp app) {
    return list(app.store());
  }

  static List<GalleryItem> list(Store store) {
    return store.query(LIVE_FILES);
  }

  /** Whether the saving device said it is an image. */
  boolean isImage() {
    return mimeType.startsWith("image/");
  }

  private static GalleryItem fromRow(Row row) {
    String id = row.getString("id");
    JsonNode meta = parse(row.getString("metadataJson"));
    JsonNode image = meta.path("image");
    return new GalleryItem(
        id,
        row.getString("contentHash"),
        meta.path("custom").path("name").asText(id),
        meta.path("mimeType").asText(""),
        meta.path("sizeBytes").asLong(-1),
        image.path("width").isInt() ? image.path("width").asInt() : null,
        image.path("height").isInt() ? image.path("height").asInt() : null);
  }

  /**
   * The metadata as a tree; a missing or malformed document is an empty one (rows come from other
   * devices: a bad one must not break the page).
   */
  private static JsonNode parse(String json) {
    if (json == null || json.isEmpty()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}
