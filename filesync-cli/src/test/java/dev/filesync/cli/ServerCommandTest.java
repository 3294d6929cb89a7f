package dev.filesync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.server.ServerConfig;
import dev.filesync.server.StorageMode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {
  @TempDir Path dir;

  /** Parses a server command line with this environment, as {@code FileSyncCli.run} would. */
  private ServerCommand.Launch configure(Map<String, String> env, String... args) throws Exception {
    CommandLine cli = new CommandLine(new FileSyncCli());
    cli.setDefaultValueProvider(Settings.load(args, env));
    CommandLine.ParseResult r = cli.parseArgs(args);
    ServerCommand cmd = (ServerCommand) r.subcommand().commandSpec().userObject();
    return cmd.configure();
  }

  @Test
  void embeddedDefaultIsGatewayOnTheLocalDiskWithSqlite() throws Exception {
    ServerConfig c =
        configure(Map.of(), "server", "--data", dir.toString(), "--token", "t1").config();
    assertThat(c.port()).isEqualTo(8787);
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.storageMode()).isEqualTo(StorageMode.GATEWAY);
    assertThat(c.s3()).isNull();
    assertThat(c.jdbcUrl()).isNull();
    assertThat(c.tokens()).containsEntry("t1", List.of("*"));
    assertThat(c.signerBasePath()).isEqualTo("/api");
    assertThat(c.urlTtl()).isEqualTo(Duration.ofSeconds(900));
    assertThat(c.maxObjectBytes()).isEqualTo(5L << 30);
  }

  @Test
  void s3FlagsTurnOnSignerMode() throws Exception {
    ServerConfig c =
        configure(
                Map.of(),
                "server",
                "--token",
                "t=user-42/*,shared",
                "--s3-endpoint",
                "http://127.0.0.1:9000",
                "--s3-bucket",
                "files",
                "--s3-region",
                "eu-west-1",
                "--s3-access-key",
                "k",
                "--s3-secret-key",
                "s",
                "--s3-path-style")
            .config();
    assertThat(c.storageMode()).isEqualTo(StorageMode.SIGNER);
    assertThat(c.s3().bucket()).isEqualTo("files");
    assertThat(c.s3().pathStyle()).isTrue();
    assertThat(c.s3().toString()).doesNotContain("=s,").doesNotContain(" s]");
    assertThat(c.tokens()).containsEntry("t", List.of("user-42/*", "shared"));
    ServerConfig gw =
        configure(
                Map.of(), "server", "--token", "t", "--s3-bucket", "files", "--storage", "gateway")
            .config();
    assertThat(gw.storageMode()).isEqualTo(StorageMode.GATEWAY);
  }

  @Test
  void environmentThenConfigFileFillWhatFlagsDoNotSay() throws Exception {
    Path file = dir.resolve("filesync.properties");
    Files.writeString(
        file, "port=9001\ns3-bucket=from-file\ntokens=f1=a;b\nurl-ttl=15m\nmax-object-size=512m\n");
    Map<String, String> env =
        Map.of("FILESYNC_PORT", "9002", "FILESYNC_DEV", "1", "FILESYNC_CONFIG", file.toString());
    ServerConfig c = configure(env, "server").config();
    assertThat(c.port()).as("environment wins over the file").isEqualTo(9002);
    assertThat(c.s3().bucket()).isEqualTo("from-file");
    assertThat(c.tokens()).containsEntry("f1", List.of("a", "b"));
    assertThat(c.urlTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.maxObjectBytes()).isEqualTo(512L << 20);
    assertThat(c.devMode()).isTrue();
    assertThat(configure(env, "server", "--port", "9003").config().port())
        .as("a flag wins")
        .isEqualTo(9003);
  }

  @Test
  void devModeWithoutTokensMakesOne() throws Exception {
    ServerCommand.Launch l = configure(Map.of(), "server", "--dev");
    assertThat(l.developmentToken()).startsWith("dev-");
    assertThat(l.config().tokens()).containsKey(l.developmentToken());
  }

  @Test
  void sizesAndDurations() {
    assertThat(ServerCommand.size("--x", "5g")).isEqualTo(5L << 30);
    assertThat(ServerCommand.size("--x", "64K")).isEqualTo(64L << 10);
    assertThat(ServerCommand.size("--x", "100")).isEqualTo(100);
    assertThat(ServerCommand.duration("--x", "900")).isEqualTo(Duration.ofSeconds(900));
    assertThat(ServerCommand.duration("--x", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(ServerCommand.duration("--x", "PT15M")).isEqualTo(Duration.ofMinutes(15));
    assertThatThrownBy(() -> ServerCommand.size("--x", "lots"))
        .hasMessageContaining("--x")
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> ServerCommand.duration("--x", "soon")).hasMessageContaining("soon");
  }

  @Test
  void badCommandLinesExitTwoWithOneLine() {
    for (String[] args :
        List.of(
            new String[] {"server", "--port", "many"},
            new String[] {"server", "--frobnicate"},
            new String[] {"server"},
            new String[] {"server", "--token", "t", "--storage", "signer"},
            new String[] {"server", "--token", "t", "--s3-access-key", "k"},
            new String[] {"server", "--token", "t", "--jdbc-user", "u"},
            new String[] {"server", "--token", "t", "--max-object-size", "huge"},
            new String[] {"server", "--config", dir.resolve("missing.properties").toString()},
            new String[] {"nonsense"})) {
      StringWriter err = new StringWriter();
      int status =
          FileSyncCli.run(
              args, Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err, true));
      assertThat(status).as(String.join(" ", args)).isEqualTo(FileSyncCli.EXIT_USAGE);
      assertThat(err.toString().strip().lines().count())
          .as("one line for %s: %s", List.of(args), err)
          .isEqualTo(1);
      assertThat(err.toString()).startsWith("filesync: ");
    }
  }

  @Test
  void helpListsEveryOptionWithItsEnvironmentRule() {
    StringWriter out = new StringWriter();
    int status =
        FileSyncCli.run(
            new String[] {"server", "--help"},
            Map.of(),
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter()));
    assertThat(status).isZero();
    assertThat(out.toString())
        .contains(
            "--s3-endpoint", "--s3-path-style", "--jdbc-url", "--token", "--dev", "FILESYNC_");
  }
}
