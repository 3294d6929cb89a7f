package dev.filesync.image;

import java.util.Map;

/**
 * The thumbnails of one file on this device: a {@code thumbnailState} row, parsed.
 *
 * @param fileId the file id
 * @param contentHash the content the sizes belong to
 * @param mimeType the detected media type, or {@code unknown}
 * @param sizes the state of each configured size, by name
 */
public record ThumbnailState(
    String fileId, String contentHash, String mimeType, Map<String, Size> sizes) {
  /** Copies the map, keeping its order. */
  public ThumbnailState {
    sizes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sizes));
  }

  /**
   * The state of one size.
   *
   * @param status where it stands
   * @param path the thumbnail's path relative to FileSync's local root when done, else {@code null}
   * @param error why it failed, else {@code null}
   * @param generatedAt when it was generated (epoch milliseconds), else {@code null}
   */
  public record Size(ThumbnailStatus status, String path, String error, Long generatedAt) {}
}
