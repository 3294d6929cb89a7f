package dev.filesync.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.image.internal.ImageSniffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSnifferTest {
  @TempDir Path dir;

  /** A JPEG header with one APP1 Exif segment whose IFD0 offset is {@code ifdOffset}. */
  private static byte[] jpegWithExifOffset(long ifdOffset) {
    ByteBuffer tiff = ByteBuffer.allocate(8);
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt((int) ifdOffset);
    byte[] exif = new byte[6 + 8 + 12];
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, exif, 0, 6);
    System.arraycopy(tiff.array(), 0, exif, 6, 8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    out.write(0xFF);
    out.write(0xE1);
    out.write((exif.length + 2) >> 8);
    out.write((exif.length + 2) & 0xFF);
    out.writeBytes(exif);
    out.write(0xFF);
    out.write(0xD9);
    return out.toByteArray();
  }

  @Test
  void aHostileExifOffsetMeansNoOrientationNotACrash() throws Exception {
    for (long offset : new long[] {0xFFFFFFF0L, 0x7FFFFFFFL, 4, 1 << 20}) {
      Path p = TestImages.file(dir, "x.jpg", jpegWithExifOffset(offset));
      assertThat(ImageSniffer.jpegOrientation(p)).as("offset " + offset).isEqualTo(1);
    }
  }

  @Test
  void typesComeFromTheBytesAndBmNeedsABmpHeader() throws Exception {
    assertThat(
            ImageSniffer.sniff(TestImages.file(dir, "a", TestImages.png(TestImages.photo(4, 4)))))
        .contains("image/png");
    assertThat(ImageSniffer.sniff(TestImages.file(dir, "b", "BM,1,2,3,4,5,6,7,8,9".getBytes())))
        .isEmpty();
    byte[] bmp = new byte[54];
    bmp[0] = 'B';
    bmp[1] = 'M';
    bmp[14] = 40;
    assertThat(ImageSniffer.sniff(TestImages.file(dir, "c", bmp))).contains("image/bmp");
    assertThat(ImageSniffer.sniff(TestImages.file(dir, "d", new byte[3]))).isEmpty();
  }
}
