package dev.filesync.cli;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.MultipleGradientPaint;
import java.awt.Polygon;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Point2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Sample files for {@code filesync demo}: photo-like images drawn with Java2D (a gradient sky, a
 * sun, hills, shapes, grain and a label), a few megabytes of binary data and a text file. Every
 * byte follows from the seed: the label uses a built-in pixel font rather than the system's fonts,
 * which differ between machines (and may be missing on a server).
 */
final class SampleFiles {
  /** One generated file. */
  record Sample(Path path, String name, String mimeType, int width, int height, long size) {
    boolean image() {
      return width > 0;
    }
  }

  /** Sizes and names of the images, the first one large enough to be resized. */
  private record Preset(String name, int width, int height, String format) {}

  private static final List<Preset> PRESETS =
      List.of(
          new Preset("harbour", 4032, 3024, "jpeg"),
          new Preset("sunset", 2560, 1440, "jpeg"),
          new Preset("portrait", 1080, 1440, "png"),
          new Preset("square", 1080, 1080, "jpeg"),
          new Preset("meadow", 1024, 768, "jpeg"),
          new Preset("tiles", 800, 600, "png"),
          new Preset("orbit", 640, 480, "jpeg"),
          new Preset("postcard", 480, 320, "jpeg"));

  /** Size of the binary sample file. */
  static final int BINARY_BYTES = 3 * 1024 * 1024;

  private SampleFiles() {}

  /**
   * Writes {@code count} files into {@code dir} (at least 3: images, then {@code measurements.bin}
   * and {@code notes.txt}) and returns them in that order.
   */
  static List<Sample> generate(Path dir, long seed, int count) throws IOException {
    if (count < 3) {
      throw new IllegalArgumentException("at least 3 sample files: " + count);
    }
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    List<Sample> samples = new ArrayList<>();
    int images = count - 2;
    for (int i = 0; i < images; i++) {
      Preset p = PRESETS.get(i % PRESETS.size());
      int round = i / PRESETS.size();
      String name =
          String.format(Locale.ROOT, "%02d-%s%s", i + 1, p.name(), round == 0 ? "" : "-" + round);
      String ext = p.format().equals("png") ? ".png" : ".jpg";
      Path file = dir.resolve(name + ext);
      BufferedImage img = paint(p.width(), p.height(), random.split(), label(i + 1, p, seed));
      write(img, p.format(), file);
      samples.add(
          new Sample(
              file,
              file.getFileName().toString(),
              "image/" + p.format(),
              p.width(),
              p.height(),
              Files.size(file)));
    }
    Path bin = dir.resolve("measurements.bin");
    byte[] bytes = new byte[BINARY_BYTES];
    random.split().nextBytes(bytes);
    Files.write(bin, bytes);
    samples.add(
        new Sample(bin, "measurements.bin", "application/octet-stream", 0, 0, bytes.length));
    Path notes = dir.resolve("notes.txt");
    Files.writeString(notes, notes(seed, samples, 1), StandardCharsets.UTF_8);
    samples.add(new Sample(notes, "notes.txt", "text/plain", 0, 0, Files.size(notes)));
    return samples;
  }

  /** The text of {@code notes.txt}, version {@code version} (the demo edits it on device A). */
  static String notes(long seed, List<Sample> samples, int version) {
    StringBuilder b = new StringBuilder();
    b.append("FileSync demo notes, version ").append(version).append('\n');
    b.append("seed ").append(seed).append('\n').append('\n');
    b.append("Files saved on device A and synced to device B:\n");
    for (Sample s : samples) {
      b.append("- ").append(s.name());
      if (s.image()) {
        b.append(" (").append(s.width()).append('x').append(s.height()).append(')');
      }
      b.append('\n');
    }
    if (version > 1) {
      b.append('\n').append("Edited on device A: this line is new in version ");
      b.append(version).append(".\n");
    }
    return b.toString();
  }

  private static String label(int n, Preset p, long seed) {
    return String.format(
        Locale.ROOT, "FILESYNC DEMO #%d %dX%d SEED %d", n, p.width(), p.height(), seed);
  }

  // ------------------------------------------------------------------ drawing

  static BufferedImage paint(int w, int h, SplittableRandom r, String label) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      float hue = (float) r.nextDouble();
      Color top = Color.getHSBColor(hue, 0.55f, 0.95f);
      Color bottom = Color.getHSBColor(hue + 0.12f, 0.35f, 0.55f);
      g.setPaint(new GradientPaint(0, 0, top, 0, h, bottom));
      g.fillRect(0, 0, w, h);

      float sunX = (float) (w * (0.2 + 0.6 * r.nextDouble()));
      float sunY = (float) (h * (0.15 + 0.25 * r.nextDouble()));
      float sunR = Math.min(w, h) * (0.08f + 0.06f * (float) r.nextDouble());
      g.setPaint(
          new RadialGradientPaint(
              new Point2D.Float(sunX, sunY),
              sunR * 3,
              new float[] {0f, 0.33f, 1f},
              new Color[] {
                new Color(255, 250, 220), new Color(255, 210, 120, 200), new Color(255, 180, 90, 0)
              },
              MultipleGradientPaint.CycleMethod.NO_CYCLE));
      g.fill(new Ellipse2D.Float(sunX - sunR * 3, sunY - sunR * 3, sunR * 6, sunR * 6));

      for (int layer = 0; layer < 3; layer++) {
        float base = h * (0.55f + 0.13f * layer);
        Polygon hills = new Polygon();
        hills.addPoint(0, h);
        int steps = 12;
        for (int i = 0; i <= steps; i++) {
          int x = w * i / steps;
          int y = (int) (base - h * 0.12 * r.nextDouble());
          hills.addPoint(x, y);
        }
        hills.addPoint(w, h);
        g.setColor(Color.getHSBColor(hue + 0.3f + 0.05f * layer, 0.5f, 0.45f - 0.1f * layer));
        g.fillPolygon(hills);
      }

      g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.35f));
      int shapes = 6 + r.nextInt(6);
      for (int i = 0; i < shapes; i++) {
        g.setColor(Color.getHSBColor((float) r.nextDouble(), 0.6f, 0.9f));
        float s = Math.min(w, h) * (0.05f + 0.15f * (float) r.nextDouble());
        float x = (float) (w * r.nextDouble());
        float y = (float) (h * r.nextDouble());
        if (r.nextBoolean()) {
          g.fill(new Ellipse2D.Float(x, y, s, s));
        } else {
          g.fill(new RoundRectangle2D.Float(x, y, s * 1.5f, s, s / 4, s / 4));
        }
      }
      g.setComposite(AlphaComposite.SrcOver);

      int scale = Math.max(1, Math.min(Math.min(w, h) / 160, w * 9 / 10 / (label.length() * 6)));
      int tx = scale * 4;
      int ty = h - scale * 12;
      g.setColor(new Color(0, 0, 0, 120));
      drawText(g, label, tx + scale / 2 + 1, ty + scale / 2 + 1, scale);
      g.setColor(Color.WHITE);
      drawText(g, label, tx, ty, scale);
    } finally {
      g.dispose();
    }
    grain(img, r);
    return img;
  }

  /** Adds light noise, as a camera sensor would; it also makes the JPEG sizes photo-like. */
  private static void grain(BufferedImage img, SplittableRandom r) {
    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    long state = r.nextLong() | 1;
    for (int i = 0; i < px.length; i++) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      int n = (int) (state & 15) - 8;
      int p = px[i];
      int red = clamp(((p >> 16) & 0xFF) + n);
      int green = clamp(((p >> 8) & 0xFF) + n);
      int blue = clamp((p & 0xFF) + n);
      px[i] = red << 16 | green << 8 | blue;
    }
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private static void write(BufferedImage img, String format, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
      try {
        writer.setOutput(ios);
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (format.equals("jpeg")) {
          param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
          param.setCompressionQuality(0.92f);
        }
        writer.write(null, new IIOImage(img, null, null), param);
      } finally {
        writer.dispose();
      }
    }
  }

  // ------------------------------------------------------------------ a 5x7 pixel font

  private static final Map<Character, String[]> FONT = new HashMap<>();

  private static void glyph(char c, String... rows) {
    FONT.put(c, rows);
  }

  static {
    glyph('A', ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#");
    glyph('B', "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.");
    glyph('C', ".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.");
    glyph('D', "####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####.");
    glyph('E', "#####", "#....", "#....", "####.", "#....", "#....", "#####");
    glyph('F', "#####", "#....", "#....", "####.", "#....", "#....", "#....");
    glyph('G', ".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####");
    glyph('H', "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#");
    glyph('I', ".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.");
    glyph('J', "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..");
    glyph('K', "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#");
    glyph('L', "#....", "#....", "#....", "#....", "#....", "#....", "#####");
    glyph('M', "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#");
    glyph('N', "#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#");
    glyph('O', ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.");
    glyph('P', "####.", "#...#", "#...#", "####.", "#....", "#....", "#....");
    glyph('Q', ".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#");
    glyph('R', "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#");
    glyph('S', ".####", "#....", "#....", ".###.", "....#", "....#", "####.");
    glyph('T', "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..");
    glyph('U', "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.");
    glyph('V', "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..");
    glyph('W', "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.");
    glyph('X', "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#");
    glyph('Y', "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..");
    glyph('Z', "#####", "....#", "...#.", "..#..", ".#...", "#....", "#####");
    glyph('0', ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.");
    glyph('1', "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.");
    glyph('2', ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####");
    glyph('3', "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.");
    glyph('4', "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.");
    glyph('5', "#####", "#....", "####.", "....#", "....#", "#...#", ".###.");
    glyph('6', "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.");
    glyph('7', "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...");
    glyph('8', ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.");
    glyph('9', ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..");
    glyph('-', ".....", ".....", ".....", "#####", ".....", ".....", ".....");
    glyph('#', ".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#.");
    glyph('.', ".....", ".....", ".....", ".....", ".....", ".##..", ".##..");
    glyph(':', ".....", ".##..", ".##..", ".....", ".##..", ".##..", ".....");
    glyph('/', ".....", "....#", "...#.", "..#..", ".#...", "#....", ".....");
  }

  /** Draws {@code text} (upper-case letters, digits, {@code -#.:/} and spaces) at (x, y). */
  static void drawText(Graphics2D g, String text, int x, int y, int scale) {
    int cx = x;
    for (char c : text.toUpperCase(Locale.ROOT).toCharArray()) {
      String[] rows = FONT.get(c);
      if (rows != null) {
        for (int row = 0; row < rows.length; row++) {
          for (int col = 0; col < rows[row].length(); col++) {
            if (rows[row].charAt(col) == '#') {
              g.fillRect(cx + col * scale, y + row * scale, scale, scale);
            }
          }
        }
      }
      cx += 6 * scale;
    }
  }
}
