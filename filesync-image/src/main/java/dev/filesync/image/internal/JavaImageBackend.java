package dev.filesync.image.internal;

import dev.filesync.image.ColorHandling;
import dev.filesync.image.ImageBackend;
import dev.filesync.image.ImageException;
import dev.filesync.image.ImageException.Reason;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImageInfo;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import net.coobird.thumbnailator.Thumbnails;
import org.w3c.dom.Node;

/**
 * The pure-Java backend: ImageIO readers (the TwelveMonkeys plugins add CMYK JPEG, WebP and TIFF),
 * a WebP writer, and Thumbnailator's progressive bilinear resampling. Large sources are decoded
 * with subsampling down to twice the largest target, which keeps memory and time in proportion to
 * the output rather than the input.
 */
public final class JavaImageBackend implements ImageBackend {

  static {
    ImageIO.scanForPlugins();
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  public ImageInfo probe(Path source, long maxPixels) throws IOException {
    String mime = ImageSniffer.requireImage(source);
    try (ImageInputStream iis = open(source)) {
      ImageReader reader = reader(iis, mime);
      try {
        int w = dimension(() -> reader.getWidth(0));
        int h = dimension(() -> reader.getHeight(0));
        ImageSniffer.checkPixels(w, h, maxPixels);
        int orientation = mime.equals("image/jpeg") ? ImageSniffer.jpegOrientation(source) : 1;
        return orientation >= 5 ? new ImageInfo(mime, h, w) : new ImageInfo(mime, w, h);
      } finally {
        reader.dispose();
      }
    }
  }

  @Override
  public List<ImageInfo> render(
      Path source, List<Target> targets, Encoding encoding, long maxPixels) throws IOException {
    if (targets.isEmpty()) {
      return List.of();
    }
    Decoded decoded = decode(source, targets, encoding.color(), maxPixels);
    List<ImageInfo> out = new ArrayList<>();
    for (Target t : targets) {
      int[] size = scaledSize(decoded.width, decoded.height, t.maxDimension());
      BufferedImage img = resize(decoded.image, size[0], size[1]);
      write(img, decoded.profile, encoding, t.output());
      out.add(new ImageInfo(encoding.format().mimeType(), size[0], size[1]));
    }
    return out;
  }

  /** The output size of an image of {@code w x h} bounded by {@code max}: never upscaled. */
  public static int[] scaledSize(int w, int h, int max) {
    if (max <= 0 || (w <= max && h <= max)) {
      return new int[] {w, h};
    }
    double scale = Math.min((double) max / w, (double) max / h);
    return new int[] {
      Math.max(1, (int) Math.round(w * scale)), Math.max(1, (int) Math.round(h * scale))
    };
  }

  // ------------------------------------------------------------------ decoding

  /**
   * A decoded image in sRGB-labelled 8-bit RGB(A), oriented, with the displayed size of the source
   * and the ICC profile its pixels are in when it is kept.
   */
  private record Decoded(BufferedImage image, int width, int height, ICC_Profile profile) {}

  private Decoded decode(Path source, List<Target> targets, ColorHandling color, long maxPixels)
      throws IOException {
    String mime = ImageSniffer.requireImage(source);
    ImageSniffer.JpegHeader jpeg =
        mime.equals("image/jpeg") ? ImageSniffer.jpegHeader(source) : null;
    int orientation = jpeg == null ? 1 : jpeg.orientation();
    // JPEG readers convert an embedded RGB profile to sRGB as they read; to keep the profile, the
    // samples are read raw (readRaster) and turned from YCbCr into RGB here.
    ICC_Profile embedded =
        color == ColorHandling.KEEP_ICC && jpeg != null ? rgbProfile(jpeg.iccProfile()) : null;
    boolean storesRgb = embedded != null && jpeg.storesRgb();
    try (ImageInputStream iis = open(source)) {
      ImageReader reader = reader(iis, mime);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((r, w) -> warnings.add(w));
      try {
        int w = dimension(() -> reader.getWidth(0));
        int h = dimension(() -> reader.getHeight(0));
        ImageSniffer.checkPixels(w, h, maxPixels);
        int largest = 0;
        for (Target t : targets) {
          largest = t.maxDimension() == 0 ? Integer.MAX_VALUE : Math.max(largest, t.maxDimension());
        }
        ImageReadParam param = reader.getDefaultReadParam();
        int factor = largest == Integer.MAX_VALUE ? 1 : Math.max(1, Math.max(w, h) / (2 * largest));
        if (factor > 1) {
          param.setSourceSubsampling(factor, factor, 0, 0);
        }
        BufferedImage raw;
        try {
          raw =
              embedded != null && reader.canReadRaster()
                  ? rawRgb(reader.readRaster(0, param), storesRgb)
                  : reader.read(0, param);
        } catch (IOException e) {
          if (!decoderFault(e)) {
            throw e; // the file could not be read (a disk or network error): may pass, retry
          }
          throw new ImageException(
              Reason.CORRUPT, "corrupt or truncated " + mime + ": " + message(e), e);
        } catch (RuntimeException e) {
          throw new ImageException(
              Reason.CORRUPT, "corrupt or truncated " + mime + ": " + message(e), e);
        }
        for (String warning : warnings) {
          String lower = warning.toLowerCase(Locale.ROOT);
          if (lower.contains("premature")
              || lower.contains("truncat")
              || lower.contains("corrupt")
              || lower.contains("eof")) {
            throw new ImageException(
                Reason.CORRUPT, "corrupt or truncated " + mime + ": " + warning);
          }
        }
        ICC_Profile keep;
        BufferedImage rgb;
        ICC_Profile png = mime.equals("image/png") ? pngProfile(source) : null;
        if (png != null) {
          // ImageIO's PNG reader labels every image sRGB and leaves the iCCP profile aside: the
          // samples are in that profile, to be kept with it or converted through it.
          keep = color == ColorHandling.KEEP_ICC ? png : null;
          rgb = toRgb(raw, true);
          if (keep == null) {
            rgb = toSrgb(rgb, png);
          }
        } else {
          keep =
              embedded != null && reader.canReadRaster()
                  ? embedded
                  : color == ColorHandling.KEEP_ICC ? keptProfile(raw.getColorModel()) : null;
          rgb = toRgb(raw, keep != null);
        }
        BufferedImage oriented = orient(rgb, orientation);
        boolean swap = orientation >= 5;
        return new Decoded(oriented, swap ? h : w, swap ? w : h, keep);
      } finally {
        reader.dispose();
      }
    }
  }

  private static ImageInputStream open(Path source) throws IOException {
    if (source.getFileSystem() == FileSystems.getDefault()) {
      return new FileImageInputStream(source.toFile());
    }
    InputStream in = Files.newInputStream(source);
    return new MemoryCacheImageInputStream(in) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          in.close();
        }
      }
    };
  }

  private static ImageReader reader(ImageInputStream iis, String mime) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
    if (!readers.hasNext()) {
      throw new ImageException(Reason.UNSUPPORTED, "no decoder for " + mime + " is installed");
    }
    ImageReader reader = readers.next();
    if (mime.equals("image/webp") && !animatedWebp(iis)) {
      // TwelveMonkeys' WebP reader comes first, but it decodes lossy WebP several levels off (a
      // mean error of 5 to 11 of 255 on gradients saved at quality 75; one solid colour came out
      // dark red) where libwebp is within 1 to 2. The libwebp-based reader that comes with the
      // WebP writer reads no animation, which stays with TwelveMonkeys.
      while (readers.hasNext()) {
        ImageReader next = readers.next();
        if (next.getClass().getName().startsWith("com.luciad.imageio.webp.")) {
          reader = next;
          break;
        }
      }
    }
    reader.setInput(iis, true, true);
    return reader;
  }

  /** Three raw JPEG samples per pixel (YCbCr unless {@code rgb}) as RGB values, unconverted. */
  private static BufferedImage rawRgb(java.awt.image.Raster raster, boolean rgb) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[w * 3];
    int[] out = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int a = row[3 * x];
        int b = row[3 * x + 1];
        int c = row[3 * x + 2];
        if (!rgb) { // JFIF YCbCr to RGB
          double yy = a;
          double cb = b - 128.0;
          double cr = c - 128.0;
          a = clamp(yy + 1.402 * cr);
          b = clamp(yy - 0.344136 * cb - 0.714136 * cr);
          c = clamp(yy + 1.772 * cb);
        }
        out[x] = a << 16 | b << 8 | c;
      }
      img.setRGB(0, y, w, 1, out, 0, w);
    }
    return img;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  /** The profile of these ICC bytes if it is a non-sRGB RGB one, else null. */
  private static ICC_Profile rgbProfile(byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      ICC_Profile p = ICC_Profile.getInstance(data);
      ICC_ColorSpace cs = new ICC_ColorSpace(p);
      return cs.getType() == ColorSpace.TYPE_RGB && !cs.isCS_sRGB() ? p : null;
    } catch (IllegalArgumentException e) {
      return null; // a broken profile: read as sRGB
    }
  }

  /** Whether a WebP stream is animated: its first chunk is VP8X with the animation flag. */
  private static boolean animatedWebp(ImageInputStream iis) throws IOException {
    byte[] head = new byte[21];
    int n = 0;
    iis.mark();
    try {
      for (int r; n < head.length && (r = iis.read(head, n, head.length - n)) > 0; ) {
        n += r;
      }
    } finally {
      iis.reset();
    }
    return n == head.length
        && head[12] == 'V'
        && head[13] == 'P'
        && head[14] == '8'
        && head[15] == 'X'
        && (head[20] & 0x02) != 0;
  }

  /** Larger ICC profiles (real ones are a few KiB, rarely 1 MiB) are ignored, not inflated. */
  private static final int MAX_PROFILE_BYTES = 16 << 20;

  /**
   * The RGB profile of a PNG's iCCP chunk, read from the chunks before the image data (ImageIO's
   * PNG reader does not apply it); null when there is none, or it is not RGB, or unreadable.
   */
  private static ICC_Profile pngProfile(Path source) throws IOException {
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(source))) {
      java.io.DataInputStream data = new java.io.DataInputStream(in);
      data.skipNBytes(8); // signature
      while (true) {
        int length = data.readInt();
        String type = new String(data.readNBytes(4), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (type.equals("IDAT") || type.equals("IEND") || length < 0) {
          return null;
        }
        if (type.equals("iCCP") && length > MAX_PROFILE_BYTES) {
          return null;
        }
        if (!type.equals("iCCP")) {
          data.skipNBytes(length + 4L); // and the CRC
          continue;
        }
        byte[] chunk = data.readNBytes(length);
        int nul = 0;
        while (nul < chunk.length && chunk[nul] != 0) {
          nul++;
        }
        if (nul + 2 > chunk.length) {
          return null;
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
          inflater.setInput(chunk, nul + 2, chunk.length - nul - 2); // name, NUL, method
          java.io.ByteArrayOutputStream profile = new java.io.ByteArrayOutputStream();
          byte[] buf = new byte[8192];
          while (!inflater.finished()) {
            int n = inflater.inflate(buf);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
              return null;
            }
            profile.write(buf, 0, n);
            if (profile.size() > MAX_PROFILE_BYTES) {
              return null;
            }
          }
          ICC_Profile p = ICC_Profile.getInstance(profile.toByteArray());
          boolean rgb = p.getColorSpaceType() == ColorSpace.TYPE_RGB && p.getNumComponents() == 3;
          return rgb ? p : null;
        } finally {
          inflater.end();
        }
      }
    } catch (java.io.EOFException
        | java.util.zip.DataFormatException
        | IllegalArgumentException e) {
      return null; // a broken chunk is ignored, as the image data may still be fine
    }
  }

  private interface IntRead {
    int get() throws IOException;
  }

  private static int dimension(IntRead read) throws IOException {
    try {
      int v = read.get();
      if (v <= 0) {
        throw new ImageException(Reason.CORRUPT, "the image declares a size of " + v);
      }
      return v;
    } catch (ImageException e) {
      throw e;
    } catch (IOException e) {
      if (!decoderFault(e)) {
        throw e;
      }
      throw new ImageException(Reason.CORRUPT, "unreadable image header: " + message(e), e);
    } catch (RuntimeException e) {
      throw new ImageException(Reason.CORRUPT, "unreadable image header: " + message(e), e);
    }
  }

  /**
   * Whether a decoder's exception is about the data (a decoding error, or the data ending early)
   * rather than the file system: an {@link javax.imageio.IIOException} or an {@link
   * java.io.EOFException} whose causes hold no other I/O error.
   */
  private static boolean decoderFault(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.EOFException) {
        return true;
      }
      if (t instanceof IOException && !(t instanceof javax.imageio.IIOException)) {
        return false;
      }
    }
    return true;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /**
   * The profile to keep: a non-sRGB, three-component RGB ICC profile of 8-bit samples (deeper
   * samples are converted to sRGB on their way to 8 bits, so their profile no longer applies).
   */
  private static ICC_Profile keptProfile(ColorModel cm) {
    ColorSpace cs = cm.getColorSpace();
    if (cs instanceof ICC_ColorSpace icc
        && !cs.isCS_sRGB()
        && cs.getType() == ColorSpace.TYPE_RGB
        && cs.getNumComponents() == 3
        && cm.getComponentSize(0) == 8) {
      return icc.getProfile();
    }
    return null;
  }

  /**
   * 8-bit RGB or ARGB pixels. With {@code keepValues} the samples are copied as they are (they stay
   * in the source's profile); otherwise Java2D converts them to sRGB.
   */
  private static BufferedImage toRgb(BufferedImage src, boolean keepValues) {
    boolean alpha = src.getColorModel().hasAlpha();
    int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    if (src.getType() == type) {
      return src;
    }
    BufferedImage dst = new BufferedImage(src.getWidth(), src.getHeight(), type);
    if (keepValues && src.getColorModel().getComponentSize(0) == 8) {
      dst.getRaster().setRect(src.getRaster());
      return dst;
    }
    Graphics2D g = dst.createGraphics();
    try {
      g.drawImage(src, 0, 0, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  /** Applies an EXIF orientation (1 to 8). */
  static BufferedImage orient(BufferedImage src, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return src;
    }
    int w = src.getWidth();
    int h = src.getHeight();
    boolean swap = orientation >= 5;
    AffineTransform t = new AffineTransform();
    switch (orientation) {
      case 2 -> t.setTransform(-1, 0, 0, 1, w, 0); // mirror horizontally
      case 3 -> t.setTransform(-1, 0, 0, -1, w, h); // rotate 180
      case 4 -> t.setTransform(1, 0, 0, -1, 0, h); // mirror vertically
      case 5 -> t.setTransform(0, 1, 1, 0, 0, 0); // transpose
      case 6 -> t.setTransform(0, 1, -1, 0, h, 0); // rotate 90 clockwise
      case 7 -> t.setTransform(0, -1, -1, 0, h, w); // transverse
      case 8 -> t.setTransform(0, -1, 1, 0, 0, w); // rotate 90 counter-clockwise
      default -> throw new AssertionError(orientation);
    }
    BufferedImage dst = new BufferedImage(swap ? h : w, swap ? w : h, src.getType());
    Graphics2D g = dst.createGraphics();
    try {
      g.drawImage(src, t, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  // ------------------------------------------------------------------ resizing and encoding

  private static BufferedImage resize(BufferedImage img, int w, int h) throws IOException {
    if (img.getWidth() == w && img.getHeight() == h) {
      return img;
    }
    return Thumbnails.of(img).forceSize(w, h).imageType(img.getType()).asBufferedImage();
  }

  private static void write(BufferedImage img, ICC_Profile profile, Encoding enc, Path output)
      throws IOException {
    ImageFormat format = enc.format();
    BufferedImage pixels = img;
    ICC_Profile embed = profile;
    if (format == ImageFormat.JPEG && img.getColorModel().hasAlpha()) {
      pixels = overWhite(img);
    }
    if (format == ImageFormat.WEBP && profile != null) {
      pixels = toSrgb(pixels, profile);
      embed = null;
    }
    if (format == ImageFormat.JPEG && profile != null) {
      // The JDK's JPEG writer embeds the profile of the image's colour space (and ignores one given
      // in the metadata): label the same values with the kept profile.
      pixels = tagged(pixels, profile);
      embed = null;
    }
    ImageWriter writer = writer(format);
    Path dir = output.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".image-", ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp);
          ImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (format != ImageFormat.PNG && param.canWriteCompressed()) {
          param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
          String[] types = param.getCompressionTypes();
          if (types != null) {
            for (String type : types) {
              if (type.equalsIgnoreCase("lossy")) {
                param.setCompressionType(type);
              }
            }
            if (param.getCompressionType() == null) {
              param.setCompressionType(types[0]);
            }
          }
          param.setCompressionQuality(enc.quality() / 100f);
        }
        IIOMetadata meta = null;
        if (embed != null) {
          meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(pixels), param);
          embedProfile(meta, format, embed);
        }
        writer.setOutput(ios);
        writer.write(null, new IIOImage(pixels, null, meta), param);
        ios.flush();
      } finally {
        writer.dispose();
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static ImageWriter writer(ImageFormat format) throws IOException {
    Iterator<ImageWriter> it = ImageIO.getImageWritersByMIMEType(format.mimeType());
    ImageWriter chosen = null;
    while (it.hasNext()) {
      ImageWriter w = it.next();
      // Prefer the JDK's own JPEG and PNG writers: their metadata trees are the documented ones.
      if (chosen == null || w.getClass().getName().startsWith("com.sun.imageio")) {
        chosen = w;
      }
    }
    if (chosen == null) {
      throw new IOException("no " + format.mimeType() + " writer is installed");
    }
    return chosen;
  }

  private static void embedProfile(IIOMetadata meta, ImageFormat format, ICC_Profile profile)
      throws IOException {
    if (format == ImageFormat.PNG) {
      String name = "javax_imageio_png_1.0";
      IIOMetadataNode root = new IIOMetadataNode(name);
      IIOMetadataNode iccp = new IIOMetadataNode("iCCP");
      iccp.setAttribute("profileName", "icc");
      iccp.setAttribute("compressionMethod", "deflate");
      iccp.setUserObject(deflate(profile.getData())); // the JDK writer stores it as given
      root.appendChild(iccp);
      meta.mergeTree(name, root);
    }
  }

  private static byte[] deflate(byte[] data) {
    java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION);
    d.setInput(data);
    d.finish();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  private static Node find(Node node, String name) {
    if (node.getNodeName().equals(name)) {
      return node;
    }
    for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
      Node f = find(c, name);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private static BufferedImage overWhite(BufferedImage img) {
    BufferedImage dst =
        new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(img, 0, 0, null);
    } finally {
      g.dispose();
    }
    return dst;
  }

  /** Converts pixels whose values are in {@code profile} to sRGB. */
  private static BufferedImage toSrgb(BufferedImage img, ICC_Profile profile) {
    BufferedImage tagged = tagged(img, profile);
    BufferedImage dst = new BufferedImage(img.getWidth(), img.getHeight(), img.getType());
    new java.awt.image.ColorConvertOp(null).filter(tagged, dst);
    return dst;
  }

  /** The same sample values, in an image whose colour space is {@code profile}. */
  private static BufferedImage tagged(BufferedImage img, ICC_Profile profile) {
    boolean alpha = img.getColorModel().hasAlpha();
    ColorSpace cs = new ICC_ColorSpace(profile);
    ColorModel cm =
        new java.awt.image.ComponentColorModel(
            cs,
            alpha,
            false,
            alpha ? java.awt.Transparency.TRANSLUCENT : java.awt.Transparency.OPAQUE,
            java.awt.image.DataBuffer.TYPE_BYTE);
    java.awt.image.WritableRaster r =
        cm.createCompatibleWritableRaster(img.getWidth(), img.getHeight());
    r.setRect(img.getRaster());
    return new BufferedImage(cm, r, false, null);
  }
}
