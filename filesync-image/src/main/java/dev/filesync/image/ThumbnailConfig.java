package dev.filesync.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filesync.core.FileSync;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of {@link Thumbnails}: named sizes, format and quality, concurrency and retries.
 * Immutable; {@link #toBuilder()} derives another.
 */
public final class ThumbnailConfig {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SIZE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  /** The default sizes: small 128, medium 256, large 512. */
  public static final Map<String, Integer> DEFAULT_SIZES = defaultSizes();

  private final FileSync files;
  private final Map<String, Integer> sizes;
  private final ImageFormat format;
  private final int quality;
  private final ColorHandling color;
  private final int concurrency;
  private final int maxAttempts;
  private final Duration retryDelay;
  private final long maxPixels;
  private final ImageBackend backend;
  private final Path directory;
  private final boolean background;

  private ThumbnailConfig(Builder b) {
    this.files = b.files;
    this.sizes = Collections.unmodifiableMap(new LinkedHashMap<>(b.sizes));
    this.format = b.format;
    this.quality = b.quality;
    this.color = b.color;
    this.concurrency = b.concurrency;
    this.maxAttempts = b.maxAttempts;
    this.retryDelay = b.retryDelay;
    this.maxPixels = b.maxPixels;
    this.backend = b.backend;
    this.directory = b.directory;
    this.background = b.background;
  }

  /** A builder for thumbnails of the files of {@code files}, with the defaults. */
  public static Builder builder(FileSync files) {
    if (files == null) {
      throw new IllegalArgumentException("a FileSync is required");
    }
    return new Builder(files);
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    Builder b = new Builder(files);
    b.sizes = new LinkedHashMap<>(sizes);
    b.format = format;
    b.quality = quality;
    b.color = color;
    b.concurrency = concurrency;
    b.maxAttempts = maxAttempts;
    b.retryDelay = retryDelay;
    b.maxPixels = maxPixels;
    b.backend = backend;
    b.directory = directory;
    b.background = background;
    return b;
  }

  /**
   * Parses {@code small=128,medium=256}.
   *
   * @throws IllegalArgumentException naming the bad part
   */
  public static Map<String, Integer> parseSizes(String spec) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("bad thumbnail size '" + p + "' (expected name=pixels)");
      }
      try {
        out.put(p.substring(0, eq).trim(), Integer.parseInt(p.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad thumbnail size '" + p + "' (expected name=pixels)");
      }
    }
    checkSizes(out);
    return out;
  }

  /** The FileSync whose files get thumbnails. */
  public FileSync files() {
    return files;
  }

  /** The sizes by name, in the order given. */
  public Map<String, Integer> sizes() {
    return sizes;
  }

  /** The thumbnail format (JPEG, WebP or PNG). */
  public ImageFormat format() {
    return format;
  }

  /** The JPEG and WebP quality. */
  public int quality() {
    return quality;
  }

  /** What happens to colour profiles. */
  public ColorHandling colorHandling() {
    return color;
  }

  /** How many images are decoded at once. */
  public int concurrency() {
    return concurrency;
  }

  /** Attempts for failures that may pass (I/O); bad images fail at once. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The delay before the second attempt; it doubles for each one after. */
  public Duration retryDelay() {
    return retryDelay;
  }

  /** Images declaring more pixels than this get an error instead of a thumbnail. */
  public long maxPixels() {
    return maxPixels;
  }

  /** The backend; empty means {@link ImageBackends#best()}. */
  public Optional<ImageBackend> backend() {
    return Optional.ofNullable(backend);
  }

  /**
   * Whether thumbnails are made in the background (the default) or only on demand through {@link
   * Thumbnails#generate}.
   */
  public boolean generateInBackground() {
    return background;
  }

  /** Where thumbnails are written: {@code <local root>/thumbnails} unless set. */
  public Path directory() {
    return directory != null ? directory : files.config().localRoot().resolve("thumbnails");
  }

  /**
   * The settings as JSON: {@code {"sizes":{…},"format":"webp","quality":80,"color":"keep-icc"}}.
   */
  String settingsJson() {
    ObjectNode n = JSON.createObjectNode();
    ObjectNode s = n.putObject("sizes");
    sizes.forEach(s::put);
    n.put("format", format.name().toLowerCase(Locale.ROOT));
    n.put("quality", quality);
    n.put("color", color == ColorHandling.KEEP_ICC ? "keep-icc" : "srgb");
    return n.toString();
  }

  /**
   * The settings hash, computed as the reference computes its own (Java's {@code String.hashCode}
   * in signed hex), but over quality and colour handling too, so that changing them regenerates.
   */
  public String configHash() {
    return Integer.toString(settingsJson().hashCode(), 16);
  }

  /** The configured sizes as JSON, e.g. {@code {"small":128}}. */
  String sizesJson() {
    ObjectNode s = JSON.createObjectNode();
    sizes.forEach(s::put);
    return s.toString();
  }

  private static Map<String, Integer> defaultSizes() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("small", 128);
    m.put("medium", 256);
    m.put("large", 512);
    return Collections.unmodifiableMap(m);
  }

  private static void checkSizes(Map<String, Integer> sizes) {
    if (sizes.isEmpty()) {
      throw new IllegalArgumentException("at least one thumbnail size is required");
    }
    sizes.forEach(
        (name, px) -> {
          if (name == null || !SIZE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                "bad thumbnail size name '" + name + "' (lower-case letters, digits, - and _)");
          }
          if (px == null || px < 1 || px > 8192) {
            throw new IllegalArgumentException(
                "thumbnail size " + name + " must be 1 to 8192 pixels: " + px);
          }
        });
  }

  /** Builds a {@link ThumbnailConfig}; setters check their values at once. */
  public static final class Builder {
    private final FileSync files;
    private Map<String, Integer> sizes = new LinkedHashMap<>(DEFAULT_SIZES);
    private ImageFormat format = ImageFormat.WEBP;
    private int quality = 80;
    private ColorHandling color = ColorHandling.CONVERT_TO_SRGB;
    private int concurrency = 2;
    private int maxAttempts = 3;
    private Duration retryDelay = Duration.ofSeconds(2);
    private long maxPixels = ImagePreprocessor.DEFAULT_MAX_PIXELS;
    private ImageBackend backend;
    private Path directory;
    private boolean background = true;

    private Builder(FileSync files) {
      this.files = files;
    }

    /** The sizes by name (largest width or height in pixels); names are lower-case words. */
    public Builder sizes(Map<String, Integer> sizes) {
      Map<String, Integer> copy = new LinkedHashMap<>(sizes);
      checkSizes(copy);
      this.sizes = copy;
      return this;
    }

    /** JPEG, WebP (the default) or PNG. */
    public Builder format(ImageFormat format) {
      if (format == null || format == ImageFormat.KEEP) {
        throw new IllegalArgumentException("thumbnails need jpeg, webp or png, not " + format);
      }
      this.format = format;
      return this;
    }

    /** The JPEG and WebP quality, 1 to 100 (80 by default). */
    public Builder quality(int quality) {
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("quality must be 1 to 100: " + quality);
      }
      this.quality = quality;
      return this;
    }

    /** Colour handling; thumbnails are converted to sRGB by default. */
    public Builder colorHandling(ColorHandling color) {
      if (color == null) {
        throw new IllegalArgumentException("color handling is required");
      }
      this.color = color;
      return this;
    }

    /** How many images are decoded at once (2 by default). */
    public Builder concurrency(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("concurrency must be 1 to 64: " + n);
      }
      this.concurrency = n;
      return this;
    }

    /** Attempts for failures that may pass, and the first retry delay (doubling). */
    public Builder retry(int maxAttempts, Duration firstDelay) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      if (firstDelay == null || firstDelay.isNegative()) {
        throw new IllegalArgumentException("bad retry delay: " + firstDelay);
      }
      this.maxAttempts = maxAttempts;
      this.retryDelay = firstDelay;
      return this;
    }

    /** The pixel limit (100 megapixels by default). */
    public Builder maxPixels(long maxPixels) {
      if (maxPixels < 1) {
        throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
      }
      this.maxPixels = maxPixels;
      return this;
    }

    /** The backend ({@link ImageBackends#best()} by default). */
    public Builder backend(ImageBackend backend) {
      if (backend == null) {
        throw new IllegalArgumentException("backend is required");
      }
      this.backend = backend;
      return this;
    }

    /** Where thumbnails are written ({@code <local root>/thumbnails} by default). */
    public Builder directory(Path directory) {
      this.directory = directory;
      return this;
    }

    /**
     * {@code false} makes no thumbnail in the background and leaves the stored state and settings
     * alone: only {@link Thumbnails#generate} makes them (a one-off tool beside an application with
     * other settings).
     */
    public Builder generateInBackground(boolean background) {
      this.background = background;
      return this;
    }

    /** Builds the configuration. */
    public ThumbnailConfig build() {
      return new ThumbnailConfig(this);
    }

    /** Builds the configuration and starts {@link Thumbnails} with it. */
    public Thumbnails start() throws java.io.IOException {
      return Thumbnails.start(build());
    }
  }
}
