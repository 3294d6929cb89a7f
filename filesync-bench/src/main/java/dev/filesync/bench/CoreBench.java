package dev.filesync.bench;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorages;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The file engine end to end, each figure beside the raw tool doing the same work: saving a big
 * file (beside {@code sha256sum} then {@code cp}), uploading and downloading it through the gateway
 * (beside {@code curl} with a URL signed by the same server), 1,000 small files, the time from a
 * save on one device to verified bytes on another, and the peak heap of this JVM while the big file
 * moved.
 *
 * <p>Run: {@code bin/bench core [bigMiB] [smallCount]} (defaults 1024 and 1000). Run it with a
 * small heap ({@code -Xmx}) to see that nothing holds a file in memory: {@code bin/bench} uses 512
 * MiB for every benchmark; this one also prints the peak it saw.
 */
public final class CoreBench {
  private static final String TOKEN = "core-bench";

  private CoreBench() {}

  record Device(Store store, RemoteStorage remote, FileSync files) implements AutoCloseable {
    static Device open(Path data, URI server) throws IOException {
      return open(data, server, 2);
    }

    static Device open(Path data, URI server, int concurrency) throws IOException {
      Store store =
          Store.open(
              StoreConfig.builder(data, "bench", FileSyncSchema.schema())
                  .syncBackend(HttpSyncBackend.builder(server).token(TOKEN).build())
                  .pullWait(Duration.ofSeconds(1))
                  .build());
      RemoteStorage remote = RemoteStorages.signer(server.resolve("/api"), () -> TOKEN);
      FileSync files =
          FileSync.start(
              FileSync.builder(store, data)
                  .remote(remote)
                  .concurrency(concurrency, concurrency)
                  .build());
      return new Device(store, remote, files);
    }

    void settle() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      while (System.nanoTime() < deadline) {
        if (store.awaitSynced(Duration.ofMillis(50))
            && files.awaitIdle(Duration.ofMillis(50))
            && busy() == 0) {
          return;
        }
      }
      throw new IllegalStateException("did not settle: " + files.status());
    }

    private long busy() throws IOException {
      var r = files.status();
      long n = 0;
      for (String s : List.of("queued", "inProgress")) {
        n += r.uploads().getOrDefault(s, 0L) + r.downloads().getOrDefault(s, 0L);
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      files.close();
      remote.close();
      store.close();
    }
  }

  public static void main(String[] args) throws Exception {
    long bigMiB = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int smallCount = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Path tmp = Files.createTempDirectory("filesync-bench-core");
    try (FileSyncServer server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(tmp.resolve("server"))
                    .token(TOKEN, List.of("*"))
                    .maxObjectBytes(64L << 30)
                    .build())
            .start()) {
      URI base = server.baseUri();
      System.out.printf(
          Locale.ROOT,
          "filesync-core benchmark (%d cores, Java %s, max heap %d MiB)%n%n",
          Runtime.getRuntime().availableProcessors(),
          Runtime.version(),
          Runtime.getRuntime().maxMemory() >> 20);
      Path big = randomFile(tmp.resolve("big.bin"), bigMiB << 20, 1);
      BenchSupport.resetPeakHeap();

      double sha = time(List.of("sha256sum", big.toString()));
      double cp = time(List.of("cp", big.toString(), tmp.resolve("copy.bin").toString()));
      Files.delete(tmp.resolve("copy.bin"));
      String id;
      double save;
      double upload;
      try (Device a = Device.open(tmp.resolve("a"), base)) {
        long t0 = System.nanoTime();
        id = a.files.save(big);
        save = seconds(t0);
        t0 = System.nanoTime();
        a.settle();
        upload = seconds(t0);
      }
      double download;
      try (Device b = Device.open(tmp.resolve("b"), base)) {
        long t0 = System.nanoTime();
        b.settle();
        download = seconds(t0);
        try (InputStream in = b.files.open(id)) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
      long peak = BenchSupport.peakHeap();
      double curlUp = curlThroughSigner(base, big, true);
      double curlDown = curlThroughSigner(base, big, false);
      row(bigMiB + " MiB save", save, "sha256sum + cp", sha + cp, bigMiB);
      row(bigMiB + " MiB upload (A)", upload, "curl PUT, URL from the same signer", curlUp, bigMiB);
      row(
          bigMiB + " MiB download + verify (B)",
          download,
          "curl GET, URL from the same signer",
          curlDown,
          bigMiB);
      System.out.printf(
          Locale.ROOT,
          "%-34s %8.1f MiB   (the file is %d MiB)%n",
          "peak heap of this JVM",
          peak / 1048576.0,
          bigMiB);

      Path small = Files.createDirectories(tmp.resolve("small"));
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < smallCount; i++) {
        files.add(randomFile(small.resolve("s" + i), 64 << 10, 100 + i));
      }
      double smallSave;
      double smallUp;
      double smallDown;
      try (Device c = Device.open(tmp.resolve("c"), base)) {
        long t0 = System.nanoTime();
        for (Path f : files) {
          c.files.save(f);
        }
        smallSave = seconds(t0);
        t0 = System.nanoTime();
        c.settle();
        smallUp = seconds(t0);
      }
      try (Device d = Device.open(tmp.resolve("d"), base)) {
        long t0 = System.nanoTime();
        d.settle();
        smallDown = seconds(t0);
      }
      System.out.printf(
          Locale.ROOT,
          "%-34s %8.0f files/s save, %.0f files/s upload, %.0f files/s to a new device%n",
          smallCount + " x 64 KiB",
          smallCount / smallSave,
          smallCount / smallUp,
          (smallCount + 1) / smallDown);

      // per-direction concurrency: the default is the figure where more stops helping
      StringBuilder up = new StringBuilder();
      StringBuilder down = new StringBuilder();
      for (int conc : new int[] {1, 2, 4, 8}) {
        Path batch = Files.createDirectories(tmp.resolve("conc" + conc));
        List<Path> bf = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          bf.add(randomFile(batch.resolve("c" + i), 64 << 10, 10_000L * conc + i));
        }
        try (Device u = Device.open(tmp.resolve("up" + conc), base, conc)) {
          u.files.pause();
          for (Path f : bf) {
            u.files.save(f);
          }
          long t0 = System.nanoTime();
          u.files.resume();
          u.settle();
          up.append(String.format(Locale.ROOT, "  %d: %.0f", conc, 200 / seconds(t0)));
        }
        try (Device dl = Device.open(tmp.resolve("down" + conc), base, conc)) {
          long t0 = System.nanoTime();
          dl.settle();
          long n = dl.files.status().downloads().getOrDefault("done", 0L);
          down.append(String.format(Locale.ROOT, "  %d: %.0f", conc, n / seconds(t0)));
        }
      }
      System.out.printf(Locale.ROOT, "%-34s%s files/s%n", "upload concurrency (64 KiB files)", up);
      System.out.printf(
          Locale.ROOT, "%-34s%s files/s%n", "download concurrency (new device)", down);

      try (Device e = Device.open(tmp.resolve("e"), base);
          Device f = Device.open(tmp.resolve("f"), base)) {
        e.settle();
        f.settle();
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          byte[] bytes = ("latency probe " + i).getBytes(StandardCharsets.UTF_8);
          long t0 = System.nanoTime();
          String pid = e.files.save(bytes, "probe", "text/plain");
          while (!f.files.displayState(pid).hasLocalCopy()) {
            f.files.awaitIdle(Duration.ofMillis(5));
          }
          try (InputStream in = f.files.open(pid)) {
            in.transferTo(OutputStream.nullOutputStream());
          }
          latencies.add(seconds(t0) * 1000);
        }
        latencies.sort(null);
        System.out.printf(
            Locale.ROOT,
            "%-34s %8.0f ms median, %.0f ms max (20 small files, loopback)%n",
            "save on A -> verified on B",
            latencies.get(latencies.size() / 2),
            latencies.get(latencies.size() - 1));
      }
    } finally {
      StoreBench.deleteTree(tmp);
    }
  }

  private static void row(String what, double ours, String rawName, double raw, long mib) {
    System.out.printf(
        Locale.ROOT,
        "%-34s %8.2f s  %6.0f MiB/s   (%s: %.2f s, %.0f MiB/s)%n",
        what,
        ours,
        mib / ours,
        rawName,
        raw,
        mib / raw);
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

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

  /** curl moving the same bytes to the same server, with a URL from its signer API. */
  private static double curlThroughSigner(URI base, Path file, boolean upload) throws Exception {
    String key = "bench/" + "f".repeat(64);
    var http = java.net.http.HttpClient.newHttpClient();
    String body =
        upload
            ? "{\"key\":\"" + key + "\",\"contentLength\":" + Files.size(file) + "}"
            : "{\"key\":\"" + key + "\"}";
    var resp =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    base.resolve("/api/v1/sign/" + (upload ? "upload" : "download")))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    String url =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(resp.body())
            .path("url")
            .asText();
    return upload
        ? time(List.of("curl", "-sS", "-f", "-o", "/dev/null", "-T", file.toString(), url))
        : time(List.of("curl", "-sS", "-f", "-o", "/dev/null", url));
  }

  private static Path randomFile(Path file, long size, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        for (int i = 0; i < buf.length; i += 8) {
          long v = rnd.nextLong();
          for (int j = 0; j < 8; j++) {
            buf[i + j] = (byte) (v >>> (8 * j));
          }
        }
        int n = (int) Math.min(buf.length, left);
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return file;
  }
}
