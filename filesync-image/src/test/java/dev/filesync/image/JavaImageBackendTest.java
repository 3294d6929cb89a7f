package dev.filesync.image;

import static dev.filesync.image.TestImages.BLUE;
import static dev.filesync.image.TestImages.RED;
import static dev.filesync.image.TestImages.file;
import static dev.filesync.image.TestImages.near;
import static dev.filesync.image.TestImages.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.image.ImageBackend.Encoding;
import dev.filesync.image.ImageBackend.Target;
import dev.filesync.image.ImageException.Reason;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden tests of the pure-Java backend on images with known content. */
class JavaImageBackendTest {
  private static final long LIMIT = 50_000_000L;
  private static final Encoding PNG = new Encoding(ImageFormat.PNG, 90, ColorHandling.KEEP_ICC);
  private static final Encoding JPEG = new Encoding(ImageFormat.JPEG, 92, ColorHandling.KEEP_ICC);
  private static final Encoding WEBP = new Encoding(ImageFormat.WEBP, 90, ColorHandling.KEEP_ICC);

  private final ImageBackend backend = ImageBackends.java();

  @TempDir Path dir;

  private BufferedImage renderOne(Path src, int max, Encoding enc) throws IOException {
    Path out = dir.resolve("out-" + max + "." + enc.format().extension());
    List<ImageInfo> info = backend.render(src, List.of(new Target(max, out)), enc, LIMIT);
    BufferedImage img = read(out);
    assertThat(img.getWidth()).isEqualTo(info.get(0).width());
    assertThat(img.getHeight()).isEqualTo(info.get(0).height());
    assertThat(info.get(0).mimeType()).isEqualTo(enc.format().mimeType());
    return img;
  }

  @Test
  void exifOrientationIsApplied() throws IOException {
    // Stored 80x40, left red and right blue; orientation 6 displays it turned a quarter clockwise,
    // so the red half is on top.
    Path src = file(dir, "rotated.jpg", TestImages.exifRotatedJpeg(80, 40, 6));
    assertThat(backend.probe(src, LIMIT)).isEqualTo(new ImageInfo("image/jpeg", 40, 80));
    BufferedImage out = renderOne(src, 20, PNG);
    assertThat(out.getWidth()).isEqualTo(10);
    assertThat(out.getHeight()).isEqualTo(20);
    assertThat(near(out.getRGB(5, 2), RED, 40)).as("top is red").isTrue();
    assertThat(near(out.getRGB(5, 17), BLUE, 40)).as("bottom is blue").isTrue();
  }

  @Test
  void everyOrientationMapsTheRedHalfWhereExpected() throws IOException {
    // Where the stored left (red) half ends up for each orientation.
    String[] redSide = {null, "left", "right", "right", "left", "top", "top", "bottom", "bottom"};
    for (int o = 1; o <= 8; o++) {
      Path src = file(dir, "o" + o + ".jpg", TestImages.exifRotatedJpeg(80, 40, o));
      BufferedImage out = renderOne(src, 0, PNG);
      boolean swapped = o >= 5;
      assertThat(out.getWidth()).as("orientation " + o).isEqualTo(swapped ? 40 : 80);
      int w = out.getWidth();
      int h = out.getHeight();
      int probe =
          switch (redSide[o]) {
            case "left" -> out.getRGB(5, h / 2);
            case "right" -> out.getRGB(w - 5, h / 2);
            case "top" -> out.getRGB(w / 2, 5);
            default -> out.getRGB(w / 2, h - 5);
          };
      assertThat(near(probe, RED, 40)).as("orientation " + o + " red " + redSide[o]).isTrue();
    }
  }

  @Test
  void cmykJpegWithIccProfileComesOutAsRgb() throws IOException {
    Path src = file(dir, "cmyk.jpg", TestImages.cmykJpeg());
    assertThat(backend.probe(src, LIMIT)).isEqualTo(new ImageInfo("image/jpeg", 64, 48));
    BufferedImage out = renderOne(src, 0, PNG);
    // Golden values: what libvips' own `icc_transform cmyk-icc.jpg out.v srgb` gives at the same
    // points (the saturated blue is outside this print profile's gamut, hence 66,71,144).
    assertThat(near(out.getRGB(8, 8), new Color(197, 39, 46), 4)).isTrue();
    assertThat(near(out.getRGB(56, 8), new Color(31, 158, 58), 4)).isTrue();
    assertThat(near(out.getRGB(8, 40), new Color(66, 71, 144), 4)).isTrue();
    assertThat(near(out.getRGB(56, 40), new Color(246, 247, 247), 4)).isTrue();
    assertThat(TestImages.profileOf(dir.resolve("out-0.png"))).isNull();
  }

  @Test
  void pngAlphaIsKeptInPngAndWebpAndLaidOverWhiteInJpeg() throws IOException {
    Path src = file(dir, "alpha.png", TestImages.pngWithAlpha(64, 32));
    BufferedImage png = renderOne(src, 32, PNG);
    assertThat(png.getColorModel().hasAlpha()).isTrue();
    assertThat(png.getRGB(3, 8) >>> 24).isEqualTo(255);
    assertThat(png.getRGB(29, 8) >>> 24).isZero();
    BufferedImage webp = renderOne(src, 32, WEBP);
    assertThat(webp.getRGB(29, 8) >>> 24).isLessThan(10);
    BufferedImage jpeg = renderOne(src, 32, JPEG);
    assertThat(near(jpeg.getRGB(29, 8), Color.WHITE, 8)).isTrue();
    assertThat(near(jpeg.getRGB(3, 8), RED, 30)).isTrue();
  }

  @Test
  void sixteenBitPngBecomesEightBit() throws IOException {
    Path src = file(dir, "deep.png", TestImages.png16(40, 30));
    BufferedImage out = renderOne(src, 20, PNG);
    assertThat(out.getColorModel().getComponentSize(0)).isEqualTo(8);
    assertThat(near(out.getRGB(10, 7), new Color(0x80, 0x40, 0xC0), 2)).isTrue();
  }

  @Test
  void animatedGifGivesItsFirstFrame() throws IOException {
    Path src = file(dir, "anim.gif", TestImages.animatedGif(30, 20));
    assertThat(backend.probe(src, LIMIT)).isEqualTo(new ImageInfo("image/gif", 30, 20));
    BufferedImage out = renderOne(src, 0, PNG);
    assertThat(near(out.getRGB(15, 10), RED, 12)).isTrue();
  }

  @Test
  void webpIsReadAndWritten() throws IOException {
    Path src = file(dir, "in.webp", TestImages.webp(TestImages.halves(120, 60)));
    assertThat(backend.probe(src, LIMIT)).isEqualTo(new ImageInfo("image/webp", 120, 60));
    BufferedImage out = renderOne(src, 60, WEBP);
    assertThat(out.getWidth()).isEqualTo(60);
    assertThat(out.getHeight()).isEqualTo(30);
    assertThat(near(out.getRGB(5, 15), RED, 30)).isTrue();
    assertThat(near(out.getRGB(55, 15), BLUE, 30)).isTrue();
  }

  @Test
  void oneDecodeWritesEverySizeNeverUpscaling() throws IOException {
    Path src = file(dir, "photo.jpg", TestImages.jpeg(TestImages.photo(1000, 750), 90));
    List<Target> targets =
        Stream.of(128, 256, 512, 4000)
            .map(s -> new Target(s, dir.resolve("t" + s + ".jpg")))
            .toList();
    List<ImageInfo> out = backend.render(src, targets, JPEG, LIMIT);
    assertThat(out)
        .extracting(i -> i.width() + "x" + i.height())
        .containsExactly("128x96", "256x192", "512x384", "1000x750");
    // The gradient survives resizing: the top-left is dark red-ish, the bottom-right bright.
    BufferedImage small = read(dir.resolve("t128.jpg"));
    assertThat(new Color(small.getRGB(2, 2)).getRed()).isLessThan(70);
    assertThat(new Color(small.getRGB(125, 93)).getRed()).isGreaterThan(190);
  }

  @Test
  void aHugeDeclaredSizeIsRefusedBeforeDecoding() throws IOException {
    Path src = file(dir, "bomb.png", TestImages.pngDeclaring(100_000, 100_000));
    assertThatThrownBy(() -> backend.probe(src, LIMIT))
        .isInstanceOfSatisfying(
            ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
        .hasMessageContaining("100000x100000");
    Path out = dir.resolve("never.png");
    assertThatThrownBy(() -> backend.render(src, List.of(new Target(128, out)), PNG, LIMIT))
        .isInstanceOfSatisfying(
            ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE));
    assertThat(out).doesNotExist();
  }

  @Test
  void truncatedFilesAreCorruptAndWriteNothing() throws IOException {
    byte[] jpeg = TestImages.jpeg(TestImages.photo(400, 300), 90);
    byte[] png = TestImages.png(TestImages.photo(400, 300));
    for (Path src :
        List.of(
            file(dir, "cut.jpg", TestImages.truncated(jpeg, 0.5)),
            file(dir, "cut.png", TestImages.truncated(png, 0.5)))) {
      Path out = dir.resolve("out.png");
      assertThatThrownBy(() -> backend.render(src, List.of(new Target(128, out)), PNG, LIMIT))
          .as(src.getFileName().toString())
          .isInstanceOfSatisfying(
              ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
          .hasMessageContaining("corrupt or truncated");
      assertThat(out).doesNotExist();
      try (Stream<Path> left = Files.list(dir)) {
        assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
      }
    }
  }

  @Test
  void notAnImageIsUnsupported() throws IOException {
    Path src =
        file(dir, "notes.txt", "just some text, not pixels".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> backend.probe(src, LIMIT))
        .isInstanceOfSatisfying(
            ImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
  }

  @Test
  void iccProfileIsKeptOrConvertedAsConfigured() throws IOException {
    // Adobe RGB (200,100,50) is sRGB (227,100,42) (libvips' icc_transform gives the same): kept,
    // the values stay and the profile goes along; converted, the values change and no profile is
    // embedded.
    BufferedImage orange = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        orange.setRGB(x, y, new Color(200, 100, 50).getRGB());
      }
    }
    Path src = file(dir, "adobe.jpg", TestImages.jpegWithProfile(orange, TestImages.adobeRgb()));
    Path kept = dir.resolve("kept.jpg");
    backend.render(src, List.of(new Target(16, kept)), JPEG, LIMIT);
    assertThat(TestImages.profileOf(kept)).isNotNull();
    assertThat(TestImages.profileOf(kept).getData()).isEqualTo(TestImages.adobeRgb().getData());
    Path keptPng = dir.resolve("kept.png");
    backend.render(src, List.of(new Target(16, keptPng)), PNG, LIMIT);
    assertThat(TestImages.profileOf(keptPng).getData()).isEqualTo(TestImages.adobeRgb().getData());
    // The kept PNG holds the source's values (the JDK's PNG reader does not apply iCCP); the kept
    // JPEG, read back through its profile, shows the same colour as the converted one.
    assertThat(near(read(keptPng).getRGB(8, 8), new Color(200, 100, 50), 3)).isTrue();
    assertThat(near(read(kept).getRGB(8, 8), new Color(227, 100, 42), 5)).isTrue();

    Path srgb = dir.resolve("srgb.png");
    Encoding convert = new Encoding(ImageFormat.PNG, 92, ColorHandling.CONVERT_TO_SRGB);
    backend.render(src, List.of(new Target(16, srgb)), convert, LIMIT);
    assertThat(TestImages.profileOf(srgb)).isNull();
    assertThat(near(read(srgb).getRGB(8, 8), new Color(227, 100, 42), 5)).isTrue();
    // WebP cannot carry a profile: kept becomes converted.
    Path webp = dir.resolve("kept.webp");
    backend.render(src, List.of(new Target(16, webp)), WEBP, LIMIT);
    assertThat(new Color(read(webp).getRGB(8, 8)))
        .matches(c -> near(c.getRGB(), new Color(227, 100, 42), 8), "near 227,100,42");
  }

  @Test
  void probeReportsTypeAndSizeOfEveryFormat() throws IOException {
    BufferedImage img = TestImages.photo(30, 20);
    assertThat(backend.probe(file(dir, "a.jpg", TestImages.jpeg(img, 90)), LIMIT).mimeType())
        .isEqualTo("image/jpeg");
    assertThat(backend.probe(file(dir, "a.png", TestImages.png(img)), LIMIT).mimeType())
        .isEqualTo("image/png");
    assertThat(backend.probe(file(dir, "a.webp", TestImages.webp(img)), LIMIT).mimeType())
        .isEqualTo("image/webp");
  }
}
