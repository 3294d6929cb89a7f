package dev.filesync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.S3Proxy;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Gateway throughput and memory: the FileSync server (its own JVM, gateway mode on the local disk,
 * {@code -Xmx64m}) against an S3-compatible server (s3proxy, filesystem backend, in this JVM), with
 * the same client, curl, moving the same bytes: one 1 GiB file, then 1,000 files of 64 KiB (each
 * side in one curl process with keep-alive), then the server's heap while a 2 GiB file goes through
 * the gateway.
 *
 * <p>Run: {@code bin/bench storage [bigMiB] [smallCount] [hugeMiB]} (defaults 1024 1000 2048).
 */
public final class StorageBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "bench-token";

  private StorageBench() {}

  public static void main(String[] args) throws Exception {
    long bigMiB = args.length > 0 ? Long.parseLong(args[0]) : 1024;
    int smallCount = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    long hugeMiB = args.length > 2 ? Long.parseLong(args[2]) : 2048;
    Path tmp = Files.createTempDirectory("filesync-bench-storage");
    S3Proxy s3 = null;
    Process server = null;
    try {
      System.out.printf(
          Locale.ROOT,
          "filesync storage benchmark (%d cores, Java %s, %s)%n%n",
          Runtime.getRuntime().availableProcessors(),
          Runtime.version(),
          BenchSupport.curlVersion());
      s3 = startS3Proxy(tmp.resolve("s3"));
      URI s3Endpoint = URI.create("http://127.0.0.1:" + s3.getPort());
      try (S3Client client = s3Client(s3Endpoint)) {
        client.createBucket(b -> b.bucket("bench"));
      }
      ServerProcess srv = startServer(tmp.resolve("server"));
      server = srv.process();
      URI api = srv.base();
      try (S3Presigner presigner = presigner(s3Endpoint)) {
        Path big = randomFile(tmp.resolve("big.bin"), bigMiB << 20, 1);
        String key = "bench/" + "b".repeat(64);
        URI gwPut = sign(api, "upload", key, big);
        URI s3Put = presignPut(presigner, key);
        double gwUp = curlPut(gwPut, big);
        double s3Up = curlPut(s3Put, big);
        double gwDown = curlGet(sign(api, "download", key, null));
        double s3Down = curlGet(presignGet(presigner, key));
        System.out.printf(
            Locale.ROOT,
            "%-32s %8.0f MiB/s   (curl, presigned, straight to s3proxy: %.0f MiB/s)%n",
            bigMiB + " MiB PUT via gateway",
            bigMiB / gwUp,
            bigMiB / s3Up);
        System.out.printf(
            Locale.ROOT,
            "%-32s %8.0f MiB/s   (curl, presigned, straight to s3proxy: %.0f MiB/s)%n",
            bigMiB + " MiB GET via gateway",
            bigMiB / gwDown,
            bigMiB / s3Down);
        Files.delete(big);

        Path smallDir = Files.createDirectories(tmp.resolve("small"));
        List<Path> smalls = new ArrayList<>();
        for (int i = 0; i < smallCount; i++) {
          smalls.add(randomFile(smallDir.resolve("f" + i), 64 << 10, 100 + i));
        }
        List<URI> gwPuts = new ArrayList<>();
        List<URI> s3Puts = new ArrayList<>();
        List<URI> gwGets = new ArrayList<>();
        List<URI> s3Gets = new ArrayList<>();
        for (int i = 0; i < smallCount; i++) {
          String k = String.format(Locale.ROOT, "bench/%064x", i);
          gwPuts.add(sign(api, "upload", k, smalls.get(i)));
          s3Puts.add(presignPut(presigner, k));
        }
        double gwSmallUp = curlBatch(gwPuts, smalls, tmp.resolve("gw-put.cfg"));
        double s3SmallUp = curlBatch(s3Puts, smalls, tmp.resolve("s3-put.cfg"));
        for (int i = 0; i < smallCount; i++) {
          String k = String.format(Locale.ROOT, "bench/%064x", i);
          gwGets.add(sign(api, "download", k, null));
          s3Gets.add(presignGet(presigner, k));
        }
        double gwSmallDown = curlBatch(gwGets, null, tmp.resolve("gw-get.cfg"));
        double s3SmallDown = curlBatch(s3Gets, null, tmp.resolve("s3-get.cfg"));
        System.out.printf(
            Locale.ROOT,
            "%-32s %8.0f files/s  (curl, presigned, straight to s3proxy: %.0f files/s)%n",
            smallCount + " x 64 KiB PUT via gateway",
            smallCount / gwSmallUp,
            smallCount / s3SmallUp);
        System.out.printf(
            Locale.ROOT,
            "%-32s %8.0f files/s  (curl, presigned, straight to s3proxy: %.0f files/s)%n",
            smallCount + " x 64 KiB GET via gateway",
            smallCount / gwSmallDown,
            smallCount / s3SmallDown);

        Path huge = randomFile(tmp.resolve("huge.bin"), hugeMiB << 20, 2);
        URI hugePut = sign(api, "upload", "bench/" + "c".repeat(64), huge);
        HeapSampler sampler = new HeapSampler(server.pid());
        sampler.start();
        double hugeUp = curlPut(hugePut, huge);
        long peak = sampler.stop();
        System.out.printf(
            Locale.ROOT,
            "%-32s %8.0f MiB/s   server heap: peak %.1f MiB used (-Xmx64m), file %d MiB%n",
            hugeMiB + " MiB PUT via gateway",
            hugeMiB / hugeUp,
            peak / 1048576.0,
            hugeMiB);
      }
    } finally {
      if (server != null) {
        server.destroy();
        server.waitFor(30, TimeUnit.SECONDS);
      }
      if (s3 != null) {
        s3.stop();
      }
      StoreBench.deleteTree(tmp);
    }
  }

  record ServerProcess(Process process, URI base) {}

  private static ServerProcess startServer(Path data) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        List.of(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx64m",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.filesync.cli.FileSyncCli",
            "server",
            "--port",
            "0",
            "--data",
            data.toString(),
            "--token",
            TOKEN,
            "--max-object-size",
            "16g");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("FileSync server listening on ")) {
        URI base = URI.create(line.substring("FileSync server listening on ".length()).trim());
        Thread.ofPlatform().daemon().start(() -> drain(out));
        return new ServerProcess(p, base);
      }
    }
    throw new IOException("the server did not start");
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // keep the pipe empty
      }
    } catch (IOException ignored) {
      // the server exited
    }
  }

  private static S3Proxy startS3Proxy(Path dir) throws Exception {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:0");
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", "bench");
    p.setProperty("s3proxy.credential", "bench-secret");
    p.setProperty("s3proxy.ignore-unknown-headers", "true");
    p.setProperty("jclouds.provider", "filesystem-nio2");
    p.setProperty("jclouds.filesystem.basedir", dir.toString());
    S3Proxy proxy =
        S3Proxy.Builder.fromProperties(p)
            .blobStore(org.gaul.s3proxy.BlobStores.create(p.getProperty("jclouds.provider"), p))
            .build();
    proxy.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("s3proxy did not start");
      }
      Thread.onSpinWait();
    }
    return proxy;
  }

  private static S3Client s3Client(URI endpoint) {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret")))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build();
  }

  private static S3Presigner presigner(URI endpoint) {
    return S3Presigner.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret")))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build();
  }

  private static URI presignPut(S3Presigner p, String key) throws Exception {
    return p.presignPutObject(
            r ->
                r.signatureDuration(Duration.ofHours(1))
                    .putObjectRequest(o -> o.bucket("bench").key(key)))
        .url()
        .toURI();
  }

  private static URI presignGet(S3Presigner p, String key) throws Exception {
    return p.presignGetObject(
            r ->
                r.signatureDuration(Duration.ofHours(1))
                    .getObjectRequest(o -> o.bucket("bench").key(key)))
        .url()
        .toURI();
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Signs through the server's signer API, as the JavaScript client does. */
  private static URI sign(URI api, String what, String key, Path file) throws Exception {
    String body =
        file == null
            ? JSON.writeValueAsString(java.util.Map.of("key", key))
            : JSON.writeValueAsString(
                java.util.Map.of("key", key, "contentLength", Files.size(file)));
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(api.resolve("/api/v1/sign/" + what))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("sign " + what + ": " + r.statusCode() + " " + r.body());
    }
    JsonNode n = JSON.readTree(r.body());
    return URI.create(n.path("url").asText());
  }

  private static double curlPut(URI url, Path file) throws Exception {
    return curl(
        List.of("curl", "-sS", "-f", "-o", "/dev/null", "-T", file.toString(), url.toString()));
  }

  private static double curlGet(URI url) throws Exception {
    return curl(List.of("curl", "-sS", "-f", "-o", "/dev/null", url.toString()));
  }

  /** Many transfers in one curl process (one connection, kept alive), from a config file. */
  private static double curlBatch(List<URI> urls, List<Path> uploads, Path config)
      throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < urls.size(); i++) {
      sb.append("url = \"").append(urls.get(i)).append("\"\n");
      if (uploads != null) {
        sb.append("upload-file = \"").append(uploads.get(i)).append("\"\n");
      }
      sb.append("output = \"/dev/null\"\n");
    }
    Files.writeString(config, sb);
    return curl(List.of("curl", "-sS", "-f", "-K", config.toString()));
  }

  /** Runs curl; returns the wall time in seconds. */
  private static double curl(List<String> cmd) throws Exception {
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("curl failed (" + p.exitValue() + "): " + output);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Writes {@code size} pseudo-random bytes, streaming. */
  private static Path randomFile(Path file, long size, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      long left = size;
      while (left > 0) {
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

  /** Samples the used heap of another JVM with jstat every 100 ms; reports the peak. */
  private static final class HeapSampler {
    private final long pid;
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;
    private Thread thread;

    HeapSampler(long pid) {
      this.pid = pid;
    }

    void start() {
      String jstat = Path.of(System.getProperty("java.home"), "bin", "jstat").toString();
      thread =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      Process p =
                          new ProcessBuilder(jstat, "-gc", Long.toString(pid), "100").start();
                      BufferedReader r =
                          new BufferedReader(
                              new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                      String header = r.readLine();
                      List<String> cols =
                          header == null ? List.of() : List.of(header.trim().split("\\s+"));
                      for (String line; running && (line = r.readLine()) != null; ) {
                        String[] v = line.trim().split("\\s+");
                        if (v.length != cols.size() || v[0].equals(cols.get(0))) {
                          continue;
                        }
                        double kb = 0;
                        for (String c : List.of("S0U", "S1U", "EU", "OU")) {
                          int i = cols.indexOf(c);
                          if (i >= 0) {
                            kb += Double.parseDouble(v[i]);
                          }
                        }
                        long bytes = (long) (kb * 1024);
                        peak.accumulateAndGet(bytes, Math::max);
                      }
                      p.destroy();
                    } catch (IOException e) {
                      System.err.println("jstat failed: " + e.getMessage());
                    }
                  });
    }

    long stop() throws InterruptedException {
      running = false;
      thread.join(5000);
      return peak.get();
    }
  }
}
