package dev.filesync.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Decodes, resizes and encodes images. Implementations are thread-safe. The default is the
 * pure-Java backend ({@link ImageBackends#java()}); {@link ImageBackends#best()} prefers libvips
 * when the {@code filesync-image-vips} module and the native library are present.
 *
 * <p>Every implementation follows the same rules, so their outputs agree within a small tolerance:
 * the EXIF orientation is applied; images are scaled by {@code min(max/width, max/height, 1)}
 * (never up) to {@code round(width*scale) x round(height*scale)}; only the first frame of an
 * animation is used; alpha is kept for PNG and WebP and laid over white for JPEG; colour follows
 * {@link ColorHandling}; images declaring more than {@code maxPixels} pixels are refused before
 * they are decoded.
 */
public interface ImageBackend {

  /** A short name for logs and benchmarks, e.g. {@code java} or {@code libvips 8.14.1}. */
  String name();

  /**
   * Reads the header of {@code source}: its type and displayed size.
   *
   * @throws ImageException when it is not a readable image or declares more than {@code maxPixels}
   *     pixels
   * @throws IOException when the file cannot be read
   */
  ImageInfo probe(Path source, long maxPixels) throws IOException;

  /**
   * Decodes {@code source} once and writes one output per target, each written whole or not at all.
   *
   * @return what was written, one entry per target in order
   * @throws ImageException for an unsupported, corrupt or too large image (nothing is written)
   * @throws IOException when a file cannot be read or written
   */
  List<ImageInfo> render(Path source, List<Target> targets, Encoding encoding, long maxPixels)
      throws IOException;

  /**
   * One output of {@link #render}.
   *
   * @param maxDimension the largest width or height, or 0 to keep the size
   * @param output the file to write (replaced if present)
   */
  record Target(int maxDimension, Path output) {
    /** Checks the values. */
    public Target {
      if (maxDimension < 0 || output == null) {
        throw new IllegalArgumentException("bad target: " + maxDimension + " " + output);
      }
    }
  }

  /**
   * How outputs are encoded.
   *
   * @param format JPEG, WebP or PNG (not KEEP)
   * @param quality 1 to 100, for JPEG and WebP
   * @param color what happens to an embedded colour profile
   */
  record Encoding(ImageFormat format, int quality, ColorHandling color) {
    /** Checks the values. */
    public Encoding {
      if (format == null || format == ImageFormat.KEEP) {
        throw new IllegalArgumentException("an encoding needs a concrete format, not " + format);
      }
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("quality must be 1 to 100: " + quality);
      }
      if (color == null) {
        throw new IllegalArgumentException("color handling is required");
      }
    }
  }

  /**
   * Makes a backend that may be unavailable on this machine (a native library missing); found
   * through {@link java.util.ServiceLoader}.
   */
  interface Provider {
    /**
     * The backend, or empty when it cannot run here (then {@link #unavailableReason()} says why).
     */
    Optional<ImageBackend> create();

    /** Why {@link #create()} gave nothing, for a one-time log line. */
    String unavailableReason();
  }
}
