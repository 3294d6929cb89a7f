package dev.filesync.server;

import dev.filesync.server.internal.StorePatterns;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The immutable configuration of a {@link FileSyncServer}. Build one with {@link #builder()}; every
 * setter checks its value at once and names a bad one in its {@link IllegalArgumentException}.
 *
 * {@snippet :
 * ServerConfig config = ServerConfig.builder()
 *     .port(0)                                    // an ephemeral port
 *     .dataDirectory(Path.of("filesync-data"))    // the SQLite log is filesync-data/sync.db
 *     .token("s3cret", List.of("user-42/*"))
 *     .build();
 * }
 *
 * <p>The event log is SQLite at {@code <dataDirectory>/sync.db} unless {@link
 * Builder#postgres(String, String, String)} or {@link Builder#sqliteFile(Path)} says otherwise.
 *
 * <p>The storage service ({@code docs/storage-server.md}) runs beside the sync service by default,
 * in {@link StorageMode#GATEWAY} mode with the bytes in {@code <dataDirectory>/blobs}; {@link
 * Builder#enableSync(boolean)} and {@link Builder#enableStorage(boolean)} run either alone.
 */
public final class ServerConfig {

  /** The default port of the server, 8787. */
  public static final int DEFAULT_PORT = 8787;

  private final String host;
  private final int port;
  private final Path dataDirectory;
  private final Path sqliteFile;
  private final String jdbcUrl;
  private final String jdbcUser;
  private final String jdbcPassword;
  private final Map<String, List<String>> tokens;
  private final Authenticator authenticator;
  private final boolean devMode;
  private final long maxBodyBytes;
  private final int maxBatch;
  private final int maxPage;
  private final Duration longPollMax;
  private final Duration ssePingInterval;
  private final StorageMode storageMode;
  private final S3Settings s3;
  private final Path blobDirectory;
  private final String signerBasePath;
  private final String filesBasePath;
  private final String gatewaySecret;
  private final Duration urlTtl;
  private final Duration maxUrlTtl;
  private final long maxObjectBytes;
  private final long maxSignerBodyBytes;
  private final List<String> corsOrigins;
  private final URI publicBaseUrl;
  private final boolean enableSync;
  private final boolean enableStorage;
  private final boolean enableMetrics;

  private ServerConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.dataDirectory = b.dataDirectory;
    this.sqliteFile = b.sqliteFile;
    this.jdbcUrl = b.jdbcUrl;
    this.jdbcUser = b.jdbcUser;
    this.jdbcPassword = b.jdbcPassword;
    this.tokens = Collections.unmodifiableMap(new LinkedHashMap<>(b.tokens));
    this.authenticator = b.authenticator;
    this.devMode = b.devMode;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxBatch = b.maxBatch;
    this.maxPage = b.maxPage;
    this.longPollMax = b.longPollMax;
    this.ssePingInterval = b.ssePingInterval;
    this.storageMode = b.storageMode;
    this.s3 = b.s3;
    this.blobDirectory = b.blobDirectory;
    this.signerBasePath = b.signerBasePath;
    this.filesBasePath = b.filesBasePath;
    this.gatewaySecret = b.gatewaySecret;
    this.urlTtl = b.urlTtl;
    this.maxUrlTtl = b.maxUrlTtl;
    this.maxObjectBytes = b.maxObjectBytes;
    this.maxSignerBodyBytes = b.maxSignerBodyBytes;
    this.corsOrigins = List.copyOf(b.corsOrigins);
    this.publicBaseUrl = b.publicBaseUrl;
    this.enableSync = b.enableSync;
    this.enableStorage = b.enableStorage;
    this.enableMetrics = b.enableMetrics;
  }

  /**
   * Returns a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder initialized with this configuration.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The address to listen on.
   *
   * @return the host, {@code 127.0.0.1} by default
   */
  public String host() {
    return host;
  }

  /**
   * The port to listen on.
   *
   * @return the port, 0 for an ephemeral one, {@value #DEFAULT_PORT} by default
   */
  public int port() {
    return port;
  }

  /**
   * The data directory.
   *
   * @return the directory, {@code ./filesync-data} by default
   */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /**
   * The SQLite file of the event log, when PostgreSQL is not configured.
   *
   * @return the file, {@code <dataDirectory>/sync.db} unless set
   */
  public Path sqliteFile() {
    return sqliteFile != null ? sqliteFile : dataDirectory.resolve("sync.db");
  }

  /**
   * The PostgreSQL JDBC URL of the event log.
   *
   * @return the URL, or null to use SQLite
   */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /**
   * The PostgreSQL user.
   *
   * @return the user, or null
   */
  public String jdbcUser() {
    return jdbcUser;
  }

  /**
   * The PostgreSQL password.
   *
   * @return the password, or null
   */
  public String jdbcPassword() {
    return jdbcPassword;
  }

  /**
   * The static bearer tokens and the store patterns each grants.
   *
   * @return an unmodifiable map, in insertion order
   */
  public Map<String, List<String>> tokens() {
    return tokens;
  }

  /**
   * The authenticator set with {@link Builder#authenticator}, if any.
   *
   * @return the authenticator, or null to use {@link #tokens()}
   */
  public Authenticator authenticator() {
    return authenticator;
  }

  /**
   * Whether the server may start without tokens (it then warns loudly).
   *
   * @return the development mode flag
   */
  public boolean devMode() {
    return devMode;
  }

  /**
   * The largest request body accepted.
   *
   * @return bytes, 1 MiB by default
   */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * The most events one push may carry.
   *
   * @return the batch limit, 100 by default
   */
  public int maxBatch() {
    return maxBatch;
  }

  /**
   * The largest page a pull may ask for.
   *
   * @return the page limit, 1000 by default
   */
  public int maxPage() {
    return maxPage;
  }

  /**
   * The longest {@code waitMs} a pull may ask for.
   *
   * @return the long poll limit, 30 seconds by default
   */
  public Duration longPollMax() {
    return longPollMax;
  }

  /**
   * How often an idle live stream gets a {@code : ping} comment.
   *
   * @return the interval, 15 seconds by default
   */
  public Duration ssePingInterval() {
    return ssePingInterval;
  }

  /**
   * How the storage service moves bytes.
   *
   * @return the mode, {@link StorageMode#GATEWAY} by default
   */
  public StorageMode storageMode() {
    return storageMode;
  }

  /**
   * The S3-compatible service: where gateway mode keeps bytes when set, and what signer mode
   * presigns.
   *
   * @return the settings, or null (the default) for none
   */
  public S3Settings s3() {
    return s3;
  }

  /**
   * Where gateway mode keeps bytes when {@link #s3()} is not set.
   *
   * @return the directory, {@code <dataDirectory>/blobs} unless set
   */
  public Path blobDirectory() {
    return blobDirectory != null ? blobDirectory : dataDirectory.resolve("blobs");
  }

  /**
   * The base path of the signer API ({@code {base}/health}, {@code {base}/v1/sign/upload}...).
   *
   * @return the path, {@code /api} by default
   */
  public String signerBasePath() {
    return signerBasePath;
  }

  /**
   * The base path of gateway URLs ({@code {base}/<key>}).
   *
   * @return the path, {@code /livestore-filesync-files} by default
   */
  public String filesBasePath() {
    return filesBasePath;
  }

  /**
   * The HMAC secret of gateway URLs, if set.
   *
   * @return the secret, or null (the default): then a random one is kept in {@code
   *     <dataDirectory>/gateway.secret} (created with owner-only permissions) so that URLs survive
   *     a restart
   */
  public String gatewaySecret() {
    return gatewaySecret;
  }

  /**
   * The lifetime of a signed URL when the client asks for none.
   *
   * @return the lifetime, 900 seconds by default (clamped to {@link #maxUrlTtl()} when used)
   */
  public Duration urlTtl() {
    return urlTtl;
  }

  /**
   * The longest lifetime of a signed URL; requested and default lifetimes are clamped to it.
   *
   * @return the lifetime, 1 hour by default
   */
  public Duration maxUrlTtl() {
    return maxUrlTtl;
  }

  /**
   * The largest object (and multipart part, and sum of parts) accepted.
   *
   * @return bytes, 5 GiB by default
   */
  public long maxObjectBytes() {
    return maxObjectBytes;
  }

  /**
   * The largest JSON body of a signer API call.
   *
   * @return bytes, 64 KiB by default
   */
  public long maxSignerBodyBytes() {
    return maxSignerBodyBytes;
  }

  /**
   * The origins the storage routes answer CORS requests for.
   *
   * @return the origins ({@code *} for any), empty by default: no CORS headers at all
   */
  public List<String> corsOrigins() {
    return corsOrigins;
  }

  /**
   * The base of gateway URLs when the server is behind a proxy.
   *
   * @return the URL, or null (the default) to use the scheme, host and port each request came in on
   */
  public URI publicBaseUrl() {
    return publicBaseUrl;
  }

  /**
   * Whether the sync service ({@code /sync/v1/*}, {@code /health}) runs.
   *
   * @return true by default
   */
  public boolean enableSync() {
    return enableSync;
  }

  /**
   * Whether the storage service (signer API, gateway data plane) runs.
   *
   * @return true by default
   */
  public boolean enableStorage() {
    return enableStorage;
  }

  /**
   * Whether {@code GET /metrics} is served (without authentication; it holds no secrets).
   *
   * @return true by default
   */
  public boolean enableMetrics() {
    return enableMetrics;
  }

  /** The authenticator the server uses. */
  Authenticator effectiveAuthenticator() {
    return authenticator != null ? authenticator : Authenticator.staticTokens(tokens);
  }

  /** Whether requests can be authenticated at all. */
  boolean hasCredentials() {
    return authenticator != null || !tokens.isEmpty();
  }

  static void checkToken(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("token is empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char ch = token.charAt(i);
      if (ch <= ' ' || ch >= 0x7f || ch == ',' || ch == ';' || ch == '=') {
        throw new IllegalArgumentException(
            "token has a character that is not allowed (whitespace, control, non-ASCII, ',', ';' or"
                + " '=') at index "
                + i);
      }
    }
  }

  /** Never prints tokens or the password. */
  @Override
  public String toString() {
    return "ServerConfig[host="
        + host
        + ", port="
        + port
        + ", dataDirectory="
        + dataDirectory
        + ", eventLog="
        + (jdbcUrl != null ? "postgresql" : "sqlite " + sqliteFile())
        + ", tokens="
        + tokens.size()
        + ", devMode="
        + devMode
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", maxBatch="
        + maxBatch
        + ", maxPage="
        + maxPage
        + ", longPollMax="
        + longPollMax
        + ", ssePingInterval="
        + ssePingInterval
        + ", enableSync="
        + enableSync
        + ", enableStorage="
        + enableStorage
        + ", storageMode="
        + storageMode
        + ", s3="
        + s3
        + ", blobDirectory="
        + blobDirectory()
        + ", signerBasePath="
        + signerBasePath
        + ", filesBasePath="
        + filesBasePath
        + ", gatewaySecret="
        + (gatewaySecret == null ? "(file)" : "(set)")
        + ", urlTtl="
        + urlTtl
        + ", maxUrlTtl="
        + maxUrlTtl
        + ", maxObjectBytes="
        + maxObjectBytes
        + ", maxSignerBodyBytes="
        + maxSignerBodyBytes
        + ", corsOrigins="
        + corsOrigins
        + ", publicBaseUrl="
        + publicBaseUrl
        + ", enableMetrics="
        + enableMetrics
        + "]";
  }

  /** Builds a {@link ServerConfig}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private Path dataDirectory = Path.of("filesync-data");
    private Path sqliteFile;
    private String jdbcUrl;
    private String jdbcUser;
    private String jdbcPassword;
    private final Map<String, List<String>> tokens = new LinkedHashMap<>();
    private Authenticator authenticator;
    private boolean devMode;
    private long maxBodyBytes = 1024 * 1024;
    private int maxBatch = 100;
    private int maxPage = 1000;
    private Duration longPollMax = Duration.ofSeconds(30);
    private Duration ssePingInterval = Duration.ofSeconds(15);
    private StorageMode storageMode = StorageMode.GATEWAY;
    private S3Settings s3;
    private Path blobDirectory;
    private String signerBasePath = "/api";
    private String filesBasePath = "/livestore-filesync-files";
    private String gatewaySecret;
    private Duration urlTtl = Duration.ofSeconds(900);
    private Duration maxUrlTtl = Duration.ofHours(1);
    private long maxObjectBytes = 5L * 1024 * 1024 * 1024;
    private long maxSignerBodyBytes = 64 * 1024;
    private List<String> corsOrigins = List.of();
    private URI publicBaseUrl;
    private boolean enableSync = true;
    private boolean enableStorage = true;
    private boolean enableMetrics = true;

    private Builder() {}

    private Builder(ServerConfig c) {
      host = c.host;
      port = c.port;
      dataDirectory = c.dataDirectory;
      sqliteFile = c.sqliteFile;
      jdbcUrl = c.jdbcUrl;
      jdbcUser = c.jdbcUser;
      jdbcPassword = c.jdbcPassword;
      tokens.putAll(c.tokens);
      authenticator = c.authenticator;
      devMode = c.devMode;
      maxBodyBytes = c.maxBodyBytes;
      maxBatch = c.maxBatch;
      maxPage = c.maxPage;
      longPollMax = c.longPollMax;
      ssePingInterval = c.ssePingInterval;
      storageMode = c.storageMode;
      s3 = c.s3;
      blobDirectory = c.blobDirectory;
      signerBasePath = c.signerBasePath;
      filesBasePath = c.filesBasePath;
      gatewaySecret = c.gatewaySecret;
      urlTtl = c.urlTtl;
      maxUrlTtl = c.maxUrlTtl;
      maxObjectBytes = c.maxObjectBytes;
      maxSignerBodyBytes = c.maxSignerBodyBytes;
      corsOrigins = c.corsOrigins;
      publicBaseUrl = c.publicBaseUrl;
      enableSync = c.enableSync;
      enableStorage = c.enableStorage;
      enableMetrics = c.enableMetrics;
    }

    /**
     * Sets the address to listen on.
     *
     * @param host a host name or IP address, not blank
     * @return this builder
     */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host is blank: '" + host + "'");
      }
      this.host = host;
      return this;
    }

    /**
     * Sets the port to listen on.
     *
     * @param port 0 (ephemeral) to 65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port is not in 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the data directory, where the SQLite event log lives by default.
     *
     * @param dataDirectory the directory; created on start if missing
     * @return this builder
     */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      return this;
    }

    /**
     * Puts the SQLite event log in another file than {@code <dataDirectory>/sync.db}; clears a
     * PostgreSQL setting.
     *
     * @param file the SQLite file
     * @return this builder
     */
    public Builder sqliteFile(Path file) {
      this.sqliteFile = Objects.requireNonNull(file, "sqliteFile");
      this.jdbcUrl = null;
      this.jdbcUser = null;
      this.jdbcPassword = null;
      return this;
    }

    /**
     * Keeps the event log in PostgreSQL instead of SQLite.
     *
     * @param jdbcUrl a {@code jdbc:postgresql:} URL
     * @param user the user, or null
     * @param password the password, or null
     * @return this builder
     */
    public Builder postgres(String jdbcUrl, String user, String password) {
      if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "jdbcUrl must start with jdbc:postgresql: (got '"
                + (jdbcUrl == null ? null : jdbcUrl.substring(0, Math.min(16, jdbcUrl.length())))
                + "…')");
      }
      this.jdbcUrl = jdbcUrl;
      this.jdbcUser = user;
      this.jdbcPassword = password;
      return this;
    }

    /**
     * Adds (or replaces) a bearer token.
     *
     * @param token the token: printable ASCII without spaces, {@code ,}, {@code ;} or {@code =}
     * @param patterns the store patterns it grants, at least one
     * @return this builder
     */
    public Builder token(String token, List<String> patterns) {
      checkToken(token);
      Objects.requireNonNull(patterns, "patterns");
      if (patterns.isEmpty()) {
        throw new IllegalArgumentException("token grants no store pattern");
      }
      patterns.forEach(StorePatterns::checkPattern);
      tokens.put(token, List.copyOf(patterns));
      return this;
    }

    /**
     * Replaces all bearer tokens.
     *
     * @param tokens token → store patterns
     * @return this builder
     */
    public Builder tokens(Map<String, List<String>> tokens) {
      Map<String, List<String>> copy = new LinkedHashMap<>(tokens);
      this.tokens.clear();
      copy.forEach(this::token);
      return this;
    }

    /**
     * Replaces the static token table with another way to check bearer tokens.
     *
     * @param authenticator the authenticator, or null to use the tokens again
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = authenticator;
      return this;
    }

    /**
     * Allows starting without any token (for development only; the server logs a warning).
     *
     * @param devMode the flag
     * @return this builder
     */
    public Builder devMode(boolean devMode) {
      this.devMode = devMode;
      return this;
    }

    /**
     * Sets the largest request body.
     *
     * @param bytes at least 1024
     * @return this builder
     */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be >= 1024: " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the most events of one push.
     *
     * @param maxBatch 1 to 10000
     * @return this builder
     */
    public Builder maxBatch(int maxBatch) {
      if (maxBatch < 1 || maxBatch > 10_000) {
        throw new IllegalArgumentException("maxBatch is not in 1..10000: " + maxBatch);
      }
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * Sets the largest page of a pull.
     *
     * @param maxPage 1 to 10000
     * @return this builder
     */
    public Builder maxPage(int maxPage) {
      if (maxPage < 1 || maxPage > 10_000) {
        throw new IllegalArgumentException("maxPage is not in 1..10000: " + maxPage);
      }
      this.maxPage = maxPage;
      return this;
    }

    /**
     * Sets the longest long poll.
     *
     * @param longPollMax 0 to 10 minutes
     * @return this builder
     */
    public Builder longPollMax(Duration longPollMax) {
      Objects.requireNonNull(longPollMax, "longPollMax");
      if (longPollMax.isNegative() || longPollMax.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("longPollMax is not in 0..10 minutes: " + longPollMax);
      }
      this.longPollMax = longPollMax;
      return this;
    }

    /**
     * Sets how often an idle live stream is pinged.
     *
     * @param interval 1 millisecond to 10 minutes
     * @return this builder
     */
    public Builder ssePingInterval(Duration interval) {
      Objects.requireNonNull(interval, "ssePingInterval");
      if (interval.toMillis() < 1 || interval.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "ssePingInterval is not in 1 ms..10 minutes: " + interval);
      }
      this.ssePingInterval = interval;
      return this;
    }

    /**
     * Sets how the storage service moves bytes.
     *
     * @param mode {@link StorageMode#GATEWAY} (the default) or {@link StorageMode#SIGNER}, which
     *     needs {@link #s3}
     * @return this builder
     */
    public Builder storageMode(StorageMode mode) {
      this.storageMode = Objects.requireNonNull(mode, "storageMode");
      return this;
    }

    /**
     * Sets the S3-compatible service. In gateway mode the bytes then go there instead of {@link
     * #blobDirectory}; signer mode presigns its URLs.
     *
     * @param s3 the settings, or null for none
     * @return this builder
     */
    public Builder s3(S3Settings s3) {
      this.s3 = s3;
      return this;
    }

    /**
     * Sets where gateway mode keeps bytes without S3.
     *
     * @param directory the directory; created on start if missing
     * @return this builder
     */
    public Builder blobDirectory(Path directory) {
      this.blobDirectory = Objects.requireNonNull(directory, "blobDirectory");
      return this;
    }

    /**
     * Sets the base path of the signer API.
     *
     * @param path such as {@code /api}: starts with {@code /}, no trailing {@code /}, letters,
     *     digits and {@code - . _ ~ /} only
     * @return this builder
     */
    public Builder signerBasePath(String path) {
      this.signerBasePath = checkBasePath("signerBasePath", path);
      return this;
    }

    /**
     * Sets the base path of gateway URLs.
     *
     * @param path such as {@code /livestore-filesync-files}, with the rules of {@link
     *     #signerBasePath}
     * @return this builder
     */
    public Builder filesBasePath(String path) {
      this.filesBasePath = checkBasePath("filesBasePath", path);
      return this;
    }

    /**
     * Sets the HMAC secret of gateway URLs; every server behind one address needs the same.
     *
     * @param secret at least 32 characters, no control characters; or null for the random one of
     *     {@code <dataDirectory>/gateway.secret}
     * @return this builder
     */
    public Builder gatewaySecret(String secret) {
      if (secret != null) {
        if (secret.length() < 32) {
          throw new IllegalArgumentException(
              "gatewaySecret must be at least 32 characters, got " + secret.length());
        }
        if (StorePatterns.hasControl(secret)) {
          throw new IllegalArgumentException("gatewaySecret contains a control character");
        }
      }
      this.gatewaySecret = secret;
      return this;
    }

    /**
     * Sets the default lifetime of signed URLs.
     *
     * @param ttl 1 second to 7 days; clamped to {@link #maxUrlTtl} when used
     * @return this builder
     */
    public Builder urlTtl(Duration ttl) {
      this.urlTtl = checkTtl("urlTtl", ttl);
      return this;
    }

    /**
     * Sets the longest lifetime of signed URLs.
     *
     * @param ttl 1 second to 7 days
     * @return this builder
     */
    public Builder maxUrlTtl(Duration ttl) {
      this.maxUrlTtl = checkTtl("maxUrlTtl", ttl);
      return this;
    }

    /**
     * Sets the largest object accepted.
     *
     * @param bytes at least 1
     * @return this builder
     */
    public Builder maxObjectBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxObjectBytes must be >= 1: " + bytes);
      }
      this.maxObjectBytes = bytes;
      return this;
    }

    /**
     * Sets the largest JSON body of a signer API call.
     *
     * @param bytes 1024 to 16 MiB
     * @return this builder
     */
    public Builder maxSignerBodyBytes(long bytes) {
      if (bytes < 1024 || bytes > 16L * 1024 * 1024) {
        throw new IllegalArgumentException("maxSignerBodyBytes is not in 1024..16777216: " + bytes);
      }
      this.maxSignerBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the origins allowed to call the storage routes from a browser.
     *
     * @param origins {@code scheme://host[:port]} origins, or {@code *} for any; empty (the
     *     default) sends no CORS headers at all
     * @return this builder
     */
    public Builder corsOrigins(List<String> origins) {
      Objects.requireNonNull(origins, "corsOrigins");
      List<String> checked = new ArrayList<>();
      for (String origin : origins) {
        checked.add(checkOrigin(origin));
      }
      this.corsOrigins = List.copyOf(checked);
      return this;
    }

    /**
     * Sets the base of gateway URLs, for a server behind a reverse proxy.
     *
     * @param url an absolute {@code http} or {@code https} URL without query or fragment, such as
     *     {@code https://files.example.com}; or null (the default) to use the scheme, host and port
     *     each request came in on
     * @return this builder
     */
    public Builder publicBaseUrl(URI url) {
      if (url != null) {
        String scheme = url.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
          throw new IllegalArgumentException("publicBaseUrl must be an http(s) URL: " + url);
        }
        if (url.getHost() == null || url.getRawQuery() != null || url.getRawFragment() != null) {
          throw new IllegalArgumentException(
              "publicBaseUrl must have a host and no query or fragment: " + url);
        }
      }
      this.publicBaseUrl = url;
      return this;
    }

    /**
     * Turns the sync service on or off.
     *
     * @param enable true by default
     * @return this builder
     */
    public Builder enableSync(boolean enable) {
      this.enableSync = enable;
      return this;
    }

    /**
     * Turns the storage service on or off.
     *
     * @param enable true by default
     * @return this builder
     */
    public Builder enableStorage(boolean enable) {
      this.enableStorage = enable;
      return this;
    }

    /**
     * Turns {@code GET /metrics} on or off.
     *
     * @param enable true by default
     * @return this builder
     */
    public Builder enableMetrics(boolean enable) {
      this.enableMetrics = enable;
      return this;
    }

    private static String checkBasePath(String name, String path) {
      if (path == null
          || path.length() < 2
          || path.charAt(0) != '/'
          || path.endsWith("/")
          || path.contains("//")
          || !path.matches("[A-Za-z0-9._~/-]+")
          || path.matches(".*/\\.{1,2}(/.*)?")) {
        throw new IllegalArgumentException(
            name
                + " must start with '/', not end with '/', and hold only letters, digits and"
                + " - . _ ~ /: '"
                + path
                + "'");
      }
      return path;
    }

    private static Duration checkTtl(String name, Duration ttl) {
      Objects.requireNonNull(ttl, name);
      if (ttl.getSeconds() < 1 || ttl.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException(name + " is not in 1 second..7 days: " + ttl);
      }
      return ttl;
    }

    private static String checkOrigin(String origin) {
      if ("*".equals(origin)) {
        return origin;
      }
      try {
        URI u = new URI(origin);
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            && u.getHost() != null
            && u.getRawPath().isEmpty()
            && u.getRawQuery() == null
            && u.getRawFragment() == null
            && u.getRawUserInfo() == null) {
          return origin;
        }
      } catch (URISyntaxException | NullPointerException e) {
        // falls through to the refusal
      }
      throw new IllegalArgumentException(
          "CORS origin must be '*' or scheme://host[:port] with no path: '" + origin + "'");
    }

    private static boolean overlaps(String a, String b) {
      return a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/");
    }

    /**
     * Builds the configuration.
     *
     * @return the immutable configuration
     * @throws IllegalArgumentException if signer mode has no S3 settings, both services are off, or
     *     the storage paths collide with each other or with the sync routes
     */
    public ServerConfig build() {
      if (!enableSync && !enableStorage) {
        throw new IllegalArgumentException("enableSync and enableStorage are both off");
      }
      if (enableStorage) {
        if (storageMode == StorageMode.SIGNER && s3 == null) {
          throw new IllegalArgumentException("storageMode SIGNER needs s3 settings");
        }
        for (String reserved : List.of("/sync", "/health", "/metrics")) {
          for (String path : List.of(signerBasePath, filesBasePath)) {
            if (overlaps(path, reserved)) {
              throw new IllegalArgumentException(
                  "storage path " + path + " collides with the route " + reserved);
            }
          }
        }
        if (overlaps(signerBasePath, filesBasePath)) {
          throw new IllegalArgumentException(
              "signerBasePath "
                  + signerBasePath
                  + " and filesBasePath "
                  + filesBasePath
                  + " overlap");
        }
      }
      return new ServerConfig(this);
    }
  }
}
