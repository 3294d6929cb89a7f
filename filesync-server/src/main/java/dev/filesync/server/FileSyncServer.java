package dev.filesync.server;

import dev.filesync.server.internal.SyncHandlers;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Objects;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FileSync sync server: the HTTP API of {@code docs/sync-protocol.md} over an {@link EventLog}.
 *
 * {@snippet :
 * ServerConfig config = ServerConfig.builder()
 *     .port(0)
 *     .dataDirectory(dataDir)
 *     .token("s3cret", List.of("*"))
 *     .build();
 * try (FileSyncServer server = FileSyncServer.create(config).start()) {
 *   URI base = server.baseUri();   // http://127.0.0.1:<port>
 *   // ...
 * }
 * }
 *
 * <p>Instances are thread-safe. {@link #start()} opens the event log and starts listening; {@link
 * #close()} ends long polls and live streams, stops Jetty (whose threads are not daemon threads, so
 * always close a started server) and closes the event log. A closed server cannot be started again:
 * create a new one from the same {@link ServerConfig} (same port, same data) to restart.
 */
public final class FileSyncServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FileSyncServer.class);

  private final ServerConfig config;
  private final Object lock = new Object();
  private EventLog log;
  private SyncHandlers handlers;
  private Javalin app;
  private int port = -1;
  private boolean started;
  private boolean closed;

  private FileSyncServer(ServerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Creates a server; nothing is opened or bound until {@link #start()}.
   *
   * @param config the configuration
   * @return the server
   */
  public static FileSyncServer create(ServerConfig config) {
    return new FileSyncServer(config);
  }

  /**
   * Opens the event log and starts listening.
   *
   * @return this server
   * @throws IllegalStateException if no token (nor authenticator) is configured and {@link
   *     ServerConfig#devMode()} is off, or if the server was already started or closed
   * @throws IOException if the event log cannot be opened or the address cannot be bound
   */
  public FileSyncServer start() throws IOException {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(
            closed ? "the server is closed" : "the server is already started");
      }
      if (!config.hasCredentials()) {
        if (!config.devMode()) {
          throw new IllegalStateException(
              "no bearer token configured: pass --token TOKEN (or FILESYNC_TOKENS), or start in"
                  + " development mode with --dev");
        }
        LOG.warn(
            "DEVELOPMENT MODE and no token configured: every sync request will be refused (401)");
      } else if (config.devMode()) {
        LOG.warn("DEVELOPMENT MODE: do not expose this server to a network you do not trust");
      }
      started = true;
      EventLog opened;
      try {
        opened = openEventLog();
      } catch (IOException | RuntimeException e) {
        closed = true;
        throw e;
      }
      SyncHandlers h =
          new SyncHandlers(
              opened,
              config.effectiveAuthenticator(),
              new SyncHandlers.Limits(
                  config.maxBodyBytes(),
                  config.maxBatch(),
                  config.maxPage(),
                  config.longPollMax(),
                  config.ssePingInterval()));
      Javalin created;
      try {
        created =
            Javalin.create(
                c -> {
                  c.startup.showJavalinBanner = false;
                  c.startup.showOldJavalinVersionWarning = false;
                  c.concurrency.useVirtualThreads = true;
                  c.http.prefer405over404 = true;
                  c.http.maxRequestSize = config.maxBodyBytes();
                  c.jetty.host = config.host();
                  c.jetty.port = config.port();
                  h.register(c.routes);
                });
        created.start();
      } catch (RuntimeException e) {
        opened.close();
        closed = true;
        throw new IOException(
            "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
      }
      // Long polls and idle live streams do no I/O for up to longPollMax / the ping interval.
      long idleMillis =
          Math.max(config.longPollMax().toMillis(), config.ssePingInterval().toMillis()) + 30_000;
      for (Connector connector : created.jettyServer().server().getConnectors()) {
        if (connector instanceof AbstractConnector c) {
          c.setIdleTimeout(idleMillis);
        }
      }
      this.log = opened;
      this.handlers = h;
      this.app = created;
      this.port = created.port();
      LOG.info("FileSync server listening on {} (sync log: {})", baseUri(), opened);
      return this;
    }
  }

  private EventLog openEventLog() throws IOException {
    if (config.jdbcUrl() != null) {
      return EventLogs.postgres(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
    }
    Files.createDirectories(config.dataDirectory());
    return EventLogs.sqlite(config.sqliteFile());
  }

  /**
   * The port the server listens on; with port 0 in the config, the ephemeral port chosen.
   *
   * @return the port
   * @throws IllegalStateException if the server is not started
   */
  public int port() {
    synchronized (lock) {
      if (port < 0) {
        throw new IllegalStateException("the server is not started");
      }
      return port;
    }
  }

  /**
   * The base URI of the server, such as {@code http://127.0.0.1:8787}.
   *
   * @return the URI; the sync routes are under {@code /sync/v1}
   * @throws IllegalStateException if the server is not started
   */
  public URI baseUri() {
    String host = config.host();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port());
  }

  /**
   * The configuration the server was created with.
   *
   * @return the configuration
   */
  public ServerConfig config() {
    return config;
  }

  /**
   * The event log of a started server, for tests and tools that read it directly.
   *
   * @return the event log; closed with the server
   * @throws IllegalStateException if the server is not started
   */
  public EventLog eventLog() {
    synchronized (lock) {
      if (log == null) {
        throw new IllegalStateException("the server is not started");
      }
      return log;
    }
  }

  /** How many long polls and live streams are waiting now; for tests. */
  int waitingRequests() {
    synchronized (lock) {
      return handlers == null ? 0 : handlers.waitingRequests();
    }
  }

  /** Ends long polls and live streams, stops listening and closes the event log. Idempotent. */
  @Override
  public void close() {
    SyncHandlers h;
    Javalin a;
    EventLog l;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      h = handlers;
      a = app;
      l = log;
    }
    if (h != null) {
      h.shutdown();
    }
    try {
      if (a != null) {
        a.stop();
      }
    } finally {
      if (l != null) {
        l.close();
      }
    }
    LOG.info("FileSync server stopped");
  }
}
