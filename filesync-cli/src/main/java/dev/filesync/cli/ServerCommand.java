package dev.filesync.cli;

import dev.filesync.server.FileSyncServer;
import dev.filesync.server.S3Settings;
import dev.filesync.server.ServerConfig;
import dev.filesync.server.StorageMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code filesync server}: the sync service and the storage service (gateway or S3 signer) in one
 * process, on the embedded default (SQLite and the local disk under {@code --data}) unless told
 * otherwise.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the FileSync server: sync (the event log) and storage (file bytes).",
      "Embedded default: SQLite and the local disk under --data. Each option also comes from",
      "FILESYNC_<OPTION> (e.g. FILESYNC_S3_BUCKET) or from the --config file (key s3-bucket)."
    })
final class ServerCommand implements Callable<Integer> {
  /** {@link #call()} returns this while the server runs; the JVM stays up until it is stopped. */
  static final int RUNNING = -1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with option values (FILESYNC_CONFIG).")
  Path config;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8787",
      description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "filesync-data",
      description = "Data directory: sync.db, blobs/, gateway.secret (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--token",
      paramLabel = "TOKEN[=P,P...]",
      description = {
        "A bearer token and the store patterns it grants (repeatable). A bare token grants every store.",
        "Patterns: a store id, a prefix ending in *, or *. Environment: FILESYNC_TOKENS, comma or space",
        "separated TOKEN[=P;P...]; file key: tokens."
      })
  List<String> tokens = new ArrayList<>();

  @Option(
      names = "--dev",
      description =
          "Development mode: start without tokens and print a random token granting every store.")
  boolean dev;

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "Keep the sync log in PostgreSQL instead of SQLite.")
  String jdbcUrl;

  @Option(names = "--jdbc-user", paramLabel = "USER", description = "PostgreSQL user.")
  String jdbcUser;

  @Option(names = "--jdbc-password", paramLabel = "PASS", description = "PostgreSQL password.")
  String jdbcPassword;

  @Option(
      names = "--storage",
      paramLabel = "MODE",
      description = {
        "gateway: bytes go through this server (to --data/blobs or the S3 bucket);",
        "signer: clients get presigned S3 URLs. Default: signer with --s3-bucket, else gateway."
      })
  String storage;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description = "S3-compatible endpoint (default: AWS for the region).")
  URI s3Endpoint;

  @Option(names = "--s3-bucket", paramLabel = "B", description = "S3 bucket; turns S3 on.")
  String s3Bucket;

  @Option(
      names = "--s3-region",
      paramLabel = "R",
      defaultValue = "us-east-1",
      description = "S3 region (default: ${DEFAULT-VALUE}).")
  String s3Region;

  @Option(
      names = "--s3-access-key",
      paramLabel = "K",
      description = "S3 access key (default: the AWS credential chain).")
  String s3AccessKey;

  @Option(names = "--s3-secret-key", paramLabel = "S", description = "S3 secret key.")
  String s3SecretKey;

  @Option(
      names = "--s3-path-style",
      description = "Put the bucket in the URL path (most self-hosted S3 services need it).")
  boolean s3PathStyle;

  @Option(
      names = "--signer-base",
      paramLabel = "PATH",
      defaultValue = "/api",
      description = "Base path of the signer API (default: ${DEFAULT-VALUE}).")
  String signerBase;

  @Option(
      names = "--files-base",
      paramLabel = "PATH",
      defaultValue = "/livestore-filesync-files",
      description = "Base path of gateway file URLs (default: ${DEFAULT-VALUE}).")
  String filesBase;

  @Option(
      names = "--public-url",
      paramLabel = "URL",
      description =
          "Base of gateway URLs when behind a proxy (default: the address each request came in on).")
  URI publicUrl;

  @Option(
      names = "--url-ttl",
      paramLabel = "DURATION",
      defaultValue = "900s",
      description = "Lifetime of signed URLs (default: ${DEFAULT-VALUE}).")
  String urlTtl;

  @Option(
      names = "--max-url-ttl",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description = "Longest lifetime a URL may get, at most 7d (default: ${DEFAULT-VALUE}).")
  String maxUrlTtl;

  @Option(
      names = "--max-object-size",
      paramLabel = "SIZE",
      defaultValue = "5g",
      description = "Largest object accepted, e.g. 512m, 5g (default: ${DEFAULT-VALUE}).")
  String maxObjectSize;

  @Option(
      names = "--cors-origin",
      paramLabel = "ORIGIN",
      description = "An origin allowed by CORS (repeatable; * for any). Default: none.")
  List<String> corsOrigins = new ArrayList<>();

  @Option(
      names = "--gateway-secret",
      paramLabel = "SECRET",
      description = "HMAC secret of gateway URLs (default: random, kept in --data/gateway.secret).")
  String gatewaySecret;

  @Option(names = "--no-sync", description = "Do not run the sync service.")
  boolean noSync;

  @Option(names = "--no-storage", description = "Do not run the storage service.")
  boolean noStorage;

  /** The configuration and, in development mode, the generated token. */
  record Launch(ServerConfig config, String developmentToken) {}

  @Override
  public Integer call() throws IOException {
    Launch launch = configure();
    FileSyncServer server = FileSyncServer.create(launch.config());
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw new IOException("cannot start the server: " + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "filesync-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    ServerConfig c = launch.config();
    out.println("FileSync server listening on " + server.baseUri());
    if (c.enableSync()) {
      out.println("sync log: " + describeLog(c));
    }
    if (c.enableStorage()) {
      out.println("storage: " + describeStorage(c));
    }
    if (launch.developmentToken() != null) {
      out.println("development token: " + launch.developmentToken());
    }
    out.flush();
    return RUNNING;
  }

  /** Turns the options into a server configuration; refuses combinations that make no sense. */
  Launch configure() {
    try {
      ServerConfig.Builder b =
          ServerConfig.builder()
              .host(host)
              .port(port)
              .dataDirectory(data)
              .devMode(dev)
              .signerBasePath(signerBase)
              .filesBasePath(filesBase)
              .maxUrlTtl(duration("--max-url-ttl", maxUrlTtl))
              .urlTtl(duration("--url-ttl", urlTtl))
              .maxObjectBytes(size("--max-object-size", maxObjectSize))
              .corsOrigins(corsOrigins.isEmpty() ? listSetting("--cors-origin") : corsOrigins)
              .enableSync(!noSync)
              .enableStorage(!noStorage);
      if (jdbcUrl != null) {
        b.postgres(jdbcUrl, jdbcUser, jdbcPassword);
      } else if (jdbcUser != null || jdbcPassword != null) {
        throw new FileSyncCli.UsageError("--jdbc-user and --jdbc-password need --jdbc-url");
      }
      if (publicUrl != null) {
        b.publicBaseUrl(publicUrl);
      }
      if (gatewaySecret != null) {
        b.gatewaySecret(gatewaySecret);
      }
      S3Settings s3 = null;
      if (s3Bucket != null) {
        s3 = new S3Settings(s3Endpoint, s3Bucket, s3Region, s3AccessKey, s3SecretKey, s3PathStyle);
        b.s3(s3);
      } else if (s3Endpoint != null || s3AccessKey != null || s3SecretKey != null) {
        throw new FileSyncCli.UsageError("the --s3-* options need --s3-bucket");
      }
      StorageMode mode =
          storage == null
              ? (s3 != null ? StorageMode.SIGNER : StorageMode.GATEWAY)
              : switch (storage.toLowerCase(Locale.ROOT)) {
                case "gateway" -> StorageMode.GATEWAY;
                case "signer" -> StorageMode.SIGNER;
                default ->
                    throw new FileSyncCli.UsageError(
                        "--storage must be gateway or signer: " + storage);
              };
      if (mode == StorageMode.SIGNER && s3 == null) {
        throw new FileSyncCli.UsageError(
            "--storage signer needs an S3 bucket (--s3-bucket and friends)");
      }
      b.storageMode(mode);
      addTokens(b);
      ServerConfig config = b.build();
      String devToken = null;
      if (config.tokens().isEmpty()) {
        if (!dev) {
          throw new FileSyncCli.UsageError(
              "no token: pass --token TOKEN (or FILESYNC_TOKENS), or --dev for a development token");
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        devToken = "dev-" + HexFormat.of().formatHex(random);
        config = config.toBuilder().token(devToken, List.of("*")).build();
      }
      return new Launch(config, devToken);
    } catch (IllegalArgumentException e) {
      throw new FileSyncCli.UsageError(e.getMessage());
    }
  }

  private Settings settings() {
    return (Settings) spec.commandLine().getDefaultValueProvider();
  }

  private List<String> listSetting(String option) {
    Settings s = settings();
    String v = s == null ? null : s.lookup(option);
    return v == null
        ? List.of()
        : Arrays.stream(v.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
  }

  private void addTokens(ServerConfig.Builder b) {
    if (!tokens.isEmpty()) {
      for (String t : tokens) {
        addToken(b, t, ",", "--token");
      }
      return;
    }
    Settings s = settings();
    String all = s == null ? null : s.lookup("--tokens");
    if (all != null) {
      for (String t : all.split("[,\\s]+")) {
        if (!t.isEmpty()) {
          addToken(b, t, ";", "FILESYNC_TOKENS");
        }
      }
    }
  }

  private static void addToken(ServerConfig.Builder b, String spec, String separator, String from) {
    int eq = spec.indexOf('=');
    String token = eq < 0 ? spec : spec.substring(0, eq);
    if (token.isEmpty()) {
      throw new FileSyncCli.UsageError(from + " has an empty token");
    }
    List<String> patterns =
        eq < 0
            ? List.of("*")
            : Arrays.stream(spec.substring(eq + 1).split(separator, -1)).map(String::trim).toList();
    try {
      b.token(token, patterns);
    } catch (IllegalArgumentException e) {
      throw new FileSyncCli.UsageError(from + ": " + e.getMessage()); // never echo the token
    }
  }

  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*([kmgt]?)i?b?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

  /** {@code 5g}, {@code 512m}, {@code 64k}, {@code 1048576}: binary units. */
  static long size(String option, String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new FileSyncCli.UsageError(option + " is not a size (like 512m or 5g): " + text);
    }
    int shift =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    long n = Long.parseLong(m.group(1));
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new FileSyncCli.UsageError(option + " is too large: " + text);
    }
    return n << shift;
  }

  /**
   * {@code 900s}, {@code 15m}, {@code 1h}, {@code 7d}, {@code 250ms}, plain seconds, or ISO {@code
   * PT15M}.
   */
  static Duration duration(String option, String text) {
    String t = text.trim();
    if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Duration.parse(t);
      } catch (java.time.format.DateTimeParseException e) {
        throw new FileSyncCli.UsageError(option + " is not a duration: " + text);
      }
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new FileSyncCli.UsageError(option + " is not a duration (like 900s, 15m, 1h): " + text);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofSeconds(n);
    };
  }

  static String describeLog(ServerConfig config) {
    if (config.jdbcUrl() != null) {
      String url = config.jdbcUrl();
      int query = url.indexOf('?');
      return "postgresql " + (query < 0 ? url : url.substring(0, query));
    }
    return "sqlite " + config.sqliteFile();
  }

  static String describeStorage(ServerConfig config) {
    S3Settings s3 = config.s3();
    String where =
        s3 == null
            ? "local disk " + config.blobDirectory()
            : "s3 bucket " + s3.bucket() + (s3.endpoint() == null ? "" : " at " + s3.endpoint());
    return config.storageMode() == StorageMode.SIGNER
        ? "signer, presigned URLs to " + where + " (API " + config.signerBasePath() + ")"
        : "gateway, bytes through this server to "
            + where
            + " (API "
            + config.signerBasePath()
            + ", files "
            + config.filesBasePath()
            + ")";
  }
}
