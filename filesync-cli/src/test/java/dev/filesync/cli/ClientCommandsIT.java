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
