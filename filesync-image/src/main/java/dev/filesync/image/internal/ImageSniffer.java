package dev.filesync.image.internal;

import dev.filesync.image.ImageException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Recognizes image files by their first bytes (content-addressed files have no extension) and reads
 * the EXIF orientation of a JPEG without decoding it.
 */
public final class ImageSniffer {
  private ImageSniffer() {}

  /** The image media type of the file's first bytes, if it is one FileSync can read. */
  public static Optional<String> sniff(Path file) throws IOException {
    byte[] head = new byte[18];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    return sniff(head, n);
  }

  /** The image media type of {@code head} (its first {@code n} bytes are valid). */
  public static Optional<String> sniff(byte[] head, int n) {
    if (n >= 8 && startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return Optional.of("image/png");
    }
    if (n >= 3 && startsWith(head, 0, 0xFF, 0xD8, 0xFF)) {
      return Optional.of("image/jpeg");
    }
    if (n >= 6 && startsWith(head, 0, 'G', 'I', 'F', '8')) {
      return Optional.of("image/gif");
    }
    if (n >= 12
        && startsWith(head, 0, 'R', 'I', 'F', 'F')
        && startsWith(head, 8, 'W', 'E', 'B', 'P')) {
      return Optional.of("image/webp");
    }
    if (n >= 18 && startsWith(head, 0, 'B', 'M') && bmpHeaderSize(head)) {
      return Optional.of("image/bmp");
    }
    if (n >= 4
        && (startsWith(head, 0, 'I', 'I', 0x2A, 0x00)
            || startsWith(head, 0, 'M', 'M', 0x00, 0x2A))) {
      return Optional.of("image/tiff");
    }
    return Optional.empty();
  }

  /** "BM" alone is common in text: a BMP also has a known DIB header size at byte 14. */
  private static boolean bmpHeaderSize(byte[] head) {
    int size =
        (head[14] & 0xFF)
            | (head[15] & 0xFF) << 8
            | (head[16] & 0xFF) << 16
            | (head[17] & 0xFF) << 24;
    return size == 12
        || size == 40
        || size == 52
        || size == 56
        || size == 64
        || size == 108
        || size == 124;
  }

  private static boolean startsWith(byte[] b, int off, int... expected) {
    if (b.length < off + expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if ((b[off + i] & 0xFF) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /** One marker segment of a JPEG header: its marker byte (e.g. 0xE1) and its payload. */
  private record Segment(int marker, byte[] data) {
    boolean startsWith(String tag) {
      byte[] t = tag.getBytes(StandardCharsets.ISO_8859_1);
      return data.length >= t.length && Arrays.equals(data, 0, t.length, t, 0, t.length);
    }
  }

  /**
   * The marker segments of a JPEG before its image data (start of scan), in order; empty when the
   * file is not a JPEG, and cut short at the first malformed segment.
   */
  private static List<Segment> jpegSegments(Path file) throws IOException {
    List<Segment> out = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      if (in.read() != 0xFF || in.read() != 0xD8) {
        return out;
      }
      while (true) {
        int b = in.read();
        while (b == 0xFF) {
          b = in.read();
        }
        if (b < 0 || b == 0xDA || b == 0xD9) {
          return out; // start of scan or end: the header is over
        }
        int len = (in.read() << 8) | in.read();
        if (len < 2) {
          return out;
        }
        byte[] seg = in.readNBytes(len - 2);
        if (seg.length < len - 2) {
          return out;
        }
        out.add(new Segment(b, seg));
      }
    }
  }

  /**
   * What a JPEG's header says, read in one pass over the segments before the image data.
   *
   * @param orientation the EXIF orientation, 1 to 8 (1 when there is none or it is unreadable)
   * @param iccProfile the APP2 ICC profile chunks joined in order, or null (none, or incomplete)
   * @param storesRgb whether the three components hold RGB rather than YCbCr: an Adobe APP14
   *     segment with transform 0 and no JFIF segment
   */
  public record JpegHeader(int orientation, byte[] iccProfile, boolean storesRgb) {}

  /** Reads the header of a JPEG file (a file that is not one gives the defaults). */
  public static JpegHeader jpegHeader(Path file) throws IOException {
    int orientation = 1;
    boolean exifSeen = false;
    TreeMap<Integer, byte[]> chunks = new TreeMap<>();
    int count = 0;
    boolean adobeRgb = false;
    boolean jfif = false;
    for (Segment s : jpegSegments(file)) {
      byte[] seg = s.data();
      if (s.marker() == 0xE1 && !exifSeen && seg.length > 14 && s.startsWith("Exif")) {
        exifSeen = true;
        orientation = tiffOrientation(seg, 6);
      } else if (s.marker() == 0xE2 && seg.length > 14 && s.startsWith("ICC_PROFILE\0")) {
        chunks.put(seg[12] & 0xFF, Arrays.copyOfRange(seg, 14, seg.length));
        count = seg[13] & 0xFF;
      } else if (s.marker() == 0xE0 && s.startsWith("JFIF")) {
        jfif = true;
      } else if (s.marker() == 0xEE && s.startsWith("Adobe") && seg.length >= 12) {
        adobeRgb = seg[11] == 0;
      }
    }
    byte[] icc = null;
    if (!chunks.isEmpty() && chunks.size() == count) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      chunks.values().forEach(out::writeBytes);
      icc = out.toByteArray();
    }
    return new JpegHeader(orientation, icc, adobeRgb && !jfif);
  }

  /** The EXIF orientation (1 to 8) of a JPEG file: {@link #jpegHeader}'s. */
  public static int jpegOrientation(Path file) throws IOException {
    return jpegHeader(file).orientation();
  }

  /**
   * The pixel limit, checked on the declared size before anything is decoded.
   *
   * @throws ImageException (too large) when {@code w x h} exceeds {@code maxPixels}
   */
  public static void checkPixels(int w, int h, long maxPixels) throws ImageException {
    if ((long) w * h > maxPixels) {
      throw new ImageException(
          ImageException.Reason.TOO_LARGE,
          "the image declares "
              + w
              + "x"
              + h
              + " = "
              + (long) w * h
              + " pixels, over the limit of "
              + maxPixels);
    }
  }

  /**
   * The image media type of {@code source}, or an {@link ImageException} (unsupported) naming the
   * formats FileSync reads.
   */
  public static String requireImage(Path source) throws IOException {
    Optional<String> mime = sniff(source);
    if (mime.isEmpty()) {
      throw new ImageException(
          ImageException.Reason.UNSUPPORTED,
          "not an image FileSync can read (JPEG, PNG, GIF, WebP, BMP, TIFF)");
    }
    return mime.get();
  }

  /** Reads tag 0x0112 of IFD0 of the TIFF structure at {@code base} of {@code b}. */
  static int tiffOrientation(byte[] b, int base) {
    if (b.length < base + 8) {
      return 1;
    }
    boolean little = b[base] == 'I' && b[base + 1] == 'I';
    if (!little && !(b[base] == 'M' && b[base + 1] == 'M')) {
      return 1;
    }
    long ifd = u32(b, base + 4, little);
    if (ifd < 8 || base + ifd + 2 > b.length) {
      return 1; // also an offset past the segment (checked in long: no overflow)
    }
    int at = (int) (base + ifd);
    int entries = u16(b, at, little);
    for (int i = 0; i < entries; i++) {
      int e = at + 2 + i * 12;
      if (e + 12 > b.length) {
        return 1;
      }
      if (u16(b, e, little) == 0x0112) {
        int type = u16(b, e + 2, little);
        int value = type == 3 ? u16(b, e + 8, little) : (int) u32(b, e + 8, little);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  private static int u16(byte[] b, int i, boolean little) {
    int x = b[i] & 0xFF;
    int y = b[i + 1] & 0xFF;
    return little ? x | y << 8 : x << 8 | y;
  }

  private static long u32(byte[] b, int i, boolean little) {
    long hi = u16(b, little ? i + 2 : i, little);
    long lo = u16(b, little ? i : i + 2, little);
    return hi << 16 | lo;
  }
}
