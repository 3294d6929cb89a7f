package dev.filesync.server;

import dev.filesync.server.internal.GatewayBackend;
import dev.filesync.server.internal.GatewaySignature;
import dev.filesync.server.internal.HttpErrors;
import dev.filesync.server.internal.Metrics;
import dev.filesync.server.internal.S3SignerBackend;
import dev.filesync.server.internal.StorageBackend;
import dev.filesync.server.internal.StorageHandlers;
import dev.filesync.server.internal.SyncHandlers;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FileSync server: the sync API of {@code docs/sync-protocol.md} over an {@link EventLog}, and
 * the storage API of {@code docs/storage-server.md} (a signer for the JS client, and in gateway
 * mode the data plane that serves its URLs) over a {@link BlobStore} or an S3-compatible service.
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
 * <p>Instances are thread-safe. {@link #start()} opens the event log and the storage backend and
 * starts listening; {@link #close()} ends long polls and live streams, stops Jetty (whose threads
 * are not daemon threads, so always close a started server) and closes the event log and the
 * storage backend (its blob store or S3 client). A closed server cannot be started again: create a
 * new one from the same {@link ServerConfig} (same port, same data) to restart.
 */
public final class FileSyncServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FileSyncServer.class);

  private static final String STARTED_AT = "filesync.startedAt";

  private final ServerConfig config;
  private final Object lock = new Object();
  private final Metrics metrics = new Metrics();
  private BlobStore blobStoreOverride;
  private Clock clock = Clock.systemUTC();
  private EventLog log;
  private StorageBackend storage;
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
   * Tests: serve gateway mode from this blob store instead of the configured one (it is closed with
   * the server).
   */
  FileSyncServer withBlobStore(BlobStore store) {
    synchronized (lock) {
      this.blobStoreOverride = store;
    }
    return this;
  }

  /** Tests: the clock signed URLs expire by. */
  FileSyncServer withClock(Clock clock) {
    synchronized (lock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }
    return this;
  }

  /**
   * Opens the event log (when the sync service is enabled) and the storage backend (when the
   * storage service is enabled), and starts listening.
   *
   * @return this server
   * @throws IllegalStateException if no token (nor authenticator) is configured and {@link
   *     ServerConfig#devMode()} is off, or if the server was already started or closed
   * @throws IOException if the event log or the blob store cannot be opened, the gateway secret
   *     file cannot be read or created, or the address cannot be bound
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
      EventLog opened = null;
      StorageBackend backend = null;
      try {
        if (config.enableSync()) {
          opened = openEventLog();
        }
        if (config.enableStorage()) {
          backend = openStorage();
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly(opened, backend);
        closed = true;
        throw e;
      }
      SyncHandlers h =
          opened == null
              ? null
              : new SyncHandlers(
                  opened,
                  config.effectiveAuthenticator(),
                  new SyncHandlers.Limits(
                      config.maxBodyBytes(),
                      config.maxBatch(),
                      config.maxPage(),
                      config.longPollMax(),
                      config.ssePingInterval()));
      StorageHandlers sh =
          backend == null
              ? null
              : new StorageHandlers(
                  backend,
                  config.effectiveAuthenticator(),
                  new StorageHandlers.Settings(
                      config.signerBasePath(),
                      config.filesBasePath(),
                      config.maxObjectBytes(),
                      config.maxSignerBodyBytes(),
                      config.urlTtl().compareTo(config.maxUrlTtl()) > 0
                          ? config.maxUrlTtl()
                          : config.urlTtl(),
                      config.maxUrlTtl(),
                      config.corsOrigins()));
      Javalin created;
      try {
        created =
            Javalin.create(
                c -> {
                  c.startup.showJavalinBanner = false;
                  c.startup.showOldJavalinVersionWarning = false;
                  c.concurrency.useVirtualThreads = true;
                  c.http.prefer405over404 = true;
                  // Applies only to bodies read through ctx.body*(): the sync routes. The storage
                  // routes stream from the servlet input stream and enforce their own limits.
                  c.http.maxRequestSize = config.maxBodyBytes();
                  c.jetty.host = config.host();
                  c.jetty.port = config.port();
                  registerMetrics(c.routes);
                  HttpErrors.register(c.routes);
                  if (h != null) {
                    h.register(c.routes);
                  } else {
                    // keep the liveness probe when only storage runs
                    c.routes.get(
                        "/health",
                        ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
                  }
                  if (sh != null) {
                    sh.register(c.routes);
                  }
                });
        created.start();
      } catch (RuntimeException e) {
        closeQuietly(opened, backend);
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
      this.storage = backend;
      this.handlers = h;
      this.app = created;
      this.port = created.port();
      LOG.info(
          "FileSync server listening on {} (sync log: {}, storage: {})",
          baseUri(),
          opened == null ? "off" : opened,
          backend == null ? "off" : backend);
      return this;
    }
  }

  private static void closeQuietly(EventLog opened, StorageBackend backend) {
    if (opened != null) {
      opened.close();
    }
    if (backend != null) {
      try {
        backend.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("closing the storage backend failed", e);
      }
    }
  }

  /**
   * Builds the storage backend of the configuration: gateway mode over {@code
   * BlobStores.s3(config.s3())} when S3 is configured, else over {@code
   * BlobStores.filesystem(config.blobDirectory())}; signer mode over S3 presigning.
   */
  private StorageBackend openStorage() throws IOException {
    if (config.storageMode() == StorageMode.SIGNER) {
      return S3SignerBackend.create(config.s3());
    }
    GatewaySignature signature = new GatewaySignature(gatewaySecret(), clock);
    BlobStore store;
    if (blobStoreOverride != null) {
      store = blobStoreOverride;
    } else if (config.s3() != null) {
      store = BlobStores.s3(config.s3());
    } else {
      store = BlobStores.filesystem(config.blobDirectory());
    }
    return new GatewayBackend(store, signature, config.filesBasePath(), config.publicBaseUrl());
  }

  /**
   * The configured gateway secret, or the one kept in {@code <dataDirectory>/gateway.secret}
   * (created at random, owner read/write only, the first time).
   */
  private String gatewaySecret() throws IOException {
    if (config.gatewaySecret() != null) {
      return config.gatewaySecret();
    }
    Path file = config.dataDirectory().resolve("gateway.secret");
    Files.createDirectories(config.dataDirectory());
    if (!Files.exists(file)) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path tmp = file.resolveSibling("gateway.secret." + Long.toHexString(System.nanoTime()));
      boolean posix = tmp.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (posix) {
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(tmp);
      }
      try {
        Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE);
        try {
          Files.createLink(file, tmp); // fails if another process created it first
        } catch (FileAlreadyExistsException e) {
          LOG.debug("gateway secret created concurrently");
        } catch (UnsupportedOperationException e) {
          Files.move(tmp, file);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (secret.length() < 32) {
      throw new IOException(file + " holds a secret shorter than 32 characters");
    }
    return secret;
  }

  private void registerMetrics(RoutesConfig routes) {
    routes.before(ctx -> ctx.attribute(STARTED_AT, System.nanoTime()));
    routes.after(this::recordMetrics);
    if (config.enableMetrics()) {
      routes.get(
          "/metrics",
          ctx ->
              ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render()));
    }
  }

  private void recordMetrics(Context ctx) {
    Long started = ctx.attribute(STARTED_AT);
    long nanos = started == null ? 0 : System.nanoTime() - started;
    Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
    String route = endpoint == null ? "unmatched" : endpoint.path;
    Long in = ctx.attribute(StorageHandlers.IN_BYTES);
    long inBytes = in != null ? in : Math.max(0, ctx.req().getContentLengthLong());
    Long out = ctx.attribute(StorageHandlers.OUT_BYTES);
    long outBytes = 0;
    if (out != null) {
      outBytes = out;
    } else {
      InputStream result = ctx.resultInputStream();
      try {
        outBytes = result == null ? 0 : result.available();
      } catch (IOException e) {
        outBytes = 0;
      }
    }
    metrics.record(route, ctx.method().name(), ctx.status().getCode(), inBytes, outBytes, nanos);
  }

  /**
   * The HTTP metrics, as served on {@code /metrics}; for tests and embedding.
   *
   * @return the metrics
   */
  Metrics metrics() {
    return metrics;
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
   * @throws IllegalStateException if the server is not started or runs without the sync service
   */
  public EventLog eventLog() {
    synchronized (lock) {
      if (log == null) {
        throw new IllegalStateException(
            port < 0 ? "the server is not started" : "the sync service is not enabled");
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

  /**
   * Ends long polls and live streams, stops listening, and closes the event log and the storage
   * backend. Idempotent.
   */
  @Override
  public void close() {
    SyncHandlers h;
    Javalin a;
    EventLog l;
    StorageBackend st;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      h = handlers;
      a = app;
      l = log;
      st = storage;
    }
    if (a != null) {
      // Stop accepting first: a client that retries a request cut by the shutdown (the JDK client
      // retries a GET once) must be refused, not accepted by a connector that is about to stop and
      // then left without an answer.
      for (Connector connector : a.jettyServer().server().getConnectors()) {
        if (connector instanceof org.eclipse.jetty.server.NetworkConnector n) {
          n.close();
        }
      }
    }
    if (h != null) {
      h.shutdown();
    }
    try {
      if (a != null) {
        a.stop();
      }
    } finally {
      closeQuietly(l, st);
    }
    LOG.info("FileSync server stopped");
  }
}
