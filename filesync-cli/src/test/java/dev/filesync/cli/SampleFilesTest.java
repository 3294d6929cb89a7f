package dev.filesync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleFilesTest {
  @TempDir Path dir;

  @Test
  void theSameSeedGivesTheSameBytesAndAnotherSeedOtherBytes() throws Exception {
    List<SampleFiles.Sample> one = SampleFiles.generate(dir.resolve("one"), 5, 4);
    List<SampleFiles.Sample> two = SampleFiles.generate(dir.resolve("two"), 5, 4);
    List<SampleFiles.Sample> other = SampleFiles.generate(dir.resolve("other"), 6, 4);

    assertThat(one)
        .extracting(SampleFiles.Sample::name)
        .containsExactly("01-harbour.jpg", "02-sunset.jpg", "measurements.bin", "notes.txt");
    for (int i = 0; i < one.size(); i++) {
      assertThat(Files.readAllBytes(two.get(i).path()))
          .as(one.get(i).name())
          .isEqualTo(Files.readAllBytes(one.get(i).path()));
      assertThat(Files.readAllBytes(other.get(i).path()))
          .as(one.get(i).name())
          .isNotEqualTo(Files.readAllBytes(one.get(i).path()));
    }
    assertThat(one.get(2).size()).isEqualTo(SampleFiles.BINARY_BYTES);
    assertThat(Files.readString(one.get(3).path())).contains("seed 5").contains("- 02-sunset.jpg");
  }

  @Test
  void imagesHaveThePresetSizesAndTheirFormats() throws Exception {
    List<SampleFiles.Sample> s = SampleFiles.generate(dir, 1, 5);
    BufferedImage harbour = ImageIO.read(s.get(0).path().toFile());
    assertThat(harbour.getWidth()).isEqualTo(4032);
    assertThat(harbour.getHeight()).isEqualTo(3024);
    assertThat(s.get(0).mimeType()).isEqualTo("image/jpeg");
    assertThat(s.get(2).name()).isEqualTo("03-portrait.png");
    assertThat(s.get(2).mimeType()).isEqualTo("image/png");
    assertThat(ImageIO.read(s.get(2).path().toFile()).getHeight()).isEqualTo(1440);
    assertThat(s.get(0).image()).isTrue();
    assertThat(s.get(3).image()).isFalse();
  }

  @Test
  void needsAtLeastThreeFiles() {
    assertThatThrownBy(() -> SampleFiles.generate(dir, 1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 3");
  }
}
