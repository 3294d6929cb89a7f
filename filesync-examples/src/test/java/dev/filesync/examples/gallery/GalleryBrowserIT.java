package dev.filesync.examples.gallery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorages;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImagePreprocessor;
import dev.filesync.image.ThumbnailException;
import dev.filesync.image.ThumbnailStatus;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.Subscription;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gallery in a real browser. Device A (a plain FileSync app) saves four pictures and a text
 * file through a real {@link FileSyncServer}; device B runs {@link GalleryApp} against the same
 * server. Once B has the bytes and its thumbnails, headless Chromium loads B's gallery page, and
 * the page's script records in the DOM, for each {@code <img>}, whether it loaded and its natural
 * size. The dumped DOM thus shows that the browser decoded and displayed, through B's local file
 * endpoint and its token, the pictures A saved: thumbnails for the raster images (their natural
 * size is the thumbnail's, not the original's) and the original for the SVG, which has no thumbnail
 * (the endpoint's fallback). It also shows that the text file is listed but not as an image, and
 * that both B's servers answered 401 to the page's requests without the token.
 *
 * <p>Needs Chromium ({@code /usr/bin/chromium} or {@code chromium} on the PATH); skipped without it
 * unless {@code -Dfilesync.requireChromium=true}. The screenshot, the dumped DOM and Chromium's
 * standard error are kept under {@code target/gallery-browser-it/}.
 */
class GalleryBrowserIT {
  static final String TOKEN = "gallery-it-token";
  static final String STORE = "gallery-it";
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Duration CHROMIUM_TIMEOUT = Duration.ofSeconds(60);
  static final Path OUT =
      Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("gallery-browser-it");

  @TempDir Path dir;

  /** What A saved and what the browser must show for it. */
  record Saved(String name, String mime, byte[] bytes, int shownWidth, int shownHeight) {}

  @Test
  void theBrowserShowsThePicturesAnotherDeviceSavedThroughTheLocalEndpoint() throws Exception {
    Path chromium = chromiumOrSkip();
    Files.createDirectories(OUT);
    try (FileSyncServer server =
            FileSyncServer.create(
                    ServerConfig.builder()
                        .port(0)
                        .dataDirectory(dir.resolve("server"))
                        .token(TOKEN, List.of("*"))
                        .build())
                .start();
        DeviceA a = new DeviceA(dir.resolve("a"), server.baseUri());
        GalleryApp b =
            GalleryApp.start(
                new Options(
                    dir.resolve("b"),
                    STORE,
                    Optional.of(server.baseUri()),
                    Optional.of(TOKEN),
                    0,
                    Optional.empty()));
        HttpClient http = HttpClient.newHttpClient()) {

      // A saves. Expected sizes on the page: the 256 px "medium" thumbnail bounds the longer side
      // and never enlarges; the SVG gets no thumbnail, so the browser shows the original.
      Map<String, Saved> images = new LinkedHashMap<>();
      for (Saved s :
          List.of(
              new Saved("sunset.png", "image/png", Pictures.sunsetPng(640, 480), 256, 192),
              new Saved("portrait.jpg", "image/jpeg", Pictures.portraitJpeg(300, 500), 154, 256),
              new Saved("checker.png", "image/png", Pictures.checkerPng(200, 120), 200, 120),
              new Saved("drawing.svg", "image/svg+xml", Pictures.drawingSvg(320, 200), 320, 200))) {
        images.put(a.files.save(s.bytes(), s.name(), s.mime()), s);
      }
      byte[] notesBytes = "not a picture".getBytes(StandardCharsets.UTF_8);
      String notes = a.files.save(notesBytes, "notes.txt", "text/plain");
      String svg = idOf(images, "drawing.svg");

      // B: every file downloaded and verified, then each thumbnail made (or, for the SVG and the
      // text file, known never to be made). Waits on store subscriptions, not on sleeps.
      awaitAllLocal(b, images.size() + 1);
      // The size the browser must report for each picture: the thumbnail's, read from the file
      // B's endpoint serves (it is within a pixel of the expected size whichever image backend
      // made it), or the SVG's own.
      Map<String, int[]> shown = new HashMap<>();
      for (Map.Entry<String, Saved> e : images.entrySet()) {
        String id = e.getKey();
        Saved s = e.getValue();
        if (id.equals(svg)) {
          assertSkipped(b, id);
          shown.put(id, new int[] {s.shownWidth(), s.shownHeight()});
          continue;
        }
        Path thumb =
            b.thumbnails()
                .await(id, GalleryApp.THUMBNAIL_SIZE, TIMEOUT)
                .orElseThrow(() -> new AssertionError("no thumbnail of " + s.name()));
        BufferedImage t = ImageIO.read(thumb.toFile());
        assertThat(t).as("thumbnail of %s readable", s.name()).isNotNull();
        assertThat(t.getWidth()).as(s.name()).isCloseTo(s.shownWidth(), within(1));
        assertThat(t.getHeight()).as(s.name()).isCloseTo(s.shownHeight(), within(1));
        shown.put(id, new int[] {t.getWidth(), t.getHeight()});
      }
      assertSkipped(b, notes);

      // The browser.
      Path dom = OUT.resolve("gallery-dom.html");
      Path screenshot = OUT.resolve("gallery.png");
      Path stderr = OUT.resolve("chromium-stderr.log");
      long started = System.nanoTime();
      runChromium(chromium, b.url(), dom, screenshot, stderr);
      System.out.printf(
          "Chromium took %d ms; screenshot %s%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), screenshot);
      String html = Files.readString(dom);
      String why = "DOM in " + dom + "; Chromium's stderr ends with:\n" + tail(stderr);

      Map<String, String> body = attributes(first(html, "<body\\b([^>]*)>", why));
      assertThat(body)
          .as(why)
          .containsEntry("data-photos", "4")
          .containsEntry("data-settled", "true");
      // Without the token: the file endpoint and the gallery API both refused the page's fetch.
      assertThat(body)
          .as(why)
          .containsEntry("data-endpoint-without-token", "401")
          .containsEntry("data-gallery-without-token", "401");

      // Every picture: an <img> inside a link to the full file; loaded; its natural size is what
      // B's endpoint served: the thumbnail's, or the original's for the SVG.
      Map<String, Map<String, String>> imgs = new HashMap<>();
      Map<String, Map<String, String>> links = new HashMap<>();
      Matcher m = Pattern.compile("<a\\b([^>]*)><img\\b([^>]*)>").matcher(html);
      while (m.find()) {
        Map<String, String> img = attributes(m.group(2));
        imgs.put(img.get("data-id"), img);
        links.put(img.get("data-id"), attributes(m.group(1)));
      }
      assertThat(imgs.keySet()).as(why).containsExactlyInAnyOrderElementsOf(images.keySet());
      assertThat(html).as(why).doesNotContain("<img data-id=\"" + notes + "\"");
      for (Map.Entry<String, Saved> e : images.entrySet()) {
        String id = e.getKey();
        Saved s = e.getValue();
        Map<String, String> img = imgs.get(id);
        assertThat(img)
            .as("%s: %s", s.name(), why)
            .containsEntry("data-loaded", "true")
            .containsEntry("data-natural-width", String.valueOf(shown.get(id)[0]))
            .containsEntry("data-natural-height", String.valueOf(shown.get(id)[1]))
            .containsEntry("alt", s.name());
        URI src = URI.create(img.get("src"));
        assertThat(src.toString())
            .as(s.name())
            .startsWith(b.endpoint().thumbnailUrl(id, GalleryApp.THUMBNAIL_SIZE) + "&fallback=1");

        // What the browser got from src: the thumbnail (WebP), or for the SVG the original bytes.
        HttpResponse<byte[]> thumb = http.send(get(src), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(thumb.statusCode()).isEqualTo(200);
        if (id.equals(svg)) {
          assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
          assertThat(thumb.body()).isEqualTo(s.bytes());
          // without &fallback=1 there is nothing to serve: no thumbnail exists
          URI noFallback = b.endpoint().thumbnailUrl(id, GalleryApp.THUMBNAIL_SIZE);
          assertThat(
                  http.send(get(noFallback), HttpResponse.BodyHandlers.discarding()).statusCode())
              .isEqualTo(404);
        } else {
          assertThat(thumb.headers().firstValue("Content-Type"))
              .hasValue(b.thumbnails().config().format().mimeType());
        }

        // The link: the full file, the very bytes A saved.
        URI href = URI.create(links.get(id).get("href"));
        assertThat(href).isEqualTo(b.endpoint().url(id));
        HttpResponse<byte[]> full = http.send(get(href), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.headers().firstValue("Content-Type")).hasValue(s.mime());
        assertThat(sha256(full.body())).as(s.name()).isEqualTo(sha256(s.bytes()));
        // and the same URL without its token is refused
        URI bare = URI.create(href.toString().replaceAll("\\?token=[^&]*", ""));
        assertThat(http.send(get(bare), HttpResponse.BodyHandlers.discarding()).statusCode())
            .isEqualTo(401);
      }

      // The text file is listed as another file, with a link, never as an image.
      Map<String, String> other =
          attributes(first(html, "<li\\b([^>]*data-id=\"" + notes + "\"[^>]*)>", why));
      assertThat(other).containsEntry("data-id", notes);
      assertThat(html).contains(">notes.txt</a>");
    }
  }

  // ------------------------------------------------------------------ device A and waiting on B

  /**
   * Device A: a store synced through the server and FileSync over its signer API, with an image
   * preprocessor that keeps each picture as it is (its metadata then carries the dimensions).
   */
  static final class DeviceA implements AutoCloseable {
    final Store store;
    final RemoteStorage remote;
    final FileSync files;

    DeviceA(Path data, URI server) throws IOException {
      store =
          Store.open(
              StoreConfig.builder(data, STORE, FileSyncSchema.schema())
                  .syncBackend(HttpSyncBackend.builder(server).token(TOKEN).build())
                  .build());
      remote = RemoteStorages.signer(server.resolve("/api"), () -> TOKEN);
      files =
          FileSync.builder(store, data)
              .remote(remote)
              .preprocessor(
                  "image/*",
                  ImagePreprocessor.builder().maxDimension(0).format(ImageFormat.KEEP).build())
              .start();
    }

    @Override
    public void close() throws IOException {
      files.close();
      remote.close();
      store.close();
    }
  }

  /** Waits until B has {@code n} live files whose verified bytes are on its disk. */
  private static void awaitAllLocal(GalleryApp b, int n) throws Exception {
    Query<Long> local =
        Query.scalar(
            "SELECT count(*) FROM files f JOIN localFileState s ON s.fileId = f.id"
                + " WHERE f.deletedAt IS NULL AND s.downloadStatus = 'done'"
                + " AND s.localHash = f.contentHash");
    CompletableFuture<Long> done = new CompletableFuture<>();
    Subscription sub =
        b.store()
            .subscribe(
                local,
                count -> {
                  if (count >= n) {
                    done.complete(count);
                  }
                });
    try {
      done.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      fail("B did not get the %d files within %s: %s", n, TIMEOUT, b.files().status());
    } finally {
      sub.cancel();
    }
  }

  private static void assertSkipped(GalleryApp b, String id) {
    assertThatThrownBy(() -> b.thumbnails().await(id, GalleryApp.THUMBNAIL_SIZE, TIMEOUT))
        .isInstanceOfSatisfying(
            ThumbnailException.class,
            e -> assertThat(e.status()).isEqualTo(ThumbnailStatus.SKIPPED));
  }

  // ------------------------------------------------------------------ Chromium

  /** Chromium, or a skip (a failure when {@code filesync.requireChromium=true}). */
  private static Path chromiumOrSkip() {
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/bin/chromium"));
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "chromium"));
      }
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    String message = "Chromium not found (/usr/bin/chromium or chromium on the PATH)";
    if (Boolean.getBoolean("filesync.requireChromium")) {
      fail(message + ", and filesync.requireChromium=true");
    }
    Assumptions.assumeTrue(false, message + ": the browser test is skipped");
    throw new AssertionError("unreachable");
  }

  /**
   * Loads {@code url} in headless Chromium with a fresh profile, lets the page run for 10 s of
   * virtual time (its timers run fast; network loads are waited for), then writes the DOM and a
   * screenshot. Killed, with its child processes, if it takes longer than {@link
   * #CHROMIUM_TIMEOUT}.
   */
  private void runChromium(Path chromium, URI url, Path dom, Path screenshot, Path stderr)
      throws Exception {
    Files.deleteIfExists(screenshot);
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    ProcessBuilder pb =
        new ProcessBuilder(
                chromium.toString(),
                "--headless",
                "--no-sandbox", // needed when running as root, as CI does
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1200,760",
                "--virtual-time-budget=10000",
                "--screenshot=" + screenshot,
                "--dump-dom",
                url.toString())
            .redirectOutput(dom.toFile())
            .redirectError(stderr.toFile());
    // Keep Chromium's caches and settings out of the user's home.
    pb.environment().put("HOME", profile.toString());
    pb.environment().put("XDG_CONFIG_HOME", profile.resolve("config").toString());
    pb.environment().put("XDG_CACHE_HOME", profile.resolve("cache").toString());
    Process p = pb.start();
    try {
      if (!p.waitFor(CHROMIUM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail(
            "Chromium did not finish within %s; its stderr ends with:%n%s",
            CHROMIUM_TIMEOUT, tail(stderr));
      }
      assertThat(p.exitValue()).as("Chromium's exit code; stderr:\n%s", tail(stderr)).isZero();
      assertThat(screenshot).as("screenshot; stderr:\n%s", tail(stderr)).isNotEmptyFile();
    } finally {
      // Its renderer and helper processes first, then the browser process itself.
      try (Stream<ProcessHandle> children = p.descendants()) {
        children.forEach(ProcessHandle::destroyForcibly);
      }
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ small helpers

  private static HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(TIMEOUT).build();
  }

  private static String idOf(Map<String, Saved> images, String name) {
    return images.entrySet().stream()
        .filter(e -> e.getValue().name().equals(name))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  private static String first(String html, String regex, String why) {
    Matcher m = Pattern.compile(regex).matcher(html);
    if (!m.find()) {
      fail("no match for %s in the DOM; %s", regex, why);
    }
    return m.group(1);
  }

  /** The attributes of a tag as Chromium serializes them: {@code name="value"}, HTML-escaped. */
  private static Map<String, String> attributes(String tag) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("([A-Za-z_:][-A-Za-z0-9_:.]*)=\"([^\"]*)\"").matcher(tag);
    while (m.find()) {
      out.put(
          m.group(1),
          m.group(2)
              .replace("&quot;", "\"")
              .replace("&lt;", "<")
              .replace("&gt;", ">")
              .replace("&nbsp;", "\u00a0")
              .replace("&amp;", "&"));
    }
    return out;
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e + ")";
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
