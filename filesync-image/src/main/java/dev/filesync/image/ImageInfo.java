package dev.filesync.image;

/**
 * What is known about an image as displayed (after its EXIF orientation is applied).
 *
 * @param mimeType the media type, e.g. {@code image/jpeg}
 * @param width the displayed width in pixels
 * @param height the displayed height in pixels
 */
public record ImageInfo(String mimeType, int width, int height) {
  /** Checks the values. */
  public ImageInfo {
    if (mimeType == null || width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "bad image info: " + mimeType + " " + width + "x" + height);
    }
  }
}
