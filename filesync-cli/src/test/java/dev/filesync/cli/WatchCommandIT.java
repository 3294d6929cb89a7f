package dev.filesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.LockStatus;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code filesync watch} against a real server, in-process and as a separate JVM. */
class WatchCommandIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "watch-token";
  static final String TIME = "\\d\\d:\\d\\d:\\d\\d ";

  @TempDir Path dir;
  FileSyncServer server;
  Map<String, String> env;

  record Result(int status, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(dir.resolve("server"))
                    .token(TOKEN, List.of("*"))
                    .build())
            .start();
    env = new HashMap<>();
    env.put("FILESYNC_SERVER", server.baseUri().toString());
    env.put("FILESYNC_TOKEN", TOKEN);
    env.put("FILESYNC_STORE", "watch-store");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Result run(String device, String... args) {
    return run(device, new StringWriter(), args);
  }

  private Result run(String device, StringWriter out, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--data");
    all.add(dir.resolve(device).toString());
    StringWriter err = new StringWriter();
    int status =
        FileSyncCli.run(
            all.toArray(String[]::new),
            env,
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  /** A photo, a text file and 2 MiB of binary, added on {@code device}; returns their ids. */
  private List<String> addFiles(String device) throws IOException {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(300, 200, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 200; y++) {
      for (int x = 0; x < 300; x++) {
        img.setRGB(x, y, (x * 255 / 300) << 16 | (y * 255 / 200) << 8 | 90);
      }
    }
    Path photo = dir.resolve("photo.jpg");
    javax.imageio.ImageIO.write(img, "jpeg", photo.toFile());
    Path notes = Files.writeString(dir.resolve("notes.txt"), "watch me");
    byte[] big = new byte[2 * 1024 * 1024];
    new java.util.Random(3).nextBytes(big);
    Path bin = Files.write(dir.resolve("big.bin"), big);
    Result added = run(device, "add", "--json", photo.toString(), notes.toString(), bin.toString());
    assertThat(added.status()).as(added.err()).isZero();
    List<String> ids = new ArrayList<>();
    JSON.readTree(added.out()).forEach(n -> ids.add(n.path("id").asText()));
    return ids;
  }

  @Test
  void watchOnAnotherDeviceDownloadsEverythingAndEndsAfterItsDuration() throws Exception {
    List<String> ids = addFiles("a");
    Result synced = run("a", "sync", "--until-idle", "--timeout", "60s");
    assertThat(synced.status()).as(synced.err()).isZero();

    Result watched = run("b", "watch", "--duration", "6s");

    assertThat(watched.status()).as(watched.err()).isZero();
    assertThat(watched.err()).isEmpty();
    for (String name : List.of("photo.jpg", "notes.txt", "big.bin")) {
      assertThat(watched.out()).containsPattern(TIME + "download done +" + Pattern.quote(name));
    }
    assertThat(watched.out())
        .containsPattern(
            TIME
                + "done after 6\\.\\d\\d s: 0 uploads and 3 downloads done, 0 gave up;"
                + " nothing left queued");
    JsonNode ls = JSON.readTree(run("b", "ls", "--json").out());
    assertThat(ls).hasSize(3);
    assertThat(ls).allSatisfy(f -> assertThat(f.path("downloadStatus").asText()).isEqualTo("done"));
    Path copy = dir.resolve("copy.bin");
    Result got = run("b", "get", ids.get(2), "-o", copy.toString(), "--timeout", "1s");
    assertThat(got.status()).as(got.err()).isZero();
    assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(dir.resolve("big.bin")));
  }

  @Test
  void plainOutputHasOneLinePerEvent() throws Exception {
    // Saved while the server cannot be reached: the uploads wait, queued, for the watch.
    env.put("FILESYNC_SERVER", "http://127.0.0.1:1");
    List<String> ids = addFiles("a");
    env.put("FILESYNC_SERVER", server.baseUri().toString());

    Result watched = run("a", "watch", "--duration", "5s");

    assertThat(watched.status()).as(watched.err()).isZero();
    List<String> lines = watched.out().lines().toList();
    assertThat(lines.get(0))
        .matches(
            TIME
                + "watching store watch-store in .*a, server "
                + Pattern.quote(server.baseUri().toString())
                + "; stopping after 5s");
    assertThat(lines.get(1))
        // (1 to 3 queued: the first upload may have started before this line.)
        .matches(TIME + "engine: this process runs it, (online|offline); queued: [123] up, 0 down");
    assertThat(lines).allSatisfy(l -> assertThat(l).matches(TIME + ".*"));
    for (String name : List.of("photo.jpg", "notes.txt", "big.bin")) {
      String file = Pattern.quote(name) + " [0-9a-f]{8}";
      assertThat(lines).anySatisfy(l -> assertThat(l).matches(TIME + "upload   started  " + file));
      assertThat(lines)
          .anySatisfy(
              l -> assertThat(l).matches(TIME + "upload   done     " + file + " \\(.*B\\)"));
    }
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .matches(
                        TIME + "thumbnails photo\\.jpg [0-9a-f]{8} \\(small, medium, large\\)"));
    assertThat(lines.get(lines.size() - 1))
        .matches(
            TIME
                + "done after 5\\.\\d\\d s: 3 uploads and 0 downloads done, 0 gave up;"
                + " nothing left queued");
    assertThat(watched.out()).doesNotContain("\u001b[");

    // The uploads really happened: another device gets the files.
    assertThat(run("b", "sync", "--until-idle", "--timeout", "60s").status()).isZero();
    Path copy = dir.resolve("copy.txt");
    assertThat(run("b", "get", ids.get(1), "-o", copy.toString()).status()).isZero();
    assertThat(Files.readString(copy)).isEqualTo("watch me");
  }

  @Test
  void serveStartsTheLocalEndpointWithFilesAndThumbnails() throws Exception {
    List<String> ids = addFiles("a");
    assertThat(run("a", "sync", "--until-idle", "--timeout", "60s").status()).isZero();

    StringWriter out = new StringWriter();
    // Its own thread, not CompletableFuture.supplyAsync: with 2 cores the common pool has one
    // worker, and a watch blocking it stalls the JDK HttpClient's async completions that
    // FileSync's transfers wait for (they hang until the request timeout).
    CompletableFuture<Result> watching = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("watch")
        .start(() -> watching.complete(run("b", out, "watch", "--serve", "--duration", "8s")));
    Matcher m =
        awaitLine(
            out, Pattern.compile("local endpoint (http://127\\.0\\.0\\.1:\\d+/)  token (\\S+)"));
    URI base = URI.create(m.group(1));
    String token = m.group(2);

    try (HttpClient http = HttpClient.newHttpClient()) {
      // 503 means "not servable yet, retry" (the row may not have its remote key on B yet).
      HttpRequest get =
          HttpRequest.newBuilder(base.resolve("files/" + ids.get(1) + "?token=" + token)).build();
      HttpResponse<byte[]> file = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      while (file.statusCode() == 503 && System.nanoTime() < until) {
        assertThat(file.headers().firstValue("Retry-After")).contains("2");
        Thread.sleep(200);
        file = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
      }
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(new String(file.body(), StandardCharsets.UTF_8)).isEqualTo("watch me");
      URI thumb = base.resolve("files/" + ids.get(0) + "/thumbnails/small?token=" + token);
      int status = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      while (System.nanoTime() < deadline) {
        status =
            http.send(HttpRequest.newBuilder(thumb).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status == 200) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(status).as("the small thumbnail of the photo in\n%s", out).isEqualTo(200);
      HttpResponse<Void> noToken =
          http.send(
              HttpRequest.newBuilder(base.resolve("files/" + ids.get(1))).build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(noToken.statusCode()).isEqualTo(401);
    }
    Result r = watching.get(30, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.err()).isZero();
  }

  private static Matcher awaitLine(StringWriter out, Pattern p) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Matcher m = p.matcher(out.toString());
      if (m.find()) {
        return m;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no line like " + p + " in:\n" + out);
  }

  @Test
  void sigtermStopsASeparateProcessCleanlyWithStatusZero() throws Exception {
    addFiles("a");
    assertThat(run("a", "sync", "--until-idle", "--timeout", "60s").status()).isZero();
    Path data = dir.resolve("b");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            FileSyncCli.class.getName(),
            "watch",
            "--data",
            data.toString());
    pb.environment().putAll(env);
    // A file, not a pipe: Process.destroy() closes our end of the pipes, and the lines the
    // process prints while it stops would be lost.
    Path output = dir.resolve("watch.out");
    pb.redirectErrorStream(true).redirectOutput(output.toFile());
    Process p = pb.start();
    try {
      // Wait until the engine runs and the first download is under way or done.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(output).contains(" download ")) {
        assertThat(p.isAlive()).as(Files.readString(output)).isTrue();
        assertThat(System.nanoTime()).as(Files.readString(output)).isLessThan(deadline);
        Thread.sleep(10);
      }

      long t = System.nanoTime();
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("stopped within 15 s").isTrue();
      long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
      List<String> lines = Files.readAllLines(output);
      assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
      assertThat(stopMillis).as("stop time").isLessThan(10_000);
      assertThat(lines.get(lines.size() - 1))
          .as(String.join("\n", lines))
          .matches(TIME + "stopped after .*");

      // The lock is free and no transfer was left marked as running.
      try (Store store =
          Store.open(StoreConfig.builder(data, "watch-store", ClientOptions.SCHEMA).build())) {
        assertThat(store.lockStatus()).isEqualTo(LockStatus.HAS_LOCK);
        long running =
            store.query(
                Query.scalar(
                    "SELECT count(*) FROM localFileState"
                        + " WHERE uploadStatus = 'inProgress' OR downloadStatus = 'inProgress'"));
        assertThat(running).isZero();
      }
      Result finish = run("b", "sync", "--until-idle", "--timeout", "60s");
      assertThat(finish.status()).as(finish.err()).isZero();
      assertThat(JSON.readTree(run("b", "ls", "--json").out())).hasSize(3);
    } finally {
      p.destroyForcibly();
    }
  }
}
