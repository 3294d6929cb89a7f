package dev.filesync.examples.gallery;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local-only gallery: import, the JSON listing, thumbnails, tokens, the page's policy. */
class GalleryAppTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();
  GalleryApp app;

  @BeforeEach
  void start() throws Exception {
    Path pictures = Files.createDirectories(dir.resolve("pictures"));
    Files.write(pictures.resolve("b-sunset.png"), Pictures.sunsetPng(640, 480));
    Files.write(pictures.resolve("a-portrait.jpg"), Pictures.portraitJpeg(300, 500));
    Files.writeString(pictures.resolve("notes.txt"), "not a picture");
    app =
        GalleryApp.start(
            new Options(
                dir.resolve("data"),
                "gallery-test",
                Optional.empty(),
                Optional.empty(),
                0,
                Optional.of(pictures)));
  }

  @AfterEach
  void stop() {
    http.close();
    app.close();
  }

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI api() {
    return app.url().resolve("/api/files");
  }

  private JsonNode listing() throws Exception {
    HttpResponse<String> r = get(api(), "Authorization", "Bearer " + app.endpoint().token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  @Test
  void importSavesTheImagesOfADirectoryOnceWithTheirSizes() throws Exception {
    JsonNode l = listing();
    assertThat(l.path("store").asText()).isEqualTo("gallery-test");
    assertThat(l.path("photos").findValuesAsText("name"))
        .containsExactly("a-portrait.jpg", "b-sunset.png"); // name order, text file skipped
    assertThat(l.path("others")).isEmpty();
    JsonNode sunset = l.path("photos").get(1);
    assertThat(sunset.path("width").asInt()).isEqualTo(640);
    assertThat(sunset.path("height").asInt()).isEqualTo(480);
    assertThat(sunset.path("mimeType").asText()).isEqualTo("image/png");
    assertThat(sunset.path("available").asBoolean()).isTrue();
    assertThat(sunset.path("local").asBoolean()).isTrue();
    String id = sunset.path("id").asText();
    assertThat(sunset.path("href").asText()).isEqualTo(app.endpoint().url(id).toString());
    assertThat(sunset.path("src").asText())
        .startsWith(app.endpoint().thumbnailUrl(id, "medium") + "&fallback=1&v=");

    // again: nothing new
    assertThat(app.importDirectory(dir.resolve("pictures"))).isEmpty();
    assertThat(listing().path("photos")).hasSize(2);
  }

  @Test
  void theListingFollowsThumbnailsNewFilesAndDeletes() throws Exception {
    for (JsonNode p : listing().path("photos")) {
      assertThat(app.thumbnails().await(p.path("id").asText(), "medium", TIMEOUT)).isPresent();
    }
    JsonNode l = listing();
    for (JsonNode p : l.path("photos")) {
      assertThat(p.path("thumbnail").asBoolean()).isTrue();
      assertThat(p.path("src").asText()).endsWith(".t"); // a new URL once the thumbnail is made
    }
    String notes = app.files().save("hello".getBytes(UTF_8), "notes.txt", "text/plain");
    l = listing();
    assertThat(l.path("others").findValuesAsText("id")).containsExactly(notes);
    assertThat(l.path("photos").findValuesAsText("id")).doesNotContain(notes);

    String first = l.path("photos").get(0).path("id").asText();
    app.files().delete(first);
    assertThat(listing().path("photos").findValuesAsText("id")).doesNotContain(first);
  }

  @Test
  void thePageAndTheApiNeedTheTokenAndALoopbackHost() throws Exception {
    assertThat(get(api()).statusCode()).isEqualTo(401);
    assertThat(get(api()).headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(get(api(), "Authorization", "Bearer wrong-token-wrong-token").statusCode())
        .isEqualTo(403);
    assertThat(get(URI.create(api() + "?token=wrong")).statusCode()).isEqualTo(403);
    assertThat(get(app.url().resolve("/?token=")).statusCode()).isEqualTo(401);
    assertThat(
            get(app.url().resolve("/nothing"), "Authorization", "Bearer " + app.endpoint().token())
                .statusCode())
        .isEqualTo(404);
    // a page of another site whose name resolves to 127.0.0.1 (DNS rebinding)
    assertThat(GalleryHandler.loopbackHost("attacker.example:8080")).isFalse();
    assertThat(GalleryHandler.loopbackHost("127.0.0.1:8080")).isTrue();
    assertThat(GalleryHandler.loopbackHost("localhost")).isTrue();
    assertThat(GalleryHandler.loopbackHost("[::1]:80")).isTrue();
    assertThat(GalleryHandler.loopbackHost("127.0.0.1.attacker.example")).isFalse();
    assertThat(GalleryHandler.loopbackHost(null)).isFalse();
  }

  @Test
  void thePageRunsOnlyItsOwnScriptAndLoadsImagesOnlyFromTheEndpoint() throws Exception {
    HttpResponse<String> page = get(app.url());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    byte[] html = page.body().getBytes(UTF_8);
    URI endpoint = app.endpoint().baseUri();
    String files = "http://127.0.0.1:" + endpoint.getPort();
    assertThat(csp)
        .startsWith("default-src 'none'; ")
        .contains("script-src " + GalleryHandler.inlineHash(html, "script") + ";")
        .contains("style-src " + GalleryHandler.inlineHash(html, "style") + ";")
        .contains("img-src data: " + files + ";")
        .contains("connect-src 'self' " + files + ";")
        .doesNotContain("unsafe");
  }

  @Test
  void optionsNameWhatIsWrong() {
    Options o =
        Options.parse(
            new String[] {"--data", "d", "--store=s", "--server", "http://h:1", "--port", "8080"},
            Map.of("FILESYNC_TOKEN", "secret-token"));
    assertThat(o.data()).isEqualTo(Path.of("d"));
    assertThat(o.storeId()).isEqualTo("s");
    assertThat(o.server()).hasValue(URI.create("http://h:1"));
    assertThat(o.token()).hasValue("secret-token");
    assertThat(o.port()).isEqualTo(8080);
    assertThat(o.toString()).doesNotContain("secret-token");
    assertThat(Options.parse(new String[] {"--data", "d", "--store", "s"}, Map.of()).token())
        .isEmpty();

    for (List<String> bad :
        List.of(
            List.of("--store", "s"),
            List.of("--data", "d"),
            List.of("--data", "d", "--store", "s", "--server", "http://h:1"),
            List.of("--data", "d", "--store", "s", "--server", "ftp://h"),
            List.of("--data", "d", "--store", "s", "--port", "x"),
            List.of("--data", "d", "--store", "s", "--port", "70000"),
            List.of("--data", "d", "--store", "s", "--colour", "red"),
            List.of("--data"))) {
      assertThatThrownBy(() -> Options.parse(bad.toArray(String[]::new), Map.of()))
          .as("%s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--");
    }
  }
}
