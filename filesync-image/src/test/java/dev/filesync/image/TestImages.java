package dev.filesync.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/** Test images made in Java, each with a known look. */
final class TestImages {
  static final Color RED = new Color(220, 20, 20);
  static final Color BLUE = new Color(20, 40, 220);

  private TestImages() {}

  /** A smooth photo-like gradient with a red left third and a blue right third. */
  static BufferedImage photo(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = 40 + 180 * x / Math.max(1, w - 1);
        int g = 40 + 180 * y / Math.max(1, h - 1);
        img.setRGB(x, y, new Color(r, g, 120).getRGB());
      }
    }
    return img;
  }

  /** Left half {@link #RED}, right half {@link #BLUE}. */
  static BufferedImage halves(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(RED);
    g.fillRect(0, 0, w / 2, h);
    g.setColor(BLUE);
    g.fillRect(w / 2, 0, w - w / 2, h);
    g.dispose();
    return img;
  }

  static byte[] jpeg(BufferedImage img, int quality) {
    return write(img, "jpeg", quality / 100f, null);
  }

  static byte[] png(BufferedImage img) {
    return write(img, "png", -1, null);
  }

  static byte[] webp(BufferedImage img) {
    return write(img, "webp", 0.9f, null);
  }

  /** A JPEG whose pixels are in {@code profile}, which it embeds. */
  static byte[] jpegWithProfile(BufferedImage img, ICC_Profile profile) {
    // The JDK's writer embeds the profile of the image's colour space: label the same values with
    // the profile instead of sRGB.
    ComponentColorModel cm =
        new ComponentColorModel(
            new ICC_ColorSpace(profile), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    WritableRaster r = cm.createCompatibleWritableRaster(img.getWidth(), img.getHeight());
    r.setRect(img.getRaster());
    return write(new BufferedImage(cm, r, false, null), "jpeg", 0.95f, null);
  }

  /** The Adobe RGB (1998) compatible profile TwelveMonkeys ships. */
  static ICC_Profile adobeRgb() {
    try (InputStream in = TestImages.class.getResourceAsStream("/profiles/ClayRGB1998.icc")) {
      return ICC_Profile.getInstance(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #halves} as a JPEG with an EXIF APP1 segment giving {@code orientation}. */
  static byte[] exifRotatedJpeg(int w, int h, int orientation) {
    byte[] jpeg = jpeg(halves(w, h), 95);
    ByteBuffer tiff = ByteBuffer.allocate(26); // big-endian TIFF with one IFD0 entry
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    tiff.putShort((short) 1);
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1);
    tiff.putShort((short) orientation).putShort((short) 0);
    tiff.putInt(0);
    byte[] exif = concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), tiff.array());
    ByteBuffer seg = ByteBuffer.allocate(4 + exif.length);
    seg.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.length + 2)).put(exif);
    return concat(Arrays.copyOf(jpeg, 2), seg.array(), Arrays.copyOfRange(jpeg, 2, jpeg.length));
  }

  /** Left half opaque {@link #RED}, right half fully transparent. */
  static byte[] pngWithAlpha(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    g.setColor(RED);
    g.fillRect(0, 0, w / 2, h);
    g.dispose();
    return png(img);
  }

  /** A 16-bit-per-channel RGB PNG filled with (0x8080, 0x4040, 0xC0C0). */
  static byte[] png16(int w, int h) {
    ComponentColorModel cm =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_USHORT);
    WritableRaster r = cm.createCompatibleWritableRaster(w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        r.setPixel(x, y, new int[] {0x8080, 0x4040, 0xC0C0});
      }
    }
    BufferedImage img = new BufferedImage(cm, r, false, null);
    assert img.getColorModel().getComponentSize(0) == 16;
    return png(img);
  }

  /** A two-frame animated GIF: red, then blue. */
  static byte[] animatedGif(int w, int h) {
    try {
      ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(ios);
        writer.prepareWriteSequence(null);
        for (Color c : new Color[] {RED, BLUE}) {
          BufferedImage frame = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
          Graphics2D g = frame.createGraphics();
          g.setColor(c);
          g.fillRect(0, 0, w, h);
          g.dispose();
          writer.writeToSequence(new IIOImage(frame, null, null), null);
        }
        writer.endWriteSequence();
      }
      writer.dispose();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PNG whose header declares {@code w x h} pixels, with almost no data (a bomb's header). */
  static byte[] pngDeclaring(int w, int h) {
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    Deflater d = new Deflater();
    d.setInput(new byte[1024]);
    d.finish();
    byte[] buf = new byte[2048];
    byte[] idat = Arrays.copyOf(buf, d.deflate(buf));
    return concat(
        new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
        chunk("IHDR", ihdr.array()),
        chunk("IDAT", idat),
        chunk("IEND", new byte[0]));
  }

  /** The first {@code fraction} of {@code bytes}. */
  static byte[] truncated(byte[] bytes, double fraction) {
    return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
  }

  /** The committed CMYK JPEG with an ICC profile (see src/test/resources/images/README.md). */
  static byte[] cmykJpeg() {
    try (InputStream in = TestImages.class.getResourceAsStream("/images/cmyk-icc.jpg")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path file(Path dir, String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** Reads an image (colour-managed), WebP with the libwebp-based reader. */
  static BufferedImage read(Path p) throws IOException {
    try (var iis = ImageIO.createImageInputStream(p.toFile())) {
      var readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new IOException("not readable: " + p);
      }
      var reader = readers.next();
      while (readers.hasNext()) {
        var next = readers.next();
        if (next.getClass().getName().startsWith("com.luciad")) {
          reader = next;
        }
      }
      reader.setInput(iis);
      try {
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    }
  }

  /**
   * The non-sRGB ICC profile embedded in the JPEG or PNG at {@code p}, or null. Read from the file
   * structure, since some readers convert to sRGB as they decode.
   */
  static ICC_Profile profileOf(Path p) throws IOException {
    byte[] bytes = Files.readAllBytes(p);
    byte[] data;
    if (bytes[0] == (byte) 0xFF) {
      data = dev.filesync.image.internal.ImageSniffer.jpegHeader(p).iccProfile();
    } else {
      int at = indexOf(bytes, "iCCP".getBytes(StandardCharsets.US_ASCII));
      if (at < 0) {
        return null;
      }
      int len = ByteBuffer.wrap(bytes, at - 4, 4).getInt();
      int nul = at + 4;
      while (bytes[nul] != 0) {
        nul++;
      }
      java.util.zip.Inflater inf = new java.util.zip.Inflater();
      inf.setInput(bytes, nul + 2, len - (nul + 2 - (at + 4)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        while (!inf.finished()) {
          int n = inf.inflate(buf);
          if (n == 0 && inf.needsInput()) {
            break;
          }
          out.write(buf, 0, n);
        }
      } catch (java.util.zip.DataFormatException e) {
        throw new IOException(e);
      }
      data = out.toByteArray();
    }
    if (data == null) {
      return null;
    }
    ICC_Profile profile = ICC_Profile.getInstance(data);
    return new ICC_ColorSpace(profile).isCS_sRGB() ? null : profile;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Whether {@code actual} is within {@code tolerance} of {@code expected} on every channel. */
  static boolean near(int actualRgb, Color expected, int tolerance) {
    Color a = new Color(actualRgb, true);
    return Math.abs(a.getRed() - expected.getRed()) <= tolerance
        && Math.abs(a.getGreen() - expected.getGreen()) <= tolerance
        && Math.abs(a.getBlue() - expected.getBlue()) <= tolerance;
  }

  private static byte[] chunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.US_ASCII));
    crc.update(data);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] write(BufferedImage img, String format, float quality, ICC_Profile icc) {
    try {
      Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(format);
      ImageWriter writer = it.next();
      while (it.hasNext() && !writer.getClass().getName().startsWith("com.sun")) {
        writer = it.next();
      }
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (quality > 0 && param.canWriteCompressed()) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        if (param.getCompressionTypes() != null && param.getCompressionType() == null) {
          param.setCompressionType(param.getCompressionTypes()[0]);
        }
        param.setCompressionQuality(quality);
      }
      IIOMetadata meta = null;
      if (icc != null) {
        meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
        String name = "javax_imageio_jpeg_image_1.0";
        Node root = meta.getAsTree(name);
        Node jfif = root.getFirstChild().getFirstChild();
        IIOMetadataNode app2 = new IIOMetadataNode("app2ICC");
        app2.setUserObject(icc);
        jfif.appendChild(app2);
        meta.setFromTree(name, root);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(ios);
        writer.write(null, new IIOImage(img, null, meta), param);
      }
      writer.dispose();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
