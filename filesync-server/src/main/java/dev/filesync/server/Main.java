package dev.filesync.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line entry point: {@code java dev.filesync.server.Main [flags]}. Run with {@code
 * --help} for the flags; each flag can also come from an environment variable, and flags win. A bad
 * flag prints one line on standard error and exits with status 2.
 */
public final class Main {

  /** The exit status of a bad command line. */
  static final int EXIT_USAGE = 2;

  /** The exit status when the server cannot start. */
  static final int EXIT_FAILURE = 1;

  /** {@link #run} returns this when the server is running (the JVM stays up until Ctrl-C). */
  static final int RUNNING = -1;

  static final String USAGE =
      """
      Usage: bin/filesync server [flags]

        --host HOST             address to listen on (FILESYNC_HOST, default 127.0.0.1)
        --port PORT             port, 0 for any free one (FILESYNC_PORT, default 8787)
        --data DIR              data directory, holds sync.db (FILESYNC_DATA, default ./filesync-data)
        --token TOKEN[=P,P...]  a bearer token and the store patterns it grants; repeatable;
                                a bare token grants every store (*); patterns: exact store id,
                                prefix ending in *, or *
                                (FILESYNC_TOKENS: comma or space separated TOKEN[=P;P...])
        --dev                   development mode: start without tokens, printing a random
                                token that grants every store (FILESYNC_DEV=1)
        --jdbc-url URL          keep the sync log in PostgreSQL (FILESYNC_JDBC_URL)
        --jdbc-user USER        PostgreSQL user (FILESYNC_JDBC_USER)
        --jdbc-password PASS    PostgreSQL password (FILESYNC_JDBC_PASSWORD)
        --help                  print this help
      """;

  private Main() {}

  /** A bad command line; the message is the one line printed on standard error. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /**
   * The parsed command line.
   *
   * @param config the server configuration
   * @param help whether {@code --help} was given
   * @param developmentToken the generated token in development mode, or null
   */
  record Launch(ServerConfig config, boolean help, String developmentToken) {}

  /**
   * Starts the server and returns; the server runs until the JVM is stopped (Ctrl-C closes it
   * cleanly).
   *
   * @param args the command line flags
   */
  public static void main(String[] args) {
    int status = run(args, System.getenv(), System.out, System.err);
    if (status != RUNNING) {
      System.exit(status);
    }
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Launch launch;
    try {
      launch = parse(args, env);
    } catch (UsageException e) {
      err.println("filesync-server: " + e.getMessage() + " (try --help)");
      return EXIT_USAGE;
    }
    if (launch.help()) {
      out.print(USAGE);
      return 0;
    }
    FileSyncServer server = FileSyncServer.create(launch.config());
    try {
      server.start();
    } catch (IOException | IllegalStateException e) {
      server.close();
      err.println("filesync-server: cannot start: " + e.getMessage());
      return EXIT_FAILURE;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "filesync-shutdown"));
    out.println("FileSync server listening on " + server.baseUri());
    out.println("sync log: " + describeLog(launch.config()));
    if (launch.developmentToken() != null) {
      out.println("development token: " + launch.developmentToken());
    }
    out.flush();
    return RUNNING;
  }

  static String describeLog(ServerConfig config) {
    if (config.jdbcUrl() != null) {
      String url = config.jdbcUrl();
      int query = url.indexOf('?');
      return "postgresql " + (query < 0 ? url : url.substring(0, query));
    }
    return "sqlite " + config.sqliteFile();
  }

  static Launch parse(String[] args, Map<String, String> env) throws UsageException {
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> tokenFlags = new ArrayList<>();
    boolean dev = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (name) {
        case "--help", "-h" -> help = true;
        case "--dev" -> {
          if (value != null) {
            throw new UsageException("--dev takes no value");
          }
          dev = true;
        }
        case "--host",
            "--port",
            "--data",
            "--token",
            "--jdbc-url",
            "--jdbc-user",
            "--jdbc-password" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new UsageException(name + " needs a value");
            }
            value = args[++i];
          }
          if (name.equals("--token")) {
            tokenFlags.add(value);
          } else {
            flags.put(name, value);
          }
        }
        default ->
            throw new UsageException(
                arg.startsWith("-") ? "unknown flag " + name : "unexpected argument " + arg);
      }
    }
    if (help) {
      return new Launch(ServerConfig.builder().devMode(true).build(), true, null);
    }
    dev = dev || isTrue(env.get("FILESYNC_DEV"));

    ServerConfig.Builder b = ServerConfig.builder().devMode(dev);
    String host = pick(flags, "--host", env, "FILESYNC_HOST");
    try {
      if (host != null) {
        b.host(host);
      }
      String port = pick(flags, "--port", env, "FILESYNC_PORT");
      if (port != null) {
        try {
          b.port(Integer.parseInt(port.trim()));
        } catch (NumberFormatException e) {
          throw new UsageException("--port is not a number: '" + port + "'");
        }
      }
      String data = pick(flags, "--data", env, "FILESYNC_DATA");
      if (data != null) {
        try {
          b.dataDirectory(Path.of(data));
        } catch (InvalidPathException e) {
          throw new UsageException("--data is not a valid path: '" + data + "'");
        }
      }
      String jdbcUrl = pick(flags, "--jdbc-url", env, "FILESYNC_JDBC_URL");
      String jdbcUser = pick(flags, "--jdbc-user", env, "FILESYNC_JDBC_USER");
      String jdbcPassword = pick(flags, "--jdbc-password", env, "FILESYNC_JDBC_PASSWORD");
      if (jdbcUrl != null) {
        b.postgres(jdbcUrl, jdbcUser, jdbcPassword);
      } else if (jdbcUser != null || jdbcPassword != null) {
        throw new UsageException("--jdbc-user and --jdbc-password need --jdbc-url");
      }
      if (!tokenFlags.isEmpty()) {
        for (String spec : tokenFlags) {
          addToken(b, spec, ",", "--token");
        }
      } else {
        String envTokens = env.get("FILESYNC_TOKENS");
        if (envTokens != null) {
          for (String spec : envTokens.split("[,\\s]+")) {
            if (!spec.isEmpty()) {
              addToken(b, spec, ";", "FILESYNC_TOKENS");
            }
          }
        }
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    ServerConfig config = b.build();
    String developmentToken = null;
    if (config.tokens().isEmpty()) {
      if (!dev) {
        throw new UsageException(
            "no token: pass --token TOKEN (or set FILESYNC_TOKENS), or --dev for a development"
                + " token");
      }
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      developmentToken = "dev-" + HexFormat.of().formatHex(random);
      config = config.toBuilder().token(developmentToken, List.of("*")).build();
    }
    return new Launch(config, false, developmentToken);
  }

  private static void addToken(ServerConfig.Builder b, String spec, String separator, String from)
      throws UsageException {
    int eq = spec.indexOf('=');
    String token = eq < 0 ? spec : spec.substring(0, eq);
    List<String> patterns =
        eq < 0
            ? List.of("*")
            : Arrays.stream(spec.substring(eq + 1).split(separator, -1)).map(String::trim).toList();
    if (token.isEmpty()) {
      throw new UsageException(from + " has an empty token");
    }
    try {
      b.token(token, patterns);
    } catch (IllegalArgumentException e) {
      // Never echo the token itself.
      throw new UsageException(from + ": " + e.getMessage());
    }
  }

  private static String pick(
      Map<String, String> flags, String flag, Map<String, String> env, String variable) {
    String value = flags.get(flag);
    if (value == null) {
      value = env.get(variable);
      if (value != null && value.isBlank()) {
        value = null;
      }
    }
    return value;
  }

  private static boolean isTrue(String value) {
    return value != null
        && (value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes"));
  }
}
