package dev.filesync.bench;

import dev.filesync.image.ColorHandling;
import dev.filesync.image.ImageBackend;
import dev.filesync.image.ImageBackend.Encoding;
import dev.filesync.image.ImageBackend.Target;
import dev.filesync.image.ImageBackends;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.vips.VipsImageBackendProvider;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Thumbnails per second from photo-sized JPEGs: the Java backend and the libvips backend through
 * {@link ImageBackend#render} (each image decoded once, three outputs), beside {@code
 * vipsthumbnail} and ImageMagick's {@code convert -thumbnail} run as processes. Every tool does as
 * many jobs at a time as there are cores, with its own default threading inside a job, and writes
 * the same outputs: 128, 256 and 512 px bounding boxes as WebP at quality 80, then as JPEG at
 * quality 85. The JVM backends get one untimed warm-up pass over all images first; the peak heap
 * printed for them is the sum of the heap pools' peaks during the timed pass (libvips' own native
 * memory is not in it).
 *
 * <p>The sources are generated photo-like JPEGs: smooth gradients and waves with grain, quality 90,
 * so that they compress (and decode) like camera pictures rather than flat test cards.
 *
 * <p>Run: {@code bin/bench image [count] [megapixels]} (defaults 40 and 12, i.e. 4000x3000).
 */
public final class ImageBench {
  private static final int[] SIZES = {128, 256, 512};
  private static final int JOBS = Runtime.getRuntime().availableProcessors();
  private static final int GRAIN = 13; // grain of -12..12, triangular
  private static final String CONVERT = "/usr/bin/convert"; // /usr/local/bin may hold a stand-in

  private ImageBench() {}

  /** One output encoding of the benchmark. */
  private record Output(String label, ImageFormat format, int quality) {
    String extension() {
      return format.extension();
    }
  }

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    double megapixels = args.length > 1 ? Double.parseDouble(args[1]) : 12;
    int width = (int) Math.round(Math.sqrt(megapixels * 1e6 * 4 / 3));
    int height = width * 3 / 4;
    Path tmp = Files.createTempDirectory("filesync-bench-image");
    ExecutorService pool = Executors.newFixedThreadPool(JOBS);
    try {
      Path src = Files.createDirectories(tmp.resolve("src"));
      List<Path> sources = generate(src, count, width, height, pool);
      long bytes = 0;
      for (Path p : sources) {
        bytes += Files.size(p);
      }
      ImageBackend java = ImageBackends.java();
      VipsImageBackendProvider provider = new VipsImageBackendProvider();
      Optional<ImageBackend> vips = provider.create();
      String magick = version(List.of(CONVERT, "-version"), "ImageMagick");
      String vipsCli = version(List.of("vipsthumbnail", "--vips-version"), "libvips");
      System.out.printf(
          Locale.ROOT,
          "filesync image benchmark (%d cores, Java %s, max heap %d MiB, %s, %s)%n",
          Runtime.getRuntime().availableProcessors(),
          Runtime.version(),
          Runtime.getRuntime().maxMemory() >> 20,
          vips.map(ImageBackend::name).orElse("libvips backend unavailable"),
          magick == null ? "no ImageMagick at " + CONVERT : magick);
      System.out.printf(
          Locale.ROOT,
          "%d photo-like JPEGs of %dx%d (%.1f MP, %.1f MiB each on average); %d jobs at a time%n",
          count,
          width,
          height,
          width * (double) height / 1e6,
          bytes / (double) count / 1048576,
          JOBS);
      if (vips.isEmpty()) {
        System.out.println("libvips backend: " + provider.unavailableReason());
      }

      List<Output> outputs =
          List.of(
              new Output("WebP q80", ImageFormat.WEBP, 80),
              new Output("JPEG q85", ImageFormat.JPEG, 85));
      warmUp(java, sources, tmp.resolve("warm-java"), outputs, pool);
      if (vips.isPresent()) {
        warmUp(vips.get(), sources, tmp.resolve("warm-vips"), outputs, pool);
      }
      for (Output out : outputs) {
        System.out.printf(
            Locale.ROOT,
            "%n%s: 128, 256 and 512 px bounding boxes, 3 outputs per image%n",
            out.label());
        Path dir = tmp.resolve(out.extension());
        backendRow("java backend (ImageBackend)", java, sources, dir.resolve("java"), out, pool);
        if (vips.isPresent()) {
          backendRow(
              "libvips backend (ImageBackend)",
              vips.get(),
              sources,
              dir.resolve("vips"),
              out,
              pool);
        }
        if (vipsCli != null) {
          vipsthumbnailRow(sources, dir.resolve("vipsthumbnail"), out, pool);
        } else {
          System.out.printf(Locale.ROOT, "  %-36s not installed%n", "vipsthumbnail");
        }
        if (magick != null) {
          convertRow(sources, dir.resolve("convert"), out, pool);
        } else {
          System.out.printf(Locale.ROOT, "  %-36s not installed%n", "convert -thumbnail");
        }
      }
    } finally {
      pool.shutdownNow();
      StoreBench.deleteTree(tmp);
    }
  }

  // ------------------------------------------------------------------ the contenders

  private static void warmUp(
      ImageBackend backend,
      List<Path> sources,
      Path dir,
      List<Output> outputs,
      ExecutorService pool)
      throws Exception {
    for (int i = 0; i < outputs.size(); i++) {
      // the whole pass in the first encoding, a few images in the others
      List<Path> some = i == 0 ? sources : sources.subList(0, Math.min(4, sources.size()));
      render(backend, some, dir.resolve(String.valueOf(i)), outputs.get(i), pool);
    }
  }

  private static void backendRow(
      String name,
      ImageBackend backend,
      List<Path> sources,
      Path dir,
      Output out,
      ExecutorService pool)
      throws Exception {
    System.gc(); // the previous contender's garbage is not this one's peak
    BenchSupport.resetPeakHeap();
    long cpu0 = cpuNanos();
    double seconds = render(backend, sources, dir, out, pool);
    long cpu = cpuNanos() - cpu0;
    long peak = BenchSupport.peakHeap();
    row(
        name,
        sources.size(),
        seconds,
        dir,
        out,
        cpu,
        String.format(Locale.ROOT, "peak heap %.0f MiB", peak / 1048576.0));
  }

  /** Renders every source to the three sizes, {@link #JOBS} at a time; returns the seconds. */
  private static double render(
      ImageBackend backend, List<Path> sources, Path dir, Output out, ExecutorService pool)
      throws Exception {
    Files.createDirectories(dir);
    Encoding enc = new Encoding(out.format(), out.quality(), ColorHandling.KEEP_ICC);
    List<Callable<Void>> jobs = new ArrayList<>();
    for (Path source : sources) {
      String base = base(source);
      jobs.add(
          () -> {
            List<Target> targets = new ArrayList<>();
            for (int size : SIZES) {
              targets.add(new Target(size, dir.resolve(base + "-" + size + "." + out.extension())));
            }
            backend.render(source, targets, enc, 100_000_000L);
            return null;
          });
    }
    long t0 = System.nanoTime();
    runAll(pool, jobs);
    return seconds(t0);
  }

  /**
   * {@code vipsthumbnail} over all files, one process per size and half of the files (so {@link
   * #JOBS} processes at a time, three rounds); each process thumbnails its files one by one.
   */
  private static void vipsthumbnailRow(
      List<Path> sources, Path dir, Output out, ExecutorService pool) throws Exception {
    Files.createDirectories(dir);
    String options = "[Q=" + out.quality() + ",strip]";
    List<Callable<Void>> jobs = new ArrayList<>();
    for (int size : SIZES) {
      for (List<Path> part : split(sources, JOBS)) {
        List<String> cmd = new ArrayList<>();
        cmd.add("vipsthumbnail");
        cmd.add("-s");
        cmd.add(String.valueOf(size));
        cmd.add("-o");
        cmd.add(dir.toAbsolutePath() + "/%s-" + size + "." + out.extension() + options);
        for (Path p : part) {
          cmd.add(p.toString());
        }
        jobs.add(() -> exec(cmd));
      }
    }
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    runAll(pool, jobs);
    row(
        "vipsthumbnail (per size, half the files)",
        sources.size(),
        seconds(t0),
        dir,
        out,
        cpuNanos() - cpu0,
        "3 x " + JOBS + " processes");
  }

  /**
   * ImageMagick, one process per image that reads it once and writes the three sizes ({@code
   * -thumbnail 512x512 -write ... -thumbnail 256x256 -write ...}), {@link #JOBS} processes at a
   * time.
   */
  private static void convertRow(List<Path> sources, Path dir, Output out, ExecutorService pool)
      throws Exception {
    Files.createDirectories(dir);
    List<Callable<Void>> jobs = new ArrayList<>();
    for (Path source : sources) {
      List<String> cmd = new ArrayList<>(List.of(CONVERT, source.toString(), "-strip"));
      cmd.addAll(List.of("-quality", String.valueOf(out.quality())));
      for (int i = SIZES.length - 1; i >= 0; i--) {
        int size = SIZES[i];
        cmd.addAll(List.of("-thumbnail", size + "x" + size));
        Path target = dir.resolve(base(source) + "-" + size + "." + out.extension());
        if (i > 0) {
          cmd.addAll(List.of("-write", target.toString()));
        } else {
          cmd.add(target.toString());
        }
      }
      jobs.add(() -> exec(cmd));
    }
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    runAll(pool, jobs);
    row(
        "convert -thumbnail (per image)",
        sources.size(),
        seconds(t0),
        dir,
        out,
        cpuNanos() - cpu0,
        sources.size() + " processes");
  }

  private static void row(
      String name, int images, double seconds, Path dir, Output out, long cpuNanos, String note)
      throws IOException {
    long total = 0;
    int n = 0;
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith("-512." + out.extension())).toList()) {
        total += Files.size(p);
        n++;
      }
    }
    if (n != images) {
      throw new IllegalStateException(name + " wrote " + n + " of " + images + " 512 px outputs");
    }
    System.out.printf(
        Locale.ROOT,
        "  %-40s %6.2f images/s %7.2f thumbnails/s   CPU %4.0f ms/image   512 px: %5.1f KiB avg   %s%n",
        name,
        images / seconds,
        3 * images / seconds,
        cpuNanos / 1e6 / images,
        total / (double) n / 1024,
        note);
  }

  // ------------------------------------------------------------------ sources

  /**
   * Photo-like JPEGs: per image, a random smooth colour field (gradients and a few long waves),
   * some finer texture, and per-pixel grain; written at quality 90.
   */
  private static List<Path> generate(
      Path dir, int count, int width, int height, ExecutorService pool) throws Exception {
    List<Callable<Path>> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Path file = dir.resolve(String.format(Locale.ROOT, "photo-%03d.jpg", i));
      long seed = 1000 + i;
      jobs.add(
          () -> {
            writeJpeg(photo(width, height, seed), 0.9f, file);
            return file;
          });
    }
    List<Path> files = new ArrayList<>();
    for (Future<Path> f : pool.invokeAll(jobs)) {
      files.add(f.get());
    }
    return files;
  }

  static BufferedImage photo(int w, int h, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    // Per channel: base + gradients + a long diagonal wave + a finer texture, all separable
    // (sin(a + b) = sin a cos b + cos a sin b), so they are tables per column and per row; then
    // per-pixel grain.
    double[][] col = new double[3 * 4][w];
    double[][] row = new double[3 * 4][h];
    for (int k = 0; k < 3; k++) {
      double base = 40 + rnd.nextDouble() * 160;
      double gx = rnd.nextDouble() * 80 - 40;
      double gy = rnd.nextDouble() * 80 - 40;
      double amp = 10 + rnd.nextDouble() * 30;
      double waves = 1 + rnd.nextDouble() * 4;
      double phase = rnd.nextDouble() * Math.PI * 2;
      double tex = 6 + rnd.nextDouble() * 10;
      double period = 8 + rnd.nextDouble() * 40;
      for (int x = 0; x < w; x++) {
        double a = waves * Math.PI * x / w + phase;
        col[4 * k][x] = base + gx * x / w;
        col[4 * k + 1][x] = amp * Math.sin(a);
        col[4 * k + 2][x] = amp * Math.cos(a);
        col[4 * k + 3][x] = tex * Math.sin(x / period + phase);
      }
      for (int y = 0; y < h; y++) {
        double b = waves * Math.PI * 0.7 * y / h;
        row[4 * k][y] = gy * y / h;
        row[4 * k + 1][y] = Math.cos(b);
        row[4 * k + 2][y] = Math.sin(b);
        row[4 * k + 3][y] = Math.cos(y / (period * 1.3));
      }
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = 0;
        for (int k = 0; k < 12; k += 4) {
          double v =
              col[k][x]
                  + row[k][y]
                  + col[k + 1][x] * row[k + 1][y]
                  + col[k + 2][x] * row[k + 2][y]
                  + col[k + 3][x] * row[k + 3][y]
                  + rnd.nextInt(GRAIN)
                  + rnd.nextInt(GRAIN)
                  - (GRAIN - 1); // triangular grain
          rgb = rgb << 8 | (int) Math.max(0, Math.min(255, v));
        }
        px[y * w + x] = rgb;
      }
    }
    return img;
  }

  private static void writeJpeg(BufferedImage img, float quality, Path file) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(quality);
    try (OutputStream os = Files.newOutputStream(file);
        ImageOutputStream out = ImageIO.createImageOutputStream(os)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(img, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String base(Path source) {
    String name = source.getFileName().toString();
    return name.substring(0, name.lastIndexOf('.'));
  }

  private static <T> List<List<T>> split(List<T> all, int parts) {
    List<List<T>> out = new ArrayList<>();
    int per = (all.size() + parts - 1) / parts;
    for (int i = 0; i < all.size(); i += per) {
      out.add(all.subList(i, Math.min(all.size(), i + per)));
    }
    return out;
  }

  private static <T> void runAll(ExecutorService pool, List<Callable<T>> jobs) throws Exception {
    for (Future<T> f : pool.invokeAll(jobs)) {
      f.get();
    }
  }

  private static Void exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException(
          String.join(" ", cmd.subList(0, Math.min(6, cmd.size())))
              + " ... failed: "
              + new String(output, StandardCharsets.UTF_8));
    }
    return null;
  }

  /** The first line of a tool's version output when it contains {@code expect}, or null. */
  private static String version(List<String> cmd, String expect) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 || !out.contains(expect)) {
        return null;
      }
      String line = out.lines().findFirst().orElse("").strip();
      return line.replace("Version: ", "").replaceAll(" https?://\\S+", "");
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * CPU time used by this JVM (all its threads) plus the processes it has waited for: what a
   * contender cost, whatever else ran on the machine at the same time.
   */
  private static long cpuNanos() {
    long self =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    try {
      // /proc/self/stat: after the ")" closing the command, fields 16 and 17 (cutime, cstime)
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[16 - 3]) + Long.parseLong(f[17 - 3]);
      return self + ticks * 1_000_000_000L / CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      return self; // not Linux: the processes' CPU is not counted
    }
  }

  private static final long CLOCK_TICKS = clockTicks();

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return p.waitFor() == 0 ? Long.parseLong(out) : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
