package dev.filesync.image.vips;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Test images, made here with ImageIO so that no binary is committed. They are smooth gradients
 * (red along x, green along y, so a wrong rotation or mirror shows up as a large difference), of
 * odd sizes so that the output sizes depend on rounding.
 */
final class TestImages {
  static final int W = 641;
  static final int H = 427;

  private TestImages() {}

  /** A gradient; with alpha, transparency grows from left (opaque) to right (clear). */
  static BufferedImage gradient(int w, int h, boolean alpha) {
    BufferedImage img =
        new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = x * 255 / (w - 1);
        int g = y * 255 / (h - 1);
        int b = 255 - (x + y) * 255 / (w + h - 2);
        int a = alpha ? 255 - x * 200 / (w - 1) : 255;
        img.setRGB(x, y, a << 24 | r << 16 | g << 8 | b);
      }
    }
    return img;
  }

  static Path jpeg(BufferedImage img, Path file) throws IOException {
    write(img, "jpeg", 0.95f, file);
    return file;
  }

  static Path png(BufferedImage img, Path file) throws IOException {
    write(img, "png", -1, file);
    return file;
  }

  /** A lossy WebP at quality 75, typical of the web (and where decoders disagree most). */
  static Path webp(BufferedImage img, Path file) throws IOException {
    write(img, "webp", 0.75f, file);
    return file;
  }

  /** A JPEG whose pixels are in {@code profile}, which it embeds. */
  static Path jpegWithProfile(BufferedImage img, ICC_Profile profile, Path file)
      throws IOException {
    // The JDK's JPEG writer embeds the profile of the image's colour space (an app2ICC node's
    // own profile is ignored): label the same sample values with the profile.
    ComponentColorModel cm =
        new ComponentColorModel(
            new ICC_ColorSpace(profile), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    WritableRaster r = cm.createCompatibleWritableRaster(img.getWidth(), img.getHeight());
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        r.setSample(x, y, 0, (rgb >> 16) & 0xFF);
        r.setSample(x, y, 1, (rgb >> 8) & 0xFF);
        r.setSample(x, y, 2, rgb & 0xFF);
      }
    }
    write(new BufferedImage(cm, r, false, null), "jpeg", 0.95f, file);
    return file;
  }

  /** A PNG of {@code img}'s samples with an iCCP chunk saying they are in {@code profile}. */
  static Path pngWithProfile(BufferedImage img, ICC_Profile profile, Path file) throws IOException {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ImageIO.write(img, "png", plain);
    byte[] png = plain.toByteArray();
    int ihdrEnd = 8 + 4 + 4 + 13 + 4; // signature, then IHDR: length, type, data, CRC
    ByteArrayOutputStream iccp = new ByteArrayOutputStream();
    iccp.writeBytes("icc\0".getBytes(StandardCharsets.ISO_8859_1));
    iccp.write(0); // deflate
    Deflater deflater = new Deflater();
    deflater.setInput(profile.getData());
    deflater.finish();
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      iccp.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, ihdrEnd);
    chunk(out, "iCCP", iccp.toByteArray());
    out.write(png, ihdrEnd, png.length - ihdrEnd);
    Files.write(file, out.toByteArray());
    return file;
  }

  /** The ICC profile of a PNG's iCCP chunk, inflated, or null. */
  static byte[] pngProfile(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    b.position(8);
    while (b.remaining() >= 12) {
      int len = b.getInt();
      byte[] type = new byte[4];
      b.get(type);
      byte[] data = new byte[len];
      b.get(data);
      b.getInt(); // CRC
      if (new String(type, StandardCharsets.ISO_8859_1).equals("iCCP")) {
        int nul = 0;
        while (data[nul] != 0) {
          nul++;
        }
        Inflater inflater = new Inflater();
        try {
          inflater.setInput(data, nul + 2, data.length - nul - 2);
          ByteArrayOutputStream profile = new ByteArrayOutputStream();
          byte[] buf = new byte[8192];
          while (!inflater.finished()) {
            int n = inflater.inflate(buf);
            if (n == 0 && inflater.needsInput()) {
              throw new IOException("truncated iCCP in " + file);
            }
            profile.write(buf, 0, n);
          }
          return profile.toByteArray();
        } catch (DataFormatException e) {
          throw new IOException("iCCP of " + file + " is not deflated: " + e.getMessage(), e);
        } finally {
          inflater.end();
        }
      }
    }
    return null;
  }

  /** The ICC profile embedded in a JPEG's APP2 segments (one segment is enough here), or null. */
  static byte[] jpegProfile(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    for (int i = 2; i + 4 < b.length && (b[i] & 0xFF) == 0xFF; ) {
      int marker = b[i + 1] & 0xFF;
      int len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
      if (marker == 0xDA) {
        break;
      }
      if (marker == 0xE2
          && new String(b, i + 4, 11, StandardCharsets.ISO_8859_1).equals("ICC_PROFILE")) {
        return Arrays.copyOfRange(b, i + 4 + 14, i + 2 + len);
      }
      i += 2 + len;
    }
    return null;
  }

  /** A 16-bit-per-sample RGB PNG of the gradient, with the low bytes varying too. */
  static Path png16(int w, int h, Path file) throws IOException {
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
        r.setSample(x, y, 0, x * 65535 / (w - 1));
        r.setSample(x, y, 1, y * 65535 / (h - 1));
        r.setSample(x, y, 2, 65535 - (x + y) * 65535 / (w + h - 2));
      }
    }
    write(new BufferedImage(cm, r, false, null), "png", -1, file);
    return file;
  }

  /** A two-frame GIF: the gradient, then its negative (which no backend may show). */
  static Path gif(int w, int h, Path file) throws IOException {
    BufferedImage first = gradient(w, h, false);
    BufferedImage second = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        second.setRGB(x, y, ~first.getRGB(x, y));
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      writer.writeToSequence(new IIOImage(first, null, null), null);
      writer.writeToSequence(new IIOImage(second, null, null), null);
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    return file;
  }

  /**
   * A JPEG of {@code img} stored as it is, with an EXIF APP1 segment (right after the JFIF APP0)
   * saying it must be shown with {@code orientation} (6: rotated 90 degrees clockwise).
   */
  static Path jpegWithOrientation(BufferedImage img, int orientation, Path file)
      throws IOException {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", plain);
    byte[] jpeg = plain.toByteArray();
    // TIFF, big-endian: header, IFD0 with one SHORT entry (0x0112 orientation), no next IFD
    ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
    tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
    tiff.putShort((short) 1);
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1);
    tiff.putShort((short) orientation).putShort((short) 0);
    tiff.putInt(0);
    byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    int segment = 2 + exif.length + tiff.capacity();
    int app0End = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF)); // SOI, then APP0
    if ((jpeg[2] & 0xFF) != 0xFF || (jpeg[3] & 0xFF) != 0xE0) {
      throw new IllegalStateException("ImageIO wrote no JFIF APP0 first");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, app0End);
    out.write(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (segment >> 8), (byte) segment});
    out.write(exif);
    out.write(tiff.array());
    out.write(jpeg, app0End, jpeg.length - app0End);
    Files.write(file, out.toByteArray());
    return file;
  }

  /**
   * A PNG whose header declares {@code w x h} pixels followed by a few bytes of junk data: any
   * attempt to decode it fails, so refusing it must come from the header alone.
   */
  static Path pngHeaderOnly(int w, int h, Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 1, 2, 3, 4});
    chunk(out, "IEND", new byte[0]);
    Files.write(file, out.toByteArray());
    return file;
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static void write(BufferedImage img, String format, float quality, Path file)
      throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    ImageWriter writer = null;
    while (writers.hasNext()) {
      ImageWriter w = writers.next();
      if (writer == null || w.getClass().getName().startsWith("com.sun.imageio")) {
        writer = w;
      }
    }
    if (writer == null) {
      throw new IOException("no " + format + " writer");
    }
    ImageWriteParam param = writer.getDefaultWriteParam();
    if (quality >= 0 && param.canWriteCompressed()) {
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      String[] types = param.getCompressionTypes();
      if (types != null) {
        param.setCompressionType(types[0]);
        for (String t : types) {
          if (t.equalsIgnoreCase("lossy")) {
            param.setCompressionType(t);
          }
        }
      }
      param.setCompressionQuality(quality);
    }
    Files.deleteIfExists(file);
    try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * Reads an output back (JPEG, PNG or WebP) as 8-bit ARGB in sRGB. WebP is read with libwebp (the
   * reader of the WebP writer's artifact), not with TwelveMonkeys' reader, which ImageIO would pick
   * first and whose lossy decoding is several levels off.
   */
  static BufferedImage read(Path file) throws IOException {
    BufferedImage img = null;
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      ImageReader reader = null;
      while (readers.hasNext()) {
        ImageReader r = readers.next();
        if (reader == null || r.getClass().getName().startsWith("com.luciad.imageio.webp.")) {
          reader = r;
        }
      }
      if (reader != null) {
        reader.setInput(in);
        img = reader.read(0);
        reader.dispose();
      }
    }
    if (img == null) {
      throw new IOException("no reader for " + file);
    }
    BufferedImage argb =
        new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_ARGB);
    argb.createGraphics().drawImage(img, 0, 0, null);
    return argb;
  }

  /**
   * The mean absolute difference per channel, 0 to 255, of two images of the same size. Colour is
   * compared premultiplied by alpha (the colour of a clear pixel does not matter), and alpha too
   * when either image has any.
   */
  static double meanDifference(BufferedImage a, BufferedImage b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
      throw new IllegalArgumentException("sizes differ");
    }
    long sum = 0;
    boolean alpha = false;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        int pa = p >>> 24;
        int qa = q >>> 24;
        alpha |= pa != 255 || qa != 255;
        sum += Math.abs(pa - qa);
        for (int shift = 0; shift <= 16; shift += 8) {
          int pc = ((p >> shift) & 0xFF) * pa / 255;
          int qc = ((q >> shift) & 0xFF) * qa / 255;
          sum += Math.abs(pc - qc);
        }
      }
    }
    return sum / ((alpha ? 4.0 : 3.0) * a.getWidth() * a.getHeight());
  }
}
