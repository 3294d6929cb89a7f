package dev.filesync.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.Preprocessor;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {
  @TempDir Path dir;

  private ImagePreprocessor.Builder builder() {
    return ImagePreprocessor.builder().backend(ImageBackends.java()).tempDirectory(dir);
  }

  private static byte[] bytes(Preprocessor.Result r) throws IOException {
    try (InputStream in = r.content()) {
      return in.readAllBytes();
    }
  }

  @Test
  void aLargeImageIsBoundedAndReencodedWithItsMetadata() throws IOException {
    ImagePreprocessor p = builder().maxDimension(500).format(ImageFormat.WEBP).quality(80).build();
    byte[] src = TestImages.png(TestImages.photo(2000, 1000));
    Preprocessor.Result r = p.process(new ByteArrayInputStream(src), "holiday.png", "image/png");
    byte[] out = bytes(r);
    assertThat(r.metadata().mimeType()).isEqualTo("image/webp");
    assertThat(r.metadata().width()).isEqualTo(500);
    assertThat(r.metadata().height()).isEqualTo(250);
    assertThat(r.metadata().sizeBytes()).isEqualTo(out.length);
    assertThat(r.metadata().custom()).containsEntry("name", "holiday.webp");
    Path written = TestImages.file(dir, "out.webp", out);
    assertThat(TestImages.read(written).getWidth()).isEqualTo(500);
    assertNoTempFilesLeft();
  }

  @Test
  void anImageWithinBoundsInTheTargetFormatIsKeptByteForByte() throws IOException {
    ImagePreprocessor p = builder().maxDimension(1500).format(ImageFormat.JPEG).build();
    byte[] src = TestImages.jpeg(TestImages.photo(300, 200), 85);
    Preprocessor.Result r = p.process(new ByteArrayInputStream(src), "p.jpg", "image/jpeg");
    assertThat(bytes(r)).isEqualTo(src);
    assertThat(r.metadata().width()).isEqualTo(300);
    assertThat(r.metadata().mimeType()).isEqualTo("image/jpeg");
    assertNoTempFilesLeft();
  }

  @Test
  void anExifRotatedJpegIsTurnedEvenWhenSmallEnough() throws IOException {
    ImagePreprocessor p = builder().build();
    byte[] src = TestImages.exifRotatedJpeg(80, 40, 6);
    Preprocessor.Result r = p.process(new ByteArrayInputStream(src), "r.jpg", "image/jpeg");
    byte[] out = bytes(r);
    assertThat(out).isNotEqualTo(src);
    assertThat(r.metadata().width()).isEqualTo(40);
    assertThat(r.metadata().height()).isEqualTo(80);
    assertThat(
            dev.filesync.image.internal.ImageSniffer.jpegOrientation(
                TestImages.file(dir, "o.jpg", out)))
        .isEqualTo(1);
  }

  @Test
  void keepFormatKeepsPngAndTurnsGifIntoPng() throws IOException {
    ImagePreprocessor p = builder().maxDimension(100).format(ImageFormat.KEEP).build();
    Preprocessor.Result png =
        p.process(
            new ByteArrayInputStream(TestImages.pngWithAlpha(400, 200)), "a.png", "image/png");
    bytes(png);
    assertThat(png.metadata().mimeType()).isEqualTo("image/png");
    assertThat(png.metadata().width()).isEqualTo(100);
    Preprocessor.Result gif =
        p.process(new ByteArrayInputStream(TestImages.animatedGif(300, 30)), "a.gif", "image/gif");
    bytes(gif);
    assertThat(gif.metadata().mimeType()).isEqualTo("image/png");
    assertThat(gif.metadata().custom()).containsEntry("name", "a.png");
  }

  @Test
  void unsupportedFormatsPassThroughAndBadImagesFailTheSave() throws IOException {
    ImagePreprocessor p = builder().build();
    byte[] svg = "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8);
    Preprocessor.Result r = p.process(new ByteArrayInputStream(svg), "x.svg", "image/svg+xml");
    assertThat(bytes(r)).isEqualTo(svg);
    assertThat(r.metadata()).isNull();

    // (An image within bounds in the target format is not decoded, so only one that needs work
    // can be found truncated here; its thumbnail reports the damage.)
    byte[] cut = TestImages.truncated(TestImages.jpeg(TestImages.photo(2400, 1800), 90), 0.5);
    assertThatThrownBy(() -> p.process(new ByteArrayInputStream(cut), "c.jpg", "image/jpeg"))
        .isInstanceOfSatisfying(
            ImageException.class,
            e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.CORRUPT));
    byte[] bomb = TestImages.pngDeclaring(100_000, 100_000);
    assertThatThrownBy(() -> p.process(new ByteArrayInputStream(bomb), "b.png", "image/png"))
        .isInstanceOfSatisfying(
            ImageException.class,
            e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.TOO_LARGE));
    assertNoTempFilesLeft();
  }

  @Test
  void savedThroughFileSyncTheSyncedMetadataCarriesTheImage() throws IOException {
    try (Store store =
            Store.open(
                StoreConfig.builder(dir.resolve("data"), "s", FileSyncSchema.schema()).build());
        FileSync files =
            FileSync.builder(store, dir.resolve("data"))
                .preprocessor("image/*", builder().maxDimension(256).build())
                .start()) {
      String id = files.save(TestImages.png(TestImages.photo(1024, 512)), "big.png", "image/png");
      String cut = "a corrupt image is refused and nothing is saved";
      assertThatThrownBy(
              () ->
                  files.save(
                      TestImages.truncated(TestImages.jpeg(TestImages.photo(300, 300), 90), 0.4),
                      "bad.jpg",
                      "image/jpeg"))
          .as(cut)
          .hasMessageContaining("corrupt or truncated");
      String json =
          store
              .query(
                  Query.first(
                          "SELECT metadataJson FROM files WHERE id = ?",
                          row -> row.getString("metadataJson"),
                          id)
                      .dependsOn("files"))
              .orElseThrow();
      JsonNode meta = new ObjectMapper().readTree(json);
      assertThat(meta.get("mimeType").asText()).isEqualTo("image/jpeg");
      assertThat(meta.get("image").get("width").asInt()).isEqualTo(256);
      assertThat(meta.get("image").get("height").asInt()).isEqualTo(128);
      assertThat(meta.get("custom").get("name").asText()).isEqualTo("big.jpg");
      assertThat(store.query(Query.scalar("SELECT count(*) FROM files"))).isEqualTo(1L);
      try (InputStream in = files.open(id)) {
        assertThat(meta.get("sizeBytes").asLong()).isEqualTo(in.readAllBytes().length);
      }
    }
  }

  @Test
  void settingsAreCheckedAtOnce() {
    assertThatThrownBy(() -> ImagePreprocessor.builder().quality(0))
        .hasMessageContaining("quality must be 1 to 100: 0");
    assertThatThrownBy(() -> ImagePreprocessor.builder().maxDimension(-1))
        .hasMessageContaining("maxDimension");
    assertThatThrownBy(() -> ImageFormat.parse("tiff"))
        .hasMessageContaining("unknown image format");
    assertThat(ImagePreprocessor.rename("photo.jpeg", ImageFormat.JPEG)).isEqualTo("photo.jpeg");
    assertThat(ImagePreprocessor.rename("photo.heic", ImageFormat.WEBP)).isEqualTo("photo.webp");
    assertThat(ImagePreprocessor.rename("noext", ImageFormat.PNG)).isEqualTo("noext.png");
  }

  private void assertNoTempFilesLeft() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(x -> x.getFileName().toString()))
          .noneMatch(n -> n.startsWith("filesync-image-"));
    }
  }
}
