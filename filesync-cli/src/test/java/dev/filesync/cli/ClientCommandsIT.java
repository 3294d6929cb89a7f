package dev.filesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands as a user runs them, two devices against a real server. */
class ClientCommandsIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "cli-token";

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
    env.put("FILESYNC_STORE", "cli-store");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Result run(String device, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--data");
    all.add(dir.resolve(device).toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        FileSyncCli.run(
            all.toArray(String[]::new),
            env,
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  private static byte[] image(int w, int h, String format) throws java.io.IOException {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 90);
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, format, out);
    return out.toByteArray();
  }

  @Test
  void imagesAreResizedOnAddAndThumbnailsMadeOnAnotherDevice() throws Exception {
    Path photo = Files.write(dir.resolve("photo.png"), image(2000, 1000, "png"));
    Path notes = Files.writeString(dir.resolve("notes.txt"), "not an image");
    Result added =
        run(
            "one",
            "add",
            "--json",
            "--max-dimension",
            "500",
            "--format",
            "webp",
            "--quality",
            "80",
            photo.toString(),
            notes.toString());
    assertThat(added.status()).as(added.err()).isZero();
    JsonNode ids = JSON.readTree(added.out());
    String photoId = ids.get(0).get("id").asText();
    String notesId = ids.get(1).get("id").asText();

    JsonNode listed = JSON.readTree(run("one", "ls", "--json").out());
    JsonNode p = listed.get(0).get("id").asText().equals(photoId) ? listed.get(0) : listed.get(1);
    assertThat(p.get("mimeType").asText()).isEqualTo("image/webp");
    assertThat(p.get("width").asInt()).isEqualTo(500);
    assertThat(p.get("height").asInt()).isEqualTo(250);
    assertThat(p.get("name").asText()).isEqualTo("photo.webp");

    assertThat(run("one", "sync", "--until-idle", "--timeout", "60s").status()).isZero();
    Path out = dir.resolve("small.webp");
    Result thumb = run("two", "thumbnail", photoId, "small", "-o", out.toString());
    assertThat(thumb.status()).as(thumb.err()).isZero();
    java.awt.image.BufferedImage small = readWebp(out);
    assertThat(small.getWidth()).isEqualTo(128);
    assertThat(small.getHeight()).isEqualTo(64);
    Result custom =
        run(
            "two",
            "thumbnail",
            photoId,
            "tiny",
            "--thumbnail-sizes",
            "tiny=32",
            "--thumbnail-format",
            "png",
            "-o",
            dir.resolve("tiny.png").toString());
    assertThat(custom.status()).as(custom.err()).isZero();
    assertThat(javax.imageio.ImageIO.read(dir.resolve("tiny.png").toFile()).getWidth())
        .isEqualTo(32);

    Result notImage = run("two", "thumbnail", notesId, "small", "-o", out.toString());
    assertThat(notImage.status()).isEqualTo(1);
    assertThat(notImage.err()).contains("is not an image");
    Result badSize = run("two", "thumbnail", photoId, "huge", "-o", out.toString());
    assertThat(badSize.status()).isEqualTo(2);
    assertThat(badSize.err()).contains("unknown thumbnail size 'huge'");

    byte[] jpeg = image(1200, 900, "jpeg");
    Path cut = Files.write(dir.resolve("cut.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 3));
    Result corrupt = run("one", "add", "--max-dimension", "300", cut.toString());
    assertThat(corrupt.status()).isEqualTo(1);
    assertThat(corrupt.err()).contains("corrupt or truncated");
    Result badFormat = run("one", "add", "--format", "gif", photo.toString());
    assertThat(badFormat.status()).isEqualTo(2);
    assertThat(badFormat.err()).contains("unknown image format 'gif'");
  }

  private static java.awt.image.BufferedImage readWebp(Path p) throws java.io.IOException {
    try (var iis = javax.imageio.ImageIO.createImageInputStream(p.toFile())) {
      var readers = javax.imageio.ImageIO.getImageReaders(iis);
      var reader = readers.next();
      reader.setInput(iis);
      return reader.read(0);
    }
  }

  @Test
  void addSyncListGetUpdateRemoveAcrossTwoDevices() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "alpha");
    Path b = Files.writeString(dir.resolve("b.txt"), "alpha"); // same bytes, another file
    Result added = run("one", "add", "--json", a.toString(), b.toString());
    assertThat(added.status()).as(added.err()).isZero();
    JsonNode ids = JSON.readTree(added.out());
    assertThat(ids).hasSize(2);
    assertThat(ids.get(0).path("contentHash").asText())
        .isEqualTo(ids.get(1).path("contentHash").asText());
    assertThat(ids.get(0).path("size").asLong()).isEqualTo(5);
    String idA = ids.get(0).path("id").asText();
    String idB = ids.get(1).path("id").asText();

    assertThat(run("one", "sync", "--until-idle", "--timeout", "60s").status()).isZero();
    Result two = run("two", "sync", "--until-idle", "--timeout", "60s");
    assertThat(two.status()).as(two.err()).isZero();

    JsonNode ls = JSON.readTree(run("two", "ls", "--json").out());
    assertThat(ls).hasSize(2);
    for (JsonNode f : ls) {
      assertThat(f.path("name").asText()).isIn("a.txt", "b.txt");
      assertThat(f.path("size").asLong()).isEqualTo(5);
      assertThat(f.path("mimeType").asText()).isEqualTo("text/plain");
      assertThat(f.path("downloadStatus").asText()).isEqualTo("done");
      assertThat(f.path("remoteKey").asText()).startsWith("cli-store/");
      assertThat(f.path("deleted").asBoolean()).isFalse();
      assertThat(f.has("lastSyncError")).isTrue();
    }
    Path out = dir.resolve("got.txt");
    assertThat(run("two", "get", idA, "-o", out.toString()).status()).isZero();
    assertThat(Files.readString(out)).isEqualTo("alpha");

    Path newer = Files.writeString(dir.resolve("a2.txt"), "alpha, revised");
    assertThat(run("two", "update", idA, newer.toString()).status()).isZero();
    assertThat(run("two", "rm", idB).status()).isZero();
    assertThat(run("two", "sync", "--until-idle", "--timeout", "60s").status()).isZero();
    assertThat(run("one", "sync", "--until-idle", "--timeout", "60s").status()).isZero();
    assertThat(run("one", "get", idA, "-o", out.toString()).status()).isZero();
    assertThat(Files.readString(out, StandardCharsets.UTF_8)).isEqualTo("alpha, revised");
    JsonNode after = JSON.readTree(run("one", "ls", "--json").out());
    assertThat(after)
        .anySatisfy(
            f -> {
              assertThat(f.path("id").asText()).isEqualTo(idB);
              assertThat(f.path("deleted").asBoolean()).isTrue();
            });

    JsonNode status = JSON.readTree(run("one", "status", "--json").out());
    assertThat(status.path("uploads").isObject()).isTrue();
    assertThat(status.path("bytesStored").asLong()).isPositive();
    assertThat(run("one", "retry").status()).isZero();
  }

  @Test
  void errorsAreOneLineWithTheirExitCodes() throws Exception {
    Result unknown = run("one", "get", "no-such-id", "-o", dir.resolve("x").toString());
    assertThat(unknown.status()).isEqualTo(2);
    assertThat(unknown.err().strip().lines()).hasSize(1);
    Result missingFile = run("one", "add", dir.resolve("missing.bin").toString());
    assertThat(missingFile.status()).isEqualTo(2);
    env.remove("FILESYNC_TOKEN");
    Result noToken = run("one", "ls");
    assertThat(noToken.status()).isEqualTo(2);
    assertThat(noToken.err()).contains("--token");
    env.put("FILESYNC_TOKEN", "wrong");
    Path f = Files.writeString(dir.resolve("f.txt"), "data");
    assertThat(run("three", "add", f.toString()).status()).as("saving works offline").isZero();
    Result refused = run("three", "sync", "--until-idle", "--timeout", "5s");
    assertThat(refused.status()).isEqualTo(FileCommands.EXIT_INCOMPLETE);
    assertThat(refused.err().strip().lines()).hasSize(1);
    assertThat(refused.err()).startsWith("filesync: ");
  }
}
