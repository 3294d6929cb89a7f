package dev.filesync.server;

import dev.filesync.server.internal.StorePatterns;
import java.nio.file.Path;
import java.time.Duration;
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
     * Builds the configuration.
     *
     * @return the immutable configuration
     */
    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }
}
