package dev.filesync.core;

import java.util.Map;

/**
 * What is known about a file's bytes, synced as the row's {@code metadataJson} in the reference's
 * shape {@code {mimeType?, sizeBytes?, image?: {width, height}, custom?}}.
 *
 * @param mimeType the media type, or {@code null}
 * @param sizeBytes the stored size, or {@code null}
 * @param width the image width in pixels, or {@code null}
 * @param height the image height in pixels, or {@code null}
 * @param custom application values (JSON-serializable), never {@code null}
 */
public record FileMetadata(
    String mimeType, Long sizeBytes, Integer width, Integer height, Map<String, Object> custom) {
  /** Copies the custom map; checks that width and height come together. */
  public FileMetadata {
    custom = custom == null ? Map.of() : Map.copyOf(custom);
    if ((width == null) != (height == null)) {
      throw new IllegalArgumentException(
          "image width and height go together: " + width + "x" + height);
    }
  }

  /** Metadata with only a media type. */
  public static FileMetadata ofMimeType(String mimeType) {
    return new FileMetadata(mimeType, null, null, null, Map.of());
  }
}
