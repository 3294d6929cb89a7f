package dev.filesync.examples.gallery;

import com.sun.net.httpserver.HttpServer;
import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncConfig;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.core.LocalFileServer;
import dev.filesync.core.RemoteStorage;
import dev.filesync.core.RemoteStorages;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImagePreprocessor;
import dev.filesync.image.ThumbnailConfig;
import dev.filesync.image.ThumbnailSchema;
import dev.filesync.image.Thumbnails;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.StoreSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A photo gallery of one device, built on FileSync's public API only. It is an example to copy: it
 * shows every piece an application wires together, in the order they depend on each other.
 *
 * <ol>
 *   <li>a {@link Store} whose schema holds FileSync's tables and the thumbnail tables (an
 *       application adds its own tables to the same schema), synced through a server or local-only;
 *   <li>{@link FileSync} over the store, with remote storage when there is a server, and an {@link
 *       ImagePreprocessor} that bounds the images this device saves;
 *   <li>{@link Thumbnails}, which makes a 256-pixel thumbnail of every image once its bytes are
 *       here;
 *   <li>a {@link LocalFileServer}, the loopback endpoint that serves files and thumbnails to web
 *       pages with a per-process token, with the thumbnails plugged in as its {@code
 *       ThumbnailSource};
 *   <li>the gallery's own loopback HTTP server ({@link GalleryHandler}): one HTML page and a JSON
 *       list of the files, which the page polls every second.
 * </ol>
 *
 * {@snippet :
 * try (GalleryApp app = GalleryApp.start(Options.parse("--data", "photos", "--store", "me"))) {
 *   app.importDirectory(Path.of("Pictures"));
 *   System.out.println(app.url()); // open it in a browser
 * }
 * }
 *
 * <p>{@link #close()} releases everything in the reverse order: the two HTTP servers, the
 * thumbnails, FileSync, the remote storage client, then the store (which closes its sync client).
 */
public final class GalleryApp implements AutoCloseable {
  /** The one thumbnail size the page shows. */
  static final String THUMBNAIL_SIZE = "medium";

  /** Its largest width or height, in pixels. */
  static final int THUMBNAIL_PIXELS = 256;

  /**
   * The store's schema: FileSync's tables ({@code files}, {@code localFileState}, the cursor) and
   * the thumbnail tables. An application registers its own tables and events on the same builder.
   */
  static final StoreSchema SCHEMA =
      ThumbnailSchema.addTo(FileSyncSchema.addTo(StoreSchema.builder())).build();

  private final Options options;
  private final Store store;
  private final RemoteStorage remote; // null when local-only
  private final FileSync files;
  private final Thumbnails thumbnails;
  private final LocalFileServer endpoint;
  private final HttpServer http;
  private final ExecutorService httpThreads;
  private final URI url;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  private GalleryApp(
      Options options,
      Store store,
      RemoteStorage remote,
      FileSync files,
      Thumbnails thumbnails,
      LocalFileServer endpoint,
      HttpServer http,
      ExecutorService httpThreads) {
    this.options = options;
    this.store = store;
    this.remote = remote;
    this.files = files;
    this.thumbnails = thumbnails;
    this.endpoint = endpoint;
    this.http = http;
    this.httpThreads = httpThreads;
    // The gallery page takes the endpoint's token too: one secret per process, never persisted.
    this.url =
        URI.create(
            "http://127.0.0.1:" + http.getAddress().getPort() + "/?token=" + endpoint.token());
  }

  /**
   * Opens the store and FileSync on {@code options.data()}, starts thumbnails, the file endpoint
   * and the gallery page, and imports {@code options.importDirectory()} if given.
   *
   * @throws IOException when the store cannot be opened or a port cannot be bound; whatever was
   *     already open is closed again
   */
  public static GalleryApp start(Options options) throws IOException {
    // Everything opened so far, closed in reverse order if a later step fails.
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      // 1. The store. With a server, its sync client pushes this device's events and pulls the
      //    others'; without one, the store is local-only and every event is final at once.
      StoreConfig.Builder storeConfig =
          StoreConfig.builder(options.data(), options.storeId(), SCHEMA);
      options
          .server()
          .ifPresent(
              server ->
                  storeConfig.syncBackend(
                      HttpSyncBackend.builder(server)
                          .token(options.token().orElseThrow())
                          .build()));
      Store store = Store.open(storeConfig.build());
      opened.add(store);

      // 2. FileSync. The remote storage client speaks the server's signer API under /api; it
      //    asks for the token on every request, so a real app can hand out a refreshed one.
      FileSyncConfig.Builder fileConfig =
          FileSync.builder(store, options.data())
              // Images saved on this device are bounded to 2048 px and keep their format; the
              // metadata then carries their width and height for every device to see.
              .preprocessor(
                  "image/*",
                  ImagePreprocessor.builder().maxDimension(2048).format(ImageFormat.KEEP).build());
      RemoteStorage remote = null;
      if (options.server().isPresent()) {
        remote =
            RemoteStorages.signer(
                options.server().get().resolve("/api"), () -> options.token().orElseThrow());
        opened.add(remote);
        fileConfig.remote(remote);
      }
      FileSync files = fileConfig.start();
      opened.add(files);

      // 3. Thumbnails: one size, made in the background by the process that runs the engine.
      Thumbnails thumbnails =
          ThumbnailConfig.builder(files).sizes(Map.of(THUMBNAIL_SIZE, THUMBNAIL_PIXELS)).start();
      opened.add(thumbnails);

      // 4. The gallery's own server is bound first: its origin (with the port) must be known to
      //    the file endpoint, which lets that origin's script read its answers (CORS).
      HttpServer http =
          HttpServer.create(
              new InetSocketAddress(
                  InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), options.port()),
              0);
      opened.add(() -> http.stop(0));
      int port = http.getAddress().getPort();

      // 5. The file endpoint: /files/<id> and /files/<id>/thumbnails/<size>. The thumbnail source
      //    returns a thumbnail's path once it is made (sizes Thumbnails does not know are "no
      //    thumbnail", a 404); until then the page asks with &fallback=1 and gets the original.
      LocalFileServer endpoint =
          LocalFileServer.builder(files)
              .thumbnails(thumbnails.source(), thumbnails.config().format().mimeType())
              .allowedOrigins(List.of("http://127.0.0.1:" + port, "http://localhost:" + port))
              .start();
      opened.add(endpoint);

      // 6. The page and its JSON, on virtual threads like the endpoint.
      ExecutorService httpThreads = Executors.newVirtualThreadPerTaskExecutor();
      opened.add(httpThreads::shutdownNow);
      http.setExecutor(httpThreads);
      GalleryApp app =
          new GalleryApp(options, store, remote, files, thumbnails, endpoint, http, httpThreads);
      http.createContext("/", new GalleryHandler(app, endpoint.token()));
      http.start();

      if (options.importDirectory().isPresent()) {
        app.importDirectory(options.importDirectory().get());
      }
      return app;
    } catch (IOException | RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  /** The gallery page's URL, with the token: open it in a browser on this machine. */
  public URI url() {
    return url;
  }

  /**
   * Saves the images found directly in {@code directory} (by file extension), in name order, and
   * returns their new ids. Files whose name the gallery already shows are skipped, so importing the
   * same directory twice adds nothing.
   */
  public List<String> importDirectory(Path directory) throws IOException {
    Set<String> known = new HashSet<>();
    for (GalleryItem item : GalleryItem.list(this)) {
      known.add(item.name());
    }
    List<Path> candidates;
    try (Stream<Path> s = Files.list(directory)) {
      candidates = s.filter(Files::isRegularFile).sorted().toList();
    }
    List<String> ids = new ArrayList<>();
    for (Path file : candidates) {
      String name = file.getFileName().toString();
      Optional<String> mime = imageType(name);
      if (mime.isEmpty() || known.contains(name)) {
        continue;
      }
      // The media type is given explicitly: Files.probeContentType depends on the platform.
      // FileSync streams the bytes through the preprocessor into its content store and commits the
      // row; the upload happens in the background.
      try (InputStream in = Files.newInputStream(file)) {
        ids.add(files.save(in, name, mime.get()));
      }
      known.add(name);
    }
    return ids;
  }

  /** The media type of an image file name the gallery imports. */
  static Optional<String> imageType(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    String ext = dot < 0 ? "" : n.substring(dot + 1);
    return Optional.ofNullable(
        switch (ext) {
          case "jpg", "jpeg" -> "image/jpeg";
          case "png" -> "image/png";
          case "gif" -> "image/gif";
          case "webp" -> "image/webp";
          case "bmp" -> "image/bmp";
          case "tif", "tiff" -> "image/tiff";
          case "svg" -> "image/svg+xml";
          default -> null;
        });
  }

  Options options() {
    return options;
  }

  Store store() {
    return store;
  }

  FileSync files() {
    return files;
  }

  Thumbnails thumbnails() {
    return thumbnails;
  }

  LocalFileServer endpoint() {
    return endpoint;
  }

  /** Blocks until {@link #close()} ran (from a shutdown hook, say). */
  void awaitClose() throws InterruptedException {
    closed.await();
  }

  /**
   * Stops the servers first (no request may reach a closed FileSync), then thumbnails, FileSync,
   * the remote storage client and the store. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    List<AutoCloseable> all = new ArrayList<>();
    all.add(store);
    if (remote != null) {
      all.add(remote);
    }
    all.add(files);
    all.add(thumbnails);
    all.add(endpoint);
    all.add(httpThreads::shutdownNow);
    all.add(() -> http.stop(0));
    try {
      closeAll(all, null);
    } finally {
      closed.countDown();
    }
  }

  /** Closes {@code resources} last to first; failures are added to {@code failure} or rethrown. */
  private static void closeAll(List<AutoCloseable> resources, Exception failure) {
    RuntimeException first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (failure != null) {
          failure.addSuppressed(e);
        } else if (first == null) {
          first =
              e instanceof IOException io
                  ? new UncheckedIOException(io)
                  : new IllegalStateException("close failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * {@code --data DIR --store ID [--server URL --token T] [--port N] [--import DIR]}: prints the
   * gallery's URL and runs until Ctrl-C.
   */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      PrintStream err = System.err;
      err.println("gallery: " + e.getMessage());
      err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    GalleryApp app = start(options);
    // Ctrl-C (SIGINT) and SIGTERM run shutdown hooks: close in order so that the store's last
    // commits are on disk and the writer lock is released for the next process.
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "gallery-shutdown"));
    System.out.println(
        "FileSync gallery of store '"
            + options.storeId()
            + "' ("
            + options.server().map(s -> "synced with " + s).orElse("local-only")
            + ")");
    System.out.println("open " + app.url());
    System.out.println("Ctrl-C to stop");
    app.awaitClose();
  }
}
