package dev.filesync.image.vips;

import dev.filesync.image.ColorHandling;
import dev.filesync.image.ImageBackend;
import dev.filesync.image.ImageBackends;
import dev.filesync.image.ImageException;
import dev.filesync.image.ImageException.Reason;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImageInfo;
import dev.filesync.image.internal.ImageSniffer;
import dev.filesync.image.internal.JavaImageBackend;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The libvips backend. It follows the rules of {@link ImageBackend} the same way the Java backend
 * does, so the two agree on every output's size and, within a small tolerance, on its pixels:
 *
 * <ul>
 *   <li>Formats are recognized by the same sniffer as the Java backend, and only libvips' JPEG,
 *       PNG, GIF, WebP and TIFF loaders are used. A file of a known type that libvips does not read
 *       with one of those (BMP, which libvips only reads through ImageMagick) is handed to the Java
 *       backend, so both backends read the same files.
 *   <li>The header is opened first ({@code vips_image_new_from_file} reads no pixels) for the pixel
 *       limit and the displayed size; then {@code vips_thumbnail} decodes the file once, with
 *       shrink-on-load, straight to the largest target's size, applying the orientation. Every size
 *       is computed here by the contract's rule and forced ({@code size=force}), since libvips' own
 *       rounding differs by a pixel after shrink-on-load. Smaller targets are resized from that
 *       in-memory image.
 *   <li>Truncated files fail ({@code fail_on=truncated}) instead of getting a grey tail.
 *   <li>Outputs carry no metadata except, with {@link ColorHandling#KEEP_ICC} for JPEG and PNG, the
 *       source's ICC profile; otherwise pixels are converted to sRGB through the embedded profile.
 *   <li>Each output goes to a temporary file in its directory and is moved into place atomically.
 * </ul>
 *
 * <p>Paths outside the default file system (and names libvips would read as {@code [options]}) are
 * copied to a temporary file first, since libvips opens files by name. Thread-safe.
 */
final class VipsImageBackend implements ImageBackend {
  /** The libvips loaders (class-name prefixes) trusted for each sniffed type. */
  private static final Map<String, List<String>> LOADERS =
      Map.of(
          "image/jpeg", List.of("VipsForeignLoadJpeg"),
          "image/png", List.of("VipsForeignLoadPng"),
          "image/gif", List.of("VipsForeignLoadNsgif", "VipsForeignLoadGif"),
          "image/webp", List.of("VipsForeignLoadWebp"),
          "image/tiff", List.of("VipsForeignLoadTiff"));

  private final Vips vips;
  private final ImageBackend fallback;

  private VipsImageBackend(Vips vips, ImageBackend fallback) {
    this.vips = vips;
    this.fallback = fallback;
  }

  /**
   * Loads libvips from {@code library}; called by the provider, reflectively (the provider is
   * compiled for older Java versions than this class).
   *
   * @throws UnsupportedOperationException saying why libvips cannot be used here
   */
  static ImageBackend load(String library) {
    return new VipsImageBackend(Vips.load(library), ImageBackends.java());
  }

  @Override
  public String name() {
    return "libvips " + vips.version();
  }

  @Override
  public ImageInfo probe(Path source, long maxPixels) throws IOException {
    String mime = ImageSniffer.requireImage(source);
    try (LocalFile local = LocalFile.of(source)) {
      String file = local.name();
      if (!readsItself(mime, file)) {
        return fallback.probe(source, maxPixels);
      }
      try (Vips.Image header = header(file, mime)) {
        ImageSniffer.checkPixels(header.width(), header.height(), maxPixels);
        return displayed(mime, header);
      }
    } finally {
      vips.threadShutdown();
    }
  }

  @Override
  public List<ImageInfo> render(
      Path source, List<Target> targets, Encoding encoding, long maxPixels) throws IOException {
    if (targets.isEmpty()) {
      return List.of();
    }
    String mime = ImageSniffer.requireImage(source);
    try (LocalFile local = LocalFile.of(source)) {
      String file = local.name();
      if (!readsItself(mime, file)) {
        return fallback.render(source, targets, encoding, maxPixels);
      }
      ImageInfo shown;
      boolean hasProfile;
      try (Vips.Image header = header(file, mime)) {
        ImageSniffer.checkPixels(header.width(), header.height(), maxPixels);
        shown = displayed(mime, header);
        hasProfile = header.has(Vips.ICC_FIELD);
      }
      List<int[]> sizes = new ArrayList<>();
      int[] largest = {0, 0};
      for (Target t : targets) {
        int[] size = JavaImageBackend.scaledSize(shown.width(), shown.height(), t.maxDimension());
        sizes.add(size);
        if (size[0] > largest[0] || (size[0] == largest[0] && size[1] > largest[1])) {
          largest = size;
        }
      }
      boolean toSrgb =
          encoding.color() == ColorHandling.CONVERT_TO_SRGB
              || encoding.format() == ImageFormat.WEBP;
      List<ImageInfo> out = new ArrayList<>();
      try (Vips.Image master = decode(file, mime, largest, toSrgb && hasProfile)) {
        for (int i = 0; i < targets.size(); i++) {
          int[] size = sizes.get(i);
          write(master, size, encoding, !toSrgb, targets.get(i).output());
          out.add(new ImageInfo(encoding.format().mimeType(), size[0], size[1]));
        }
      }
      return out;
    } finally {
      vips.threadShutdown();
    }
  }

  // ------------------------------------------------------------------ reading

  /** Whether libvips reads {@code file} with a loader trusted for {@code mime}. */
  private boolean readsItself(String mime, String file) {
    String loader = vips.findLoader(file);
    if (loader == null) {
      vips.takeError(); // "not a known file format": the Java backend gives its own verdict
      return false;
    }
    for (String prefix : LOADERS.getOrDefault(mime, List.of())) {
      if (loader.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private Vips.Image header(String file, String mime) throws ImageException {
    Optional<Vips.Image> header = vips.openHeader(file);
    if (header.isEmpty()) {
      throw new ImageException(
          Reason.CORRUPT, "unreadable " + mime + " header: " + vips.takeError());
    }
    return header.get();
  }

  private static ImageInfo displayed(String mime, Vips.Image header) {
    int w = header.width();
    int h = header.height();
    return header.orientation() >= 5 ? new ImageInfo(mime, h, w) : new ImageInfo(mime, w, h);
  }

  /**
   * Decodes the file once into memory at {@code size} (the largest target), oriented, in 8-bit
   * samples, converted to sRGB when asked (only images with a profile need it: libvips converts
   * CMYK by itself).
   */
  private Vips.Image decode(String file, String mime, int[] size, boolean exportSrgb)
      throws ImageException {
    List<Object> options = new ArrayList<>();
    options.addAll(
        List.of(
            size[0],
            "height",
            size[1],
            "size",
            Vips.SIZE_FORCE,
            "fail_on",
            Vips.FAIL_ON_TRUNCATED));
    if (exportSrgb) {
      options.addAll(List.of("export_profile", "srgb"));
    }
    Optional<Vips.Image> thumb = vips.op("vips_thumbnail", 3, file, options.toArray());
    if (thumb.isEmpty()) {
      throw corrupt(mime);
    }
    try (Vips.Image t = thumb.get();
        Vips.Image eight = eightBit(t, mime)) {
      Optional<Vips.Image> memory = vips.copyMemory(eight);
      if (memory.isEmpty()) {
        throw corrupt(mime);
      }
      return memory.get();
    }
  }

  private ImageException corrupt(String mime) {
    return new ImageException(
        Reason.CORRUPT, "corrupt or truncated " + mime + ": " + vips.takeError());
  }

  /** 16-bit (or float) images become 8-bit sRGB or grey, as the Java backend writes them. */
  private Vips.Image eightBit(Vips.Image in, String mime) throws ImageException {
    if (in.format() == Vips.FORMAT_UCHAR) {
      return in.ref();
    }
    int space = in.bands() >= 3 ? Vips.INTERPRETATION_SRGB : Vips.INTERPRETATION_B_W;
    Optional<Vips.Image> out = vips.op("vips_colourspace", 3, in.ptr, space);
    if (out.isEmpty()) {
      throw new ImageException(
          Reason.UNSUPPORTED,
          "libvips cannot make 8-bit pixels of this " + mime + ": " + vips.takeError());
    }
    return out.get();
  }

  // ------------------------------------------------------------------ writing

  private void write(Vips.Image master, int[] size, Encoding enc, boolean mayKeepIcc, Path output)
      throws IOException {
    boolean keepIcc = mayKeepIcc && enc.format() != ImageFormat.WEBP;
    try (Vips.Image sized = resize(master, size);
        Vips.Image flat =
            enc.format() == ImageFormat.JPEG && sized.hasAlpha() ? overWhite(sized) : sized.ref();
        Vips.Image clean = withoutMetadata(flat, keepIcc)) {
      save(clean, enc, !keepIcc, output);
    }
  }

  private Vips.Image resize(Vips.Image master, int[] size) throws IOException {
    if (master.width() == size[0] && master.height() == size[1]) {
      return master.ref();
    }
    return check(
        vips.op(
            "vips_thumbnail_image",
            3,
            master.ptr,
            size[0],
            "height",
            size[1],
            "size",
            Vips.SIZE_FORCE,
            "no_rotate",
            true),
        "resize");
  }

  /** Lays the image over white, as JPEG has no alpha. */
  private Vips.Image overWhite(Vips.Image in) throws IOException {
    var white = in.bands() <= 2 ? vips.doubles(255) : vips.doubles(255, 255, 255);
    try {
      return check(vips.op("vips_flatten", 2, in.ptr, "background", white), "flatten");
    } finally {
      vips.unrefArea(white);
    }
  }

  /**
   * A copy without EXIF, XMP, IPTC, comments or any other metadata (the orientation is already
   * applied, and thumbnails should not carry a photo's location), keeping only the ICC profile when
   * asked.
   */
  private Vips.Image withoutMetadata(Vips.Image in, boolean keepIcc) throws IOException {
    Vips.Image copy = check(vips.op("vips_copy", 2, in.ptr), "copy");
    for (String field : copy.fields()) {
      if (!(keepIcc && field.equals(Vips.ICC_FIELD))) {
        copy.remove(field);
      }
    }
    return copy;
  }

  private Vips.Image check(Optional<Vips.Image> image, String what) throws IOException {
    if (image.isEmpty()) {
      throw new IOException("libvips could not " + what + " the image: " + vips.takeError());
    }
    return image.get();
  }

  private void save(Vips.Image img, Encoding enc, boolean strip, Path output) throws IOException {
    Path dir = output.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    boolean direct = dir.getFileSystem() == FileSystems.getDefault();
    Path tmp = Files.createTempFile(dir, ".image-", ".tmp");
    Path written = tmp;
    try {
      if (!direct) {
        written = Files.createTempFile("filesync-vips-", ".out");
      }
      String file = written.toString();
      boolean ok =
          switch (enc.format()) {
            case JPEG -> vips.save("vips_jpegsave", img, file, "Q", enc.quality(), "strip", strip);
            case WEBP -> vips.save("vips_webpsave", img, file, "Q", enc.quality(), "strip", strip);
            case PNG -> vips.save("vips_pngsave", img, file, "strip", strip);
            case KEEP -> throw new IllegalArgumentException("KEEP is not an output format");
          };
      if (!ok) {
        throw new IOException("libvips could not write " + output + ": " + vips.takeError());
      }
      if (!direct) {
        Files.copy(written, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
      if (!direct) {
        Files.deleteIfExists(written);
      }
    }
  }

  /** A file libvips can open by name: the source itself, or a temporary copy deleted on close. */
  private record LocalFile(Path path, boolean temporary) implements AutoCloseable {
    static LocalFile of(Path source) throws IOException {
      if (source.getFileSystem() == FileSystems.getDefault()
          && !source.getFileName().toString().endsWith("]")) {
        return new LocalFile(source.toAbsolutePath(), false);
      }
      Path tmp = Files.createTempFile("filesync-vips-", ".in");
      try {
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      return new LocalFile(tmp, true);
    }

    String name() {
      return path.toString();
    }

    @Override
    public void close() throws IOException {
      if (temporary) {
        Files.deleteIfExists(path);
      }
    }
  }
}
