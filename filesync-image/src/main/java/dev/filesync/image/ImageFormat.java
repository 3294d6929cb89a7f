package dev.filesync.image;

import java.util.Locale;
import java.util.Optional;

/** An image encoding FileSync can write, or {@link #KEEP} to keep each file's own format. */
public enum ImageFormat {
  /** JPEG (no alpha: transparent pixels are laid over white). */
  JPEG("image/jpeg", "jpg"),
  /** WebP, lossy at the configured quality; keeps alpha. */
  WEBP("image/webp", "webp"),
  /** PNG, lossless (quality is ignored); keeps alpha. */
  PNG("image/png", "png"),
  /**
   * The source's own format when it can be written (JPEG, WebP, PNG); other sources (GIF, BMP,
   * TIFF) become PNG. Only for the preprocessor.
   */
  KEEP(null, null);

  private final String mimeType;
  private final String extension;

  ImageFormat(String mimeType, String extension) {
    this.mimeType = mimeType;
    this.extension = extension;
  }

  /** The media type written, e.g. {@code image/webp}; {@code null} for {@link #KEEP}. */
  public String mimeType() {
    return mimeType;
  }

  /** The file extension without the dot, e.g. {@code webp}; {@code null} for {@link #KEEP}. */
  public String extension() {
    return extension;
  }

  /** The writable format for a media type, if any. */
  public static Optional<ImageFormat> forMimeType(String mimeType) {
    if (mimeType == null) {
      return Optional.empty();
    }
    for (ImageFormat f : values()) {
      if (mimeType.equalsIgnoreCase(f.mimeType)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * Parses {@code jpeg}, {@code jpg}, {@code webp}, {@code png} or {@code keep}, ignoring case.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static ImageFormat parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "jpeg", "jpg" -> JPEG;
      case "webp" -> WEBP;
      case "png" -> PNG;
      case "keep" -> KEEP;
      default ->
          throw new IllegalArgumentException(
              "unknown image format '" + name + "' (expected jpeg, webp, png or keep)");
    };
  }
}
