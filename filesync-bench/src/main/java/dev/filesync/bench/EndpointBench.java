package dev.filesync.bench;

import com.sun.net.httpserver.HttpServer;
import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.LocalFileServer;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local file endpoint ({@link LocalFileServer}) of a local-only FileSync, each figure beside
 * the raw tool doing the same work on the same bytes: one large whole-body GET with curl (beside
 * {@code curl file://} of the content file, which reads the same bytes from the page cache without
 * HTTP, and {@code sha256sum}, the hashing the endpoint does on every whole body); the last MiB of
 * it as a ranged GET (beside {@code curl -r} on {@code file://}); many small GETs with a {@code
 * java.net.http} client (HTTP/1.1, kept alive, two requests at a time) beside the same client
 * against a bare JDK {@code HttpServer} serving the same content files with no checks (the floor of
 * the HTTP stack both use); and the peak heap of this JVM, where the endpoint runs, during the
 * large GET.
 *
 * <p>Run: {@code bin/bench endpoint [bigMiB] [smallCount]} (defaults 1024 and 2000; the small files
 * are 16 KiB, thumbnail-sized).
 */
public final class EndpointBench {
  private static final int SMALL_BYTES = 16 << 10;
  private static final int CLIENTS = 2;
  private static final int ROUNDS = 3;
  private static final int RANGE_RUNS = 11;

  private EndpointBench() {}

  public static void main(String[] args) throws Exception {
    long bigMiB = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int smallCount = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    long bigBytes = bigMiB << 20;
    Path tmp = Files.createTempDirectory("filesync-bench-endpoint");
    System.out.printf(
        Locale.ROOT,
        "filesync local endpoint benchmark (%d cores, Java %s, max heap %d MiB, %s)%n%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.version(),
        Runtime.getRuntime().maxMemory() >> 20,
        BenchSupport.curlVersion());
    try (Store store =
            Store.open(
                StoreConfig.builder(tmp.resolve("data"), "bench", FileSyncSchema.schema())
                    .build());
        FileSync files = FileSync.builder(store, tmp.resolve("data")).start()) {
      String bigId;
      try (InputStream in = new RandomStream(bigBytes, 1)) {
        bigId = files.save(in, "big.bin", "application/octet-stream");
      }
      Path bigPath = files.localPath(bigId).orElseThrow();
      List<String> smallIds = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < smallCount; i++) {
        byte[] b = new byte[SMALL_BYTES];
        new SplittableRandom(100 + i).nextBytes(b);
        smallIds.add(files.save(b, "thumb-" + i + ".webp", "image/webp"));
      }
      double saveSmall = seconds(t0);

      try (LocalFileServer server = LocalFileServer.builder(files).start()) {
        String bigUrl = server.url(bigId).toString();
        String fileUrl = bigPath.toUri().toString();

        // 1. one large GET; the page cache is warmed first (and by the untimed first GET)
        warm(bigPath);
        curl(List.of(bigUrl), bigBytes);
        double shaSec = time(List.of("sha256sum", bigPath.toString()));
        double javaShaSec = javaSha256(bigPath);
        double fileSec = curl(List.of(fileUrl), bigBytes).total();
        System.gc();
        long heapBefore = BenchSupport.usedHeap();
        BenchSupport.resetPeakHeap();
        double endpointSec = curl(List.of(bigUrl), bigBytes).total();
        long peak = BenchSupport.peakHeap();

        System.out.printf(
            Locale.ROOT,
            "One %d MiB file, whole body (curl -o /dev/null, page cache warm)%n",
            bigMiB);
        bigRow("GET via the endpoint (verified)", endpointSec, bigMiB);
        bigRow("curl file:// (same bytes, no HTTP)", fileSec, bigMiB);
        bigRow("sha256sum (the hashing alone)", shaSec, bigMiB);
        bigRow("SHA-256 in this JVM, 64 KiB reads", javaShaSec, bigMiB);
        System.out.printf(
            Locale.ROOT,
            "  %-38s %8.1f MiB  (%.1f MiB before it; the file is %d MiB)%n%n",
            "peak heap of this JVM during the GET",
            peak / 1048576.0,
            heapBefore / 1048576.0,
            bigMiB);

        // 2. the last MiB as a single range
        long from = Math.max(0, bigBytes - (1 << 20));
        String range = from + "-" + (bigBytes - 1);
        long rangeLen = bigBytes - from;
        double[] rangeEndpoint = new double[RANGE_RUNS];
        double[] rangeFile = new double[RANGE_RUNS];
        double[] rangeFirstByte = new double[RANGE_RUNS];
        curl(List.of("-r", range, bigUrl), rangeLen);
        for (int i = 0; i < RANGE_RUNS; i++) {
          Curl c = curl(List.of("-r", range, bigUrl), rangeLen);
          rangeEndpoint[i] = c.total();
          rangeFirstByte[i] = c.firstByte();
          rangeFile[i] = curl(List.of("-r", range, fileUrl), rangeLen).total();
        }
        System.out.printf(
            Locale.ROOT,
            "Last MiB of it (curl -r %s, median of %d, curl's time_total)%n",
            range,
            RANGE_RUNS);
        System.out.printf(
            Locale.ROOT,
            "  %-38s %8.2f ms  (first byte after %.2f ms, new connection each time)%n",
            "ranged GET via the endpoint (206)",
            median(rangeEndpoint) * 1000,
            median(rangeFirstByte) * 1000);
        System.out.printf(
            Locale.ROOT, "  %-38s %8.2f ms%n%n", "curl -r on file://", median(rangeFile) * 1000);

        // 3. many small GETs, the same client against the endpoint and against a bare HttpServer
        Map<String, Path> paths = new HashMap<>();
        List<URI> endpointUrls = new ArrayList<>();
        List<URI> floorUrls = new ArrayList<>();
        ExecutorService floorThreads = Executors.newVirtualThreadPerTaskExecutor();
        HttpServer floor =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        floor.setExecutor(floorThreads);
        floor.createContext(
            "/files/",
            ex -> {
              try (ex) {
                Path p = paths.get(ex.getRequestURI().getPath().substring("/files/".length()));
                if (p == null) {
                  ex.sendResponseHeaders(404, -1);
                  return;
                }
                ex.sendResponseHeaders(200, Files.size(p));
                try (OutputStream body = ex.getResponseBody()) {
                  Files.copy(p, body);
                }
              }
            });
        floor.start();
        URI floorBase = URI.create("http://127.0.0.1:" + floor.getAddress().getPort() + "/files/");
        for (String id : smallIds) {
          paths.put(id, files.localPath(id).orElseThrow());
          endpointUrls.add(server.url(id));
          floorUrls.add(floorBase.resolve(id));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
          // warm-up: JIT, connections
          run(http, endpointUrls);
          run(http, floorUrls);
          Run bestEndpoint = null;
          Run bestFloor = null;
          for (int r = 0; r < ROUNDS; r++) {
            Run e = run(http, endpointUrls);
            Run f = run(http, floorUrls);
            bestEndpoint =
                bestEndpoint == null || e.seconds < bestEndpoint.seconds ? e : bestEndpoint;
            bestFloor = bestFloor == null || f.seconds < bestFloor.seconds ? f : bestFloor;
          }
          System.out.printf(
              Locale.ROOT,
              "%d x 16 KiB GETs (java.net.http, HTTP/1.1 keep-alive, %d at a time, best of %d"
                  + " rounds; sun.net.httpserver.nodelay=%s)%n",
              smallCount,
              CLIENTS,
              ROUNDS,
              Boolean.getBoolean("sun.net.httpserver.nodelay"));
          smallRow("GET via the endpoint (verified)", bestEndpoint);
          smallRow("bare JDK HttpServer, no checks", bestFloor);
          System.out.printf(
              Locale.ROOT,
              "  (saving the %d files took %.1f s, %.0f files/s)%n",
              smallCount,
              saveSmall,
              smallCount / saveSmall);
        } finally {
          http.shutdownNow();
          floor.stop(0);
          floorThreads.shutdownNow();
        }
      }
    } finally {
      StoreBench.deleteTree(tmp);
    }
  }

  record Run(double seconds, double[] latenciesMs) {}

  /** All {@code urls}, {@link #CLIENTS} virtual threads each sending one request at a time. */
  private static Run run(HttpClient http, List<URI> urls) throws Exception {
    AtomicInteger next = new AtomicInteger();
    double[] lat = new double[urls.size()];
    long t0 = System.nanoTime();
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Void>> workers = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        workers.add(
            ex.submit(
                () -> {
                  for (int i; (i = next.getAndIncrement()) < urls.size(); ) {
                    long s = System.nanoTime();
                    HttpResponse<byte[]> r =
                        http.send(
                            HttpRequest.newBuilder(urls.get(i)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    lat[i] = (System.nanoTime() - s) / 1e6;
                    if (r.statusCode() != 200 || r.body().length != SMALL_BYTES) {
                      throw new IOException(
                          "GET " + i + ": " + r.statusCode() + ", " + r.body().length + " bytes");
                    }
                  }
                  return null;
                }));
      }
      for (Future<Void> w : workers) {
        w.get();
      }
    }
    double sec = seconds(t0);
    Arrays.sort(lat);
    return new Run(sec, lat);
  }

  private static void bigRow(String what, double sec, long mib) {
    System.out.printf(Locale.ROOT, "  %-38s %8.2f s  %7.0f MiB/s%n", what, sec, mib / sec);
  }

  private static void smallRow(String what, Run r) {
    int n = r.latenciesMs.length;
    System.out.printf(
        Locale.ROOT,
        "  %-38s %8.0f req/s   p50 %.2f ms   p99 %.2f ms%n",
        what,
        n / r.seconds,
        r.latenciesMs[n / 2],
        r.latenciesMs[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)]);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** curl's own {@code time_total} and {@code time_starttransfer}, in seconds. */
  record Curl(double total, double firstByte) {}

  /**
   * {@code curl -s -f -o /dev/null -w '%{size_download} %{time_total} %{time_starttransfer}'
   * args...}; checks the size.
   */
  private static Curl curl(List<String> args, long expectBytes) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-f", "-o", "/dev/null", "-w"));
    cmd.add("%{size_download} %{time_total} %{time_starttransfer}");
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException("curl failed (" + p.exitValue() + "): " + out);
    }
    String[] f = out.split(" ");
    if (Long.parseLong(f[0]) != expectBytes) {
      throw new IOException("curl got " + f[0] + " bytes, expected " + expectBytes);
    }
    return new Curl(Double.parseDouble(f[1]), Double.parseDouble(f[2]));
  }

  /** Wall time of a process, in seconds. */
  private static double time(List<String> cmd) throws Exception {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (p.waitFor() != 0) {
      throw new IOException(cmd + " failed");
    }
    return seconds(t0);
  }

  /** SHA-256 of the file through {@link MessageDigest}, as the endpoint hashes a body; seconds. */
  private static double javaSha256(Path file) throws Exception {
    long t0 = System.nanoTime();
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[64 << 10];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    md.digest();
    return seconds(t0);
  }

  /** Reads the file once, so that every contender finds it in the page cache. */
  private static void warm(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** {@code size} pseudo-random bytes, made as they are read. */
  private static final class RandomStream extends InputStream {
    private final SplittableRandom rnd;
    private long left;

    RandomStream(long size, long seed) {
      this.left = size;
      this.rnd = new SplittableRandom(seed);
    }

    @Override
    public int read() {
      if (left <= 0) {
        return -1;
      }
      left--;
      return rnd.nextInt(256);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      for (int i = 0; i < n; i += 8) {
        long v = rnd.nextLong();
        for (int j = 0; j < 8 && i + j < n; j++) {
          b[off + i + j] = (byte) (v >>> (8 * j));
        }
      }
      left -= n;
      return n;
    }
  }
}
