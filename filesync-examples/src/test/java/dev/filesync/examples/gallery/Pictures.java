package dev.filesync.examples.gallery;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** Test pictures drawn with Java2D (no text: fonts may be missing on a build machine). */
final class Pictures {
  private Pictures() {}

  /** A sky-to-sea gradient with a sun, as PNG. */
  static byte[] sunsetPng(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new GradientPaint(0, 0, new Color(255, 140, 60), 0, h, new Color(40, 30, 110)));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(255, 220, 90));
    g.fill(new Ellipse2D.Double(w * 0.35, h * 0.3, w * 0.3, w * 0.3));
    g.setColor(new Color(20, 40, 90));
    g.fillRect(0, h * 2 / 3, w, h / 3 + 1);
    g.dispose();
    return encode(img, "png");
  }

  /** A tall picture of stripes and a ring, as JPEG. */
  static byte[] portraitJpeg(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    for (int i = 0; i < 10; i++) {
      g.setColor(i % 2 == 0 ? new Color(40, 130, 90) : new Color(230, 230, 210));
      g.fillRect(0, i * h / 10, w, h / 10 + 1);
    }
    g.setColor(new Color(200, 40, 60));
    g.setStroke(new BasicStroke(Math.max(4, w / 20f)));
    g.draw(new Ellipse2D.Double(w * 0.15, h * 0.35, w * 0.7, w * 0.7));
    g.dispose();
    return encode(img, "jpeg");
  }

  /** A small checkerboard, as PNG (smaller than a thumbnail: it is not enlarged). */
  static byte[] checkerPng(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int cell = Math.max(1, Math.min(w, h) / 6);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean dark = ((x / cell) + (y / cell)) % 2 == 0;
        img.setRGB(x, y, dark ? 0x2b4c7e : 0xf2c14e);
      }
    }
    return encode(img, "png");
  }

  /**
   * A vector drawing. No thumbnail is made for SVG (FileSync's image decoders read raster formats
   * only), so the gallery shows it through the endpoint's fallback to the original.
   */
  static byte[] drawingSvg(int w, int h) {
    String svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
            + w
            + "\" height=\""
            + h
            + "\" viewBox=\"0 0 "
            + w
            + " "
            + h
            + "\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#d8efe6\"/>"
            + "<circle cx=\""
            + w / 2
            + "\" cy=\""
            + h / 2
            + "\" r=\""
            + Math.min(w, h) / 3
            + "\" fill=\"#7b4fa0\"/>"
            + "<path d=\"M0 "
            + h
            + " L"
            + w / 2
            + " "
            + h / 3
            + " L"
            + w
            + " "
            + h
            + " Z\" fill=\"#2f6f4f\" fill-opacity=\"0.7\"/></svg>";
    return svg.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
