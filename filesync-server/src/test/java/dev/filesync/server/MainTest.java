package dev.filesync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flag and environment parsing of {@link Main}, without starting a server. */
class MainTest {

  static Main.Launch parse(Map<String, String> env, String... args) throws Main.UsageException {
    return Main.parse(args, env);
  }

  /** Runs {@link Main#run} with a command line that must not start a server. */
  static String[] runRefused(Map<String, String> env, int expectedStatus, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Main.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(expectedStatus);
    return new String[] {
      out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void defaults() throws Exception {
    Main.Launch launch = parse(Map.of(), "--token", "t");
    ServerConfig c = launch.config();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8787);
    assertThat(c.dataDirectory()).isEqualTo(Path.of("filesync-data"));
    assertThat(c.sqliteFile()).isEqualTo(Path.of("filesync-data", "sync.db"));
    assertThat(c.jdbcUrl()).isNull();
    assertThat(c.tokens()).isEqualTo(Map.of("t", List.of("*")));
    assertThat(c.devMode()).isFalse();
    assertThat(launch.developmentToken()).isNull();
    assertThat(Main.describeLog(c)).isEqualTo("sqlite " + Path.of("filesync-data", "sync.db"));
  }

  @Test
  void flags() throws Exception {
    ServerConfig c =
        parse(
                Map.of(),
                "--host",
                "0.0.0.0",
                "--port=9000",
                "--data",
                "/tmp/fs",
                "--token",
                "a=user-42/*,shared",
                "--token=b",
                "--jdbc-url",
                "jdbc:postgresql://db/fs?password=secret",
                "--jdbc-user",
                "u",
                "--jdbc-password",
                "p")
            .config();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.dataDirectory()).isEqualTo(Path.of("/tmp/fs"));
    assertThat(c.tokens())
        .containsExactly(
            Map.entry("a", List.of("user-42/*", "shared")), Map.entry("b", List.of("*")));
    assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db/fs?password=secret");
    assertThat(c.jdbcUser()).isEqualTo("u");
    assertThat(c.jdbcPassword()).isEqualTo("p");
    assertThat(Main.describeLog(c)).isEqualTo("postgresql jdbc:postgresql://db/fs");
  }

  @Test
  void environmentVariables() throws Exception {
    Map<String, String> env =
        Map.of(
            "FILESYNC_HOST", "::1",
            "FILESYNC_PORT", "0",
            "FILESYNC_DATA", "d",
            "FILESYNC_TOKENS", "a=user-1/*;user-2, b c=x",
            "FILESYNC_DEV", "1",
            "FILESYNC_JDBC_URL", "jdbc:postgresql://h/db",
            "FILESYNC_JDBC_USER", "u",
            "FILESYNC_JDBC_PASSWORD", "p");
    Main.Launch launch = parse(env);
    ServerConfig c = launch.config();
    assertThat(c.host()).isEqualTo("::1");
    assertThat(c.port()).isZero();
    assertThat(c.dataDirectory()).isEqualTo(Path.of("d"));
    assertThat(c.tokens())
        .containsExactly(
            Map.entry("a", List.of("user-1/*", "user-2")),
            Map.entry("b", List.of("*")),
            Map.entry("c", List.of("x")));
    assertThat(c.devMode()).isTrue();
    assertThat(c.jdbcUser()).isEqualTo("u");
    assertThat(launch.developmentToken()).as("tokens were given").isNull();
  }

  @Test
  void flagsWinOverTheEnvironment() throws Exception {
    Map<String, String> env =
        Map.of("FILESYNC_PORT", "1234", "FILESYNC_HOST", "h", "FILESYNC_TOKENS", "env-token");
    ServerConfig c = parse(env, "--port", "4321", "--token", "flag-token").config();
    assertThat(c.port()).isEqualTo(4321);
    assertThat(c.host()).isEqualTo("h");
    assertThat(c.tokens()).containsOnlyKeys("flag-token");
  }

  @Test
  void devModeWithoutTokenGeneratesOneThatGrantsEverything() throws Exception {
    Main.Launch launch = parse(Map.of(), "--dev");
    assertThat(launch.developmentToken()).matches("dev-[0-9a-f]{32}");
    assertThat(launch.config().tokens()).isEqualTo(Map.of(launch.developmentToken(), List.of("*")));
    assertThat(launch.config().devMode()).isTrue();
  }

  @Test
  void helpPrintsUsageAndExitsZero() {
    String[] outErr = runRefused(Map.of(), 0, "--help");
    assertThat(outErr[0]).contains("--token").contains("FILESYNC_TOKENS").contains("--jdbc-url");
    assertThat(outErr[1]).isEmpty();
  }

  @Test
  void badCommandLinesPrintOneLineAndExitTwo() {
    String[][] bad = {
      {"--bogus"},
      {"--port"},
      {"--port", "http"},
      {"--port", "70000"},
      {"--token", "t=user-*x"},
      {"--token", "=x"},
      {"--dev=yes"},
      {"stray"},
      {"--jdbc-url", "jdbc:mysql://h/db", "--token", "t"},
      {"--jdbc-user", "u", "--token", "t"},
      {},
    };
    for (String[] args : bad) {
      String[] outErr = runRefused(Map.of(), Main.EXIT_USAGE, args);
      assertThat(outErr[0]).isEmpty();
      assertThat(outErr[1].lines().count()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(outErr[1]).startsWith("filesync-server: ");
    }
    assertThat(runRefused(Map.of(), 2, "--bogus")[1]).contains("unknown flag --bogus");
    assertThat(runRefused(Map.of(), 2, "--port", "70000")[1]).contains("70000");
    assertThat(runRefused(Map.of(), 2)[1]).contains("no token");
  }

  @Test
  void aBadEnvironmentVariableIsAUsageError() {
    assertThatThrownBy(() -> parse(Map.of("FILESYNC_PORT", "x", "FILESYNC_TOKENS", "t")))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("port");
  }

  @Test
  void aBadTokenIsNotEchoed() {
    String[] outErr = runRefused(Map.of(), 2, "--token", "sec ret");
    assertThat(outErr[1]).doesNotContain("sec ret");
  }
}
