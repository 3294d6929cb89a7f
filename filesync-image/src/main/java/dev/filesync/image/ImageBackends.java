package dev.filesync.image;

import dev.filesync.image.internal.JavaImageBackend;
import java.util.Optional;
import java.util.ServiceLoader;

/** The image backends: the pure-Java default and the best one installed. */
public final class ImageBackends {
  private static final System.Logger LOG = System.getLogger(ImageBackends.class.getName());
  private static final ImageBackend JAVA = new JavaImageBackend();

  private static volatile ImageBackend best;

  private ImageBackends() {}

  /**
   * The pure-Java backend: ImageIO with the TwelveMonkeys readers (CMYK JPEG, WebP, TIFF), a WebP
   * writer and Thumbnailator's progressive bilinear resampling.
   */
  public static ImageBackend java() {
    return JAVA;
  }

  /**
   * The first backend on the class path that can run here (libvips, when {@code
   * filesync-image-vips} and {@code libvips.so.42} are present), else {@link #java()}; the choice
   * is made and logged once per process.
   */
  public static ImageBackend best() {
    ImageBackend b = best;
    if (b == null) {
      synchronized (ImageBackends.class) {
        b = best;
        if (b == null) {
          b = choose();
          best = b;
        }
      }
    }
    return b;
  }

  private static ImageBackend choose() {
    for (ImageBackend.Provider p : ServiceLoader.load(ImageBackend.Provider.class)) {
      Optional<ImageBackend> b;
      try {
        b = p.create();
      } catch (RuntimeException | LinkageError e) {
        LOG.log(System.Logger.Level.INFO, "image backend {0} failed to load: {1}", p, e);
        continue;
      }
      if (b.isPresent()) {
        LOG.log(System.Logger.Level.DEBUG, "image backend: {0}", b.get().name());
        return b.get();
      }
      LOG.log(
          System.Logger.Level.INFO,
          "image backend: {0} unavailable ({1}); using the Java backend",
          p.getClass().getSimpleName(),
          p.unavailableReason());
    }
    return JAVA;
  }
}
