package dev.filesync.image;

import dev.filesync.core.FileMetadata;
import dev.filesync.core.Preprocessor;
import dev.filesync.image.ImageException.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Preprocessor} that bounds images to a maximum dimension and re-encodes them before they
 * are saved, so every device syncs the smaller file. The EXIF orientation is applied, the ICC
 * profile kept or converted ({@link ColorHandling}), and the synced metadata carries the MIME type,
 * size and pixel dimensions of what is stored.
 *
 * {@snippet :
 * FileSync files = FileSync.builder(store, root)
 *     .preprocessor("image/*", ImagePreprocessor.builder().maxDimension(1500).format(ImageFormat.WEBP).build())
 *     .start();
 * }
 *
 * <p>An image already within bounds and in the target format is saved as it is (no re-encoding, so
 * no quality loss). Formats no decoder reads (SVG, HEIC) are saved unchanged. Corrupt, truncated or
 * too-large images fail the save with an {@link ImageException}, and nothing is stored. Bytes
 * stream through temporary files; an image is never held whole in memory beyond its decoded pixels,
 * which {@link Builder#maxPixels} bounds. Instances are immutable and thread-safe.
 */
public final class ImagePreprocessor implements Preprocessor {
  /** The reference's defaults: 1500 px, JPEG, quality 90. */
  public static final int DEFAULT_MAX_DIMENSION = 1500;

  /** The default quality for JPEG and WebP. */
  public static final int DEFAULT_QUALITY = 90;

  /** The default pixel limit: 100 megapixels (about 400 MB decoded). */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  private final int maxDimension;
  private final ImageFormat format;
  private final int quality;
  private final ColorHandling color;
  private final long maxPixels;
  private final ImageBackend backend;
  private final Path tempDirectory;

  private ImagePreprocessor(Builder b) {
    this.maxDimension = b.maxDimension;
    this.format = b.format;
    this.quality = b.quality;
    this.color = b.color;
    this.maxPixels = b.maxPixels;
    this.backend = b.backend == null ? ImageBackends.best() : b.backend;
    this.tempDirectory = b.tempDirectory;
  }

  /** A builder with the defaults: 1500 px, JPEG, quality 90, ICC kept, the best backend. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this preprocessor's settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxDimension = maxDimension;
    b.format = format;
    b.quality = quality;
    b.color = color;
    b.maxPixels = maxPixels;
    b.backend = backend;
    b.tempDirectory = tempDirectory;
    return b;
  }

  /** The largest width or height kept, 0 for no limit. */
  public int maxDimension() {
    return maxDimension;
  }

  /** The output format. */
  public ImageFormat format() {
    return format;
  }

  /** The JPEG and WebP quality, 1 to 100. */
  public int quality() {
    return quality;
  }

  /** The backend used. */
  public ImageBackend backend() {
    return backend;
  }

  @Override
  public Result process(InputStream in, String name, String mimeType) throws IOException {
    Path source = tempFile(".src");
    Path out = null;
    InputStream result = null;
    try {
      Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      ImageInfo info;
      try {
        info = backend.probe(source, maxPixels);
      } catch (ImageException e) {
        if (e.reason() != Reason.UNSUPPORTED) {
          throw e;
        }
        // Vector or exotic formats: keep the bytes, there is nothing to resize.
        result = deleting(source);
        return new Result(result, null);
      }
      ImageFormat target = target(info.mimeType());
      boolean inBounds =
          maxDimension == 0 || (info.width() <= maxDimension && info.height() <= maxDimension);
      boolean oriented = !info.mimeType().equals("image/jpeg") || !rotated(source);
      if (inBounds && oriented && target.mimeType().equals(info.mimeType())) {
        long size = Files.size(source);
        result = deleting(source);
        return new Result(
            result, new FileMetadata(info.mimeType(), size, info.width(), info.height(), Map.of()));
      }
      out = tempFile("." + target.extension());
      ImageInfo written =
          backend
              .render(
                  source,
                  List.of(new ImageBackend.Target(maxDimension, out)),
                  new ImageBackend.Encoding(target, quality, color),
                  maxPixels)
              .get(0);
      Map<String, Object> custom = name == null ? Map.of() : Map.of("name", rename(name, target));
      FileMetadata meta =
          new FileMetadata(
              written.mimeType(), Files.size(out), written.width(), written.height(), custom);
      result = deleting(out);
      Files.deleteIfExists(source);
      return new Result(result, meta);
    } finally {
      // Whatever failed (an Error included), nothing is left behind but the stream handed over,
      // which deletes its file when closed.
      if (result == null) {
        Files.deleteIfExists(source);
        if (out != null) {
          Files.deleteIfExists(out);
        }
      }
    }
  }

  private static boolean rotated(Path jpeg) throws IOException {
    return dev.filesync.image.internal.ImageSniffer.jpegOrientation(jpeg) != 1;
  }

  private ImageFormat target(String sourceMime) {
    if (format != ImageFormat.KEEP) {
      return format;
    }
    return ImageFormat.forMimeType(sourceMime)
        .filter(f -> f != ImageFormat.KEEP)
        .orElse(ImageFormat.PNG);
  }

  /** {@code photo.heic.png} → {@code photo.heic.jpg}: the last extension follows the format. */
  static String rename(String name, ImageFormat target) {
    String ext = "." + target.extension();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    if (dot > 0) {
      String old = name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (target == ImageFormat.JPEG && (old.equals("jpeg") || old.equals("jpg"))) {
        return name;
      }
    }
    return base + ext;
  }

  private Path tempFile(String suffix) throws IOException {
    return tempDirectory == null
        ? Files.createTempFile("filesync-image-", suffix)
        : Files.createTempFile(tempDirectory, "filesync-image-", suffix);
  }

  /** Reads {@code file} and deletes it on close. */
  private static InputStream deleting(Path file) throws IOException {
    return new FilterInputStream(Files.newInputStream(file)) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          Files.deleteIfExists(file);
        }
      }
    };
  }

  @Override
  public String toString() {
    return "ImagePreprocessor{maxDimension="
        + maxDimension
        + ", format="
        + format
        + ", quality="
        + quality
        + ", color="
        + color
        + ", backend="
        + backend.name()
        + "}";
  }

  /** Builds an {@link ImagePreprocessor}; setters check their values at once. */
  public static final class Builder {
    private int maxDimension = DEFAULT_MAX_DIMENSION;
    private ImageFormat format = ImageFormat.JPEG;
    private int quality = DEFAULT_QUALITY;
    private ColorHandling color = ColorHandling.KEEP_ICC;
    private long maxPixels = DEFAULT_MAX_PIXELS;
    private ImageBackend backend;
    private Path tempDirectory;

    private Builder() {}

    /** The largest width or height to keep (images are never enlarged); 0 keeps the size. */
    public Builder maxDimension(int pixels) {
      if (pixels < 0) {
        throw new IllegalArgumentException("maxDimension must be >= 0: " + pixels);
      }
      this.maxDimension = pixels;
      return this;
    }

    /** The output format; {@link ImageFormat#KEEP} keeps JPEG, WebP and PNG as they are. */
    public Builder format(ImageFormat format) {
      if (format == null) {
        throw new IllegalArgumentException("format is required");
      }
      this.format = format;
      return this;
    }

    /** The JPEG and WebP quality, 1 to 100. */
    public Builder quality(int quality) {
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("quality must be 1 to 100: " + quality);
      }
      this.quality = quality;
      return this;
    }

    /** What happens to embedded colour profiles. */
    public Builder colorHandling(ColorHandling color) {
      if (color == null) {
        throw new IllegalArgumentException("color handling is required");
      }
      this.color = color;
      return this;
    }

    /** Images declaring more pixels than this are refused before decoding. */
    public Builder maxPixels(long maxPixels) {
      if (maxPixels < 1) {
        throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
      }
      this.maxPixels = maxPixels;
      return this;
    }

    /** The backend; {@link ImageBackends#best()} by default. */
    public Builder backend(ImageBackend backend) {
      if (backend == null) {
        throw new IllegalArgumentException("backend is required");
      }
      this.backend = backend;
      return this;
    }

    /** Where temporary files go (the system's temp directory by default). */
    public Builder tempDirectory(Path dir) {
      this.tempDirectory = dir;
      return this;
    }

    /** Builds the preprocessor. */
    public ImagePreprocessor build() {
      return new ImagePreprocessor(this);
    }
  }
}
