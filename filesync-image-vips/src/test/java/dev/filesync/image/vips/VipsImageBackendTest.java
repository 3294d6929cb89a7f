package dev.filesync.image.vips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.filesync.image.ColorHandling;
import dev.filesync.image.ImageBackend;
import dev.filesync.image.ImageBackend.Encoding;
import dev.filesync.image.ImageBackend.Target;
import dev.filesync.image.ImageBackends;
import dev.filesync.image.ImageException;
import dev.filesync.image.ImageException.Reason;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImageInfo;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The libvips backend against the Java backend, which is the reference: same sizes, pixels within a
 * tolerance, same errors. Skipped when libvips cannot be loaded, unless {@code
 * -Dfilesync.requireVips=true} (CI), where that is a failure.
 */
class VipsImageBackendTest {
  private static final long MAX_PIXELS = 50_000_000;

  /**
   * The largest mean absolute difference per channel (of 255) allowed between the two backends' PNG
   * outputs. Both decode the same bytes; what differs is the resampling (libvips' shrink-on-load
   * and Lanczos-3, Thumbnailator's progressive bilinear after a subsampled decode) and rounding.
   * Measured on these gradients: at most 1.0 (PNG with alpha at 100 px), 0.00 at full size.
   */
  private static final double LOSSLESS_TOLERANCE = 2.0;

  /**
   * The same for JPEG and WebP outputs, which add one lossy encoding each. Measured: at most 3.0,
   * for the GIF's palette bands saved as JPEG at quality 90, where libvips keeps full chroma
   * resolution (it subsamples chroma below quality 90 only) and the JDK's writer subsamples it; at
   * quality 89 the same case measures 1.1. Everything else is within 1.9 (the GIF as WebP at 100
   * px), most within 1.5.
   */
  private static final double LOSSY_TOLERANCE = 4.0;

  private static ImageBackend vips;
  private static final ImageBackend JAVA = ImageBackends.java();

  @TempDir static Path sources;
  @TempDir Path tmp;

  private static String unavailable;

  /**
   * Loads libvips once. When it cannot be loaded every test is skipped with the reason, or the
   * class fails at once when {@code filesync.requireVips=true} (CI, which installs libvips).
   */
  @BeforeAll
  static void loadLibvips() throws IOException {
    VipsImageBackendProvider provider = new VipsImageBackendProvider();
    Optional<ImageBackend> backend = provider.create();
    if (backend.isEmpty()) {
      unavailable = "libvips is not available: " + provider.unavailableReason();
      if (Boolean.getBoolean("filesync.requireVips")) {
        fail(unavailable + " (and filesync.requireVips=true: install libvips42, e.g. in .ci/run)");
      }
      return;
    }
    vips = backend.get();
    makeSources(sources);
  }

  @BeforeEach
  void skipWithoutLibvips() {
    Assumptions.assumeTrue(vips != null, unavailable);
  }

  // ------------------------------------------------------------------ the sources

  private static void makeSources(Path dir) throws IOException {
    BufferedImage rgb = TestImages.gradient(TestImages.W, TestImages.H, false);
    TestImages.jpeg(rgb, dir.resolve("rgb.jpg"));
    TestImages.png(TestImages.gradient(TestImages.W, TestImages.H, true), dir.resolve("alpha.png"));
    TestImages.png16(TestImages.W, TestImages.H, dir.resolve("deep.png"));
    TestImages.gif(TestImages.W, TestImages.H, dir.resolve("two-frames.gif"));
    TestImages.webp(rgb, dir.resolve("rgb.webp"));
    TestImages.webp(
        TestImages.gradient(TestImages.W, TestImages.H, true), dir.resolve("alpha.webp"));
    TestImages.jpegWithOrientation(rgb, 6, dir.resolve("rotated.jpg"));
    ICC_Profile linear = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB);
    TestImages.jpegWithProfile(rgb, linear, dir.resolve("linear-icc.jpg"));
    TestImages.pngWithProfile(rgb, linear, dir.resolve("linear-icc.png"));
  }

  static Stream<Arguments> parityCases() {
    List<Arguments> cases = new ArrayList<>();
    for (String source :
        List.of(
            "rgb.jpg",
            "alpha.png",
            "deep.png",
            "two-frames.gif",
            "rgb.webp",
            "alpha.webp",
            "rotated.jpg")) {
      for (ImageFormat format : List.of(ImageFormat.JPEG, ImageFormat.WEBP, ImageFormat.PNG)) {
        cases.add(Arguments.of(source, format, ColorHandling.KEEP_ICC));
      }
    }
    // A JPEG in another colour space: the Java backend's reader converts it to sRGB even when
    // the profile is to be kept, libvips keeps the values and the profile; both show the same
    // colours. A kept profile is not compared in PNG, as ImageIO's PNG reader ignores it.
    for (ImageFormat format : List.of(ImageFormat.JPEG, ImageFormat.WEBP, ImageFormat.PNG)) {
      cases.add(Arguments.of("linear-icc.jpg", format, ColorHandling.CONVERT_TO_SRGB));
    }
    for (ImageFormat format : List.of(ImageFormat.JPEG, ImageFormat.WEBP)) {
      cases.add(Arguments.of("linear-icc.jpg", format, ColorHandling.KEEP_ICC));
    }
    // A PNG in another colour space: both backends keep the values and the profile, or convert.
    // Kept in PNG, the raw values are compared (ImageIO ignores the profile on both sides).
    for (ColorHandling color : ColorHandling.values()) {
      for (ImageFormat format : List.of(ImageFormat.JPEG, ImageFormat.WEBP, ImageFormat.PNG)) {
        cases.add(Arguments.of("linear-icc.png", format, color));
      }
    }
    return cases.stream();
  }

  // ------------------------------------------------------------------ parity

  @ParameterizedTest(name = "{0} -> {1} ({2})")
  @MethodSource("parityCases")
  void rendersLikeTheJavaBackend(String name, ImageFormat format, ColorHandling color)
      throws IOException {
    Path source = sources.resolve(name);
    Encoding enc = new Encoding(format, 90, color);
    int[] maxes = {100, 257, 0};
    List<Target> viaJava = new ArrayList<>();
    List<Target> viaVips = new ArrayList<>();
    for (int max : maxes) {
      viaJava.add(new Target(max, tmp.resolve("java-" + max + "." + format.extension())));
      viaVips.add(new Target(max, tmp.resolve("vips-" + max + "." + format.extension())));
    }

    assertThat(vips.probe(source, MAX_PIXELS)).isEqualTo(JAVA.probe(source, MAX_PIXELS));
    List<ImageInfo> expected = JAVA.render(source, viaJava, enc, MAX_PIXELS);
    List<ImageInfo> actual = vips.render(source, viaVips, enc, MAX_PIXELS);

    assertThat(actual).isEqualTo(expected);
    if (color == ColorHandling.KEEP_ICC && name.startsWith("linear-icc.png")) {
      // both backends embed the source's profile when they keep it (WebP: converted instead)
      byte[] profile = TestImages.pngProfile(source);
      for (Target t : List.of(viaJava.get(0), viaVips.get(0))) {
        byte[] kept =
            switch (format) {
              case JPEG -> TestImages.jpegProfile(t.output());
              case PNG -> TestImages.pngProfile(t.output());
              default -> null;
            };
        assertThat(kept)
            .as("profile in %s", t.output())
            .isEqualTo(format == ImageFormat.WEBP ? null : profile);
      }
    }
    double tolerance = format == ImageFormat.PNG ? LOSSLESS_TOLERANCE : LOSSY_TOLERANCE;
    for (int i = 0; i < maxes.length; i++) {
      BufferedImage j = TestImages.read(viaJava.get(i).output());
      BufferedImage v = TestImages.read(viaVips.get(i).output());
      assertThat(v.getWidth()).isEqualTo(expected.get(i).width()).isEqualTo(j.getWidth());
      assertThat(v.getHeight()).isEqualTo(expected.get(i).height()).isEqualTo(j.getHeight());
      double diff = TestImages.meanDifference(j, v);
      System.out.printf(
          Locale.ROOT,
          "parity %-14s -> %-4s %-15s max %3d (%3dx%3d): mean |diff| %.2f%n",
          name,
          format.extension(),
          color,
          maxes[i],
          v.getWidth(),
          v.getHeight(),
          diff);
      assertThat(diff).as("mean difference at max %d", maxes[i]).isLessThan(tolerance);
    }
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList())
          .as("nothing but the outputs is left behind")
          .allMatch(f -> f.startsWith("java-") || f.startsWith("vips-"));
    }
  }

  @Test
  void sizesFollowTheContractWhereLibvipsWouldRoundOtherwise() throws IOException {
    // libvips' own bounding-box sizes (size=down) for these are 100x41, 512x432 and 257x183
    int[][] cases = {
      {1605, 650, 100, 100, 40}, {2219, 1870, 512, 512, 431}, {3873, 2766, 257, 257, 184}
    };
    for (int[] c : cases) {
      Path source = TestImages.jpeg(TestImages.gradient(c[0], c[1], false), tmp.resolve("s.jpg"));
      Path out = tmp.resolve("out.jpg");
      assertThat(
              vips.render(
                  source, List.of(new Target(c[2], out)), jpeg(ColorHandling.KEEP_ICC), MAX_PIXELS))
          .as("%dx%d in %d", c[0], c[1], c[2])
          .containsExactly(new ImageInfo("image/jpeg", c[3], c[4]));
      BufferedImage img = TestImages.read(out);
      assertThat(new int[] {img.getWidth(), img.getHeight()}).containsExactly(c[3], c[4]);
    }
  }

  @Test
  void appliesTheExifOrientation() throws IOException {
    Path source = sources.resolve("rotated.jpg");
    assertThat(vips.probe(source, MAX_PIXELS))
        .isEqualTo(new ImageInfo("image/jpeg", TestImages.H, TestImages.W));
    Path out = tmp.resolve("out.png");
    vips.render(source, List.of(new Target(0, out)), png(), MAX_PIXELS);
    BufferedImage img = TestImages.read(out);
    // rotated 90 degrees clockwise: the source's left column (red 0, green rising downwards) is
    // now the top row, green rising from right to left
    assertThat(img.getWidth()).isEqualTo(TestImages.H);
    int topRight = img.getRGB(img.getWidth() - 1, 0);
    int topLeft = img.getRGB(0, 0);
    assertThat((topRight >> 8) & 0xFF).isLessThan(10);
    assertThat((topLeft >> 8) & 0xFF).isGreaterThan(245);
    assertThat((topLeft >> 16) & 0xFF).isLessThan(10);
  }

  @Test
  void keepsTheProfileOnlyWhenAsked() throws IOException {
    Path source = sources.resolve("linear-icc.jpg");
    Path kept = tmp.resolve("kept.jpg");
    Path converted = tmp.resolve("converted.jpg");
    Path webp = tmp.resolve("kept.webp");
    Path png = tmp.resolve("kept.png");
    vips.render(source, List.of(new Target(100, png)), png(), MAX_PIXELS);
    vips.render(source, List.of(new Target(100, kept)), jpeg(ColorHandling.KEEP_ICC), MAX_PIXELS);
    vips.render(
        source,
        List.of(new Target(100, converted)),
        jpeg(ColorHandling.CONVERT_TO_SRGB),
        MAX_PIXELS);
    vips.render(
        source,
        List.of(new Target(100, webp)),
        new Encoding(ImageFormat.WEBP, 80, ColorHandling.KEEP_ICC),
        MAX_PIXELS);
    byte[] profile = TestImages.jpegProfile(source);
    assertThat(new String(profile, StandardCharsets.ISO_8859_1)).contains("linear sRGB");
    assertThat(TestImages.jpegProfile(kept)).isEqualTo(profile);
    assertThat(contains(png, "iCCP")).isTrue();
    assertThat(contains(converted, "ICC_PROFILE")).isFalse();
    assertThat(contains(webp, "ICCP")).isFalse();
    assertThat(contains(kept, "Exif") && containsExifOrientationOtherThan1(kept)).isFalse();
  }

  @Test
  void writesNoSourceMetadata() throws IOException {
    Path out = tmp.resolve("out.jpg");
    vips.render(
        sources.resolve("rotated.jpg"),
        List.of(new Target(100, out)),
        jpeg(ColorHandling.CONVERT_TO_SRGB),
        MAX_PIXELS);
    assertThat(contains(out, "Exif")).isFalse(); // stripped, orientation applied
  }

  // ------------------------------------------------------------------ errors

  @Test
  void truncatedFilesAreCorrupt() throws IOException {
    for (String name : List.of("rgb.jpg", "alpha.png")) {
      byte[] bytes = Files.readAllBytes(sources.resolve(name));
      Path cut = tmp.resolve("cut-" + name);
      Files.write(cut, Arrays.copyOf(bytes, bytes.length * 6 / 10));
      Path out = tmp.resolve("out.png");
      for (ImageBackend backend : List.of(JAVA, vips)) {
        assertThatThrownBy(
                () -> backend.render(cut, List.of(new Target(64, out)), png(), MAX_PIXELS))
            .as("%s on %s", backend.name(), name)
            .isInstanceOfSatisfying(
                ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
      }
      assertThat(out).doesNotExist();
    }
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).allMatch(f -> f.startsWith("cut-"));
    }
  }

  @Test
  void hugeDeclaredSizeIsRefusedFromTheHeader() throws IOException {
    // 10^10 pixels (30 GB decoded); the data after the header is junk, so only a refusal made
    // from the header alone can say TOO_LARGE
    Path bomb = TestImages.pngHeaderOnly(100_000, 100_000, tmp.resolve("bomb.png"));
    Path out = tmp.resolve("out.png");
    assertThatThrownBy(() -> vips.probe(bomb, MAX_PIXELS))
        .isInstanceOfSatisfying(
            ImageException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
              assertThat(e).hasMessageContaining("100000x100000");
            });
    assertThatThrownBy(() -> vips.render(bomb, List.of(new Target(64, out)), png(), MAX_PIXELS))
        .isInstanceOfSatisfying(
            ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThat(out).doesNotExist();
  }

  @Test
  void textIsUnsupported() throws IOException {
    Path text = Files.writeString(tmp.resolve("notes.txt"), "3 3\n1 2 3\nnot an image\n");
    for (ImageBackend backend : List.of(JAVA, vips)) {
      assertThatThrownBy(() -> backend.probe(text, MAX_PIXELS))
          .isInstanceOfSatisfying(
              ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
      assertThatThrownBy(
              () ->
                  backend.render(
                      text, List.of(new Target(64, tmp.resolve("x.png"))), png(), MAX_PIXELS))
          .isInstanceOfSatisfying(
              ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }
  }

  @Test
  void missingFileIsAnIoError() {
    Path missing = tmp.resolve("missing.jpg");
    assertThatThrownBy(() -> vips.probe(missing, MAX_PIXELS))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(ImageException.class);
  }

  // ------------------------------------------------------------------ files

  @Test
  void formatsLibvipsDoesNotTrustGoToTheJavaBackend() throws IOException {
    Path bmp = tmp.resolve("image.bmp");
    ImageIO.write(TestImages.gradient(64, 48, false), "bmp", bmp.toFile());
    Path out = tmp.resolve("out.png");
    assertThat(vips.probe(bmp, MAX_PIXELS)).isEqualTo(new ImageInfo("image/bmp", 64, 48));
    assertThat(vips.render(bmp, List.of(new Target(32, out)), png(), MAX_PIXELS))
        .containsExactly(new ImageInfo("image/png", 32, 24));
  }

  @Test
  void readsAndWritesOtherFileSystems() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Path source = Files.copy(sources.resolve("rotated.jpg"), fs.getPath("/photo"));
      Path out = fs.getPath("/thumbs/small.webp");
      List<ImageInfo> info =
          vips.render(
              source,
              List.of(new Target(64, out)),
              new Encoding(ImageFormat.WEBP, 80, ColorHandling.KEEP_ICC),
              MAX_PIXELS);
      assertThat(info).containsExactly(new ImageInfo("image/webp", 43, 64));
      assertThat(vips.probe(out, MAX_PIXELS)).isEqualTo(new ImageInfo("image/webp", 43, 64));
      try (Stream<Path> files = Files.list(fs.getPath("/thumbs"))) {
        assertThat(files).containsExactly(out);
      }
    }
  }

  @Test
  void namesLibvipsWouldReadAsOptionsWork() throws IOException {
    Path odd = Files.copy(sources.resolve("rgb.jpg"), tmp.resolve("photo[Q=1]"));
    Path out = tmp.resolve("out[1].jpg");
    assertThat(vips.probe(odd, MAX_PIXELS).width()).isEqualTo(TestImages.W);
    vips.render(odd, List.of(new Target(64, out)), jpeg(ColorHandling.KEEP_ICC), MAX_PIXELS);
    assertThat(TestImages.read(out).getWidth()).isEqualTo(64);
  }

  @Test
  void aReplacedFileIsReadAgain() throws IOException {
    // libvips caches operations by their arguments, the file name included: the backend turns
    // the cache off, so a file replaced under the same name is never answered from memory
    Path file = tmp.resolve("changing.png");
    Path out = tmp.resolve("out.png");
    TestImages.png(TestImages.gradient(40, 30, false), file);
    assertThat(vips.probe(file, MAX_PIXELS).width()).isEqualTo(40);
    vips.render(file, List.of(new Target(0, out)), png(), MAX_PIXELS);
    assertThat(TestImages.read(out).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x0000FF);

    BufferedImage other = new BufferedImage(50, 20, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 50; x++) {
        other.setRGB(x, y, 0x00FF00);
      }
    }
    TestImages.png(other, file);
    assertThat(vips.probe(file, MAX_PIXELS).width()).isEqualTo(50);
    assertThat(vips.render(file, List.of(new Target(0, out)), png(), MAX_PIXELS))
        .containsExactly(new ImageInfo("image/png", 50, 20));
    assertThat(TestImages.read(out).getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x00FF00);
  }

  // ------------------------------------------------------------------ threads and loading

  @Test
  void rendersFromFourThreadsAtOnce() throws Exception {
    List<String> names = List.of("rgb.jpg", "alpha.png", "deep.png", "rotated.jpg");
    Encoding enc = new Encoding(ImageFormat.JPEG, 85, ColorHandling.KEEP_ICC);
    // the reference outputs, one thread
    List<byte[]> expected = new ArrayList<>();
    for (String name : names) {
      Path out = tmp.resolve("ref-" + name + ".jpg");
      vips.render(sources.resolve(name), List.of(new Target(120, out)), enc, MAX_PIXELS);
      expected.add(Files.readAllBytes(out));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int round = 0; round < 10; round++) {
                    int i = (thread + round) % names.size();
                    Path out = tmp.resolve("t" + thread + "-" + round + ".jpg");
                    List<ImageInfo> info =
                        vips.render(
                            sources.resolve(names.get(i)),
                            List.of(new Target(120, out)),
                            enc,
                            MAX_PIXELS);
                    assertThat(info).hasSize(1);
                    assertThat(Files.readAllBytes(out))
                        .as("thread %d round %d (%s)", thread, round, names.get(i))
                        .isEqualTo(expected.get(i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void isFoundThroughTheServiceLoader() {
    assertThat(
            ServiceLoader.load(ImageBackend.Provider.class).stream().map(p -> p.type().getName()))
        .contains(VipsImageBackendProvider.class.getName());
    assertThat(ImageBackends.best().name()).isEqualTo(vips.name());
    assertThat(vips.name()).matches("libvips \\d+\\.\\d+\\.\\d+");
    assertThat(new VipsImageBackendProvider().create()).containsSame(vips);
  }

  // ------------------------------------------------------------------ helpers

  private static Encoding png() {
    return new Encoding(ImageFormat.PNG, 100, ColorHandling.KEEP_ICC);
  }

  private static Encoding jpeg(ColorHandling color) {
    return new Encoding(ImageFormat.JPEG, 85, color);
  }

  private static boolean contains(Path file, String marker) throws IOException {
    String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    return bytes.contains(marker);
  }

  /** Whether an EXIF orientation tag (0x0112) with a value other than 1 is present. */
  private static boolean containsExifOrientationOtherThan1(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    for (int i = 0; i + 10 < b.length; i++) {
      boolean little = b[i] == 0x12 && b[i + 1] == 0x01 && b[i + 2] == 3 && b[i + 3] == 0;
      boolean big = b[i] == 0x01 && b[i + 1] == 0x12 && b[i + 2] == 0 && b[i + 3] == 3;
      if ((little && b[i + 8] != 1) || (big && b[i + 9] != 1)) {
        return true;
      }
    }
    return false;
  }
}
