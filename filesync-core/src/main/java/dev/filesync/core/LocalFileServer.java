package dev.filesync.core;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * An HTTP server inside the application that serves the files of one {@link FileSync} to embedded
 * web views and local tools: {@code GET}/{@code HEAD /files/<fileId>} (and {@code
 * /files/<fileId>/thumbnails/<size>} with a {@link ThumbnailSource}). It is the analogue of the
 * reference's service worker: a page can use {@code <img src="…">} for any file id, whether its
 * bytes are already on this device or still only in remote storage.
 *
 * {@snippet :
 * try (FileSync files = FileSync.builder(store, dataDir).remote(remote).start();
 *     LocalFileServer server = LocalFileServer.builder(files).start()) {
 *   String id = files.save(Path.of("photo.jpg"));
 *   URI src = server.url(id); // http://127.0.0.1:54321/files/<id>?token=…
 *   webView.load("<img src=\"" + src + "\">");
 * }
 * }
 *
 * <p>What it does, in short (the whole contract is in {@code docs/local-endpoint.md}):
 *
 * <ul>
 *   <li>It listens on a loopback address only ({@code 127.0.0.1} by default, on a free port) and
 *       answers only requests whose {@code Host} is a loopback name, so that a web page elsewhere
 *       cannot reach it through DNS rebinding.
 *   <li>Every request carries the {@linkplain #token() token}, as {@code Authorization: Bearer} or
 *       as the {@code token} query parameter that {@link #url} adds; it is compared in constant
 *       time. Missing: 401; wrong: 403.
 *   <li>A file on this device is streamed from its local copy with {@code Content-Type} from its
 *       metadata, a strong {@code ETag} (its SHA-256), {@code Cache-Control: private, no-cache},
 *       single byte ranges, {@code If-None-Match} and {@code If-Range}. A whole-file response is
 *       hashed while it streams; its last bytes are held back until the hash matched.
 *   <li>A file not on this device yet but uploaded is streamed from remote storage while it is
 *       written to a temp file and hashed; when it is complete and verified it becomes the local
 *       copy and the engine records the download as done. A mismatch or a cut keeps nothing and the
 *       client gets a truncated response.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; requests run on virtual threads. {@link #close()}
 * stops listening, drops open connections, ends request threads and releases the HTTP client used
 * for remote reads. It does not close the {@link FileSync}.
 */
public final class LocalFileServer implements AutoCloseable {
  /** File ids and thumbnail size names the endpoint can address. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,256}");

  static final Pattern SIZE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * The JDK server's switch for {@code TCP_NODELAY}, JVM-wide, read when its first server starts.
   */
  static final String NODELAY = "sun.net.httpserver.nodelay";

  static {
    // Without TCP_NODELAY the JDK server sends a body that does not fit beside the headers (over
    // about 8 KiB, most thumbnails) as a second write, which Nagle's algorithm holds until the
    // client's delayed ACK: 40 ms per response, 45 requests/s (bin/bench endpoint). An
    // application's own setting wins.
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  private final FileSync files;
  private final String token;
  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient http;
  private final URI baseUri;

  private LocalFileServer(Builder b) throws IOException {
    this.files = b.files;
    this.token = b.token != null ? b.token : ProcessToken.VALUE;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    HttpServer s = null;
    try {
      s = HttpServer.create(new InetSocketAddress(b.address, b.port), 0);
      s.setExecutor(executor);
      s.createContext(
          "/",
          new LocalFileHandler(
              files, token, b.thumbnails, b.thumbnailType, Set.copyOf(b.origins), http));
      s.start();
    } catch (IOException | RuntimeException e) {
      if (s != null) {
        s.stop(0);
      }
      executor.shutdownNow();
      http.shutdownNow();
      throw e;
    }
    this.server = s;
    String host = b.address instanceof Inet6Address ? "[::1]" : b.address.getHostAddress();
    this.baseUri = URI.create("http://" + host + ":" + s.getAddress().getPort() + "/");
  }

  /** A builder of a server for {@code files}. */
  public static Builder builder(FileSync files) {
    return new Builder(files);
  }

  /** Where the server listens, e.g. {@code http://127.0.0.1:54321/}. */
  public URI baseUri() {
    return baseUri;
  }

  /**
   * The token every request must carry. Treat it like a password: whoever has it can read every
   * file of this store while the server runs.
   */
  public String token() {
    return token;
  }

  /**
   * The absolute URL of {@code fileId}, with the token as its {@code token} query parameter, for
   * places that cannot send headers ({@code <img src>}, {@code <video src>}). It is a URL whatever
   * the state of the file; {@link #resolve} says whether the file can be served now.
   *
   * @throws IllegalArgumentException when {@code fileId} cannot be addressed ({@code
   *     [A-Za-z0-9._~-]}, 1 to 256 characters, not {@code .} or {@code ..}; the ids FileSync makes
   *     are UUIDs)
   */
  public URI url(String fileId) {
    return baseUri.resolve("files/" + checkId(fileId) + "?token=" + token);
  }

  /**
   * The absolute URL of the thumbnail of {@code fileId} at {@code size}, with the token. Append
   * {@code &fallback=1} to get the original file when there is no such thumbnail.
   *
   * @throws IllegalArgumentException when the id or the size cannot be addressed (size: {@code
   *     [A-Za-z0-9._-]}, 1 to 64 characters)
   */
  public URI thumbnailUrl(String fileId, String size) {
    Objects.requireNonNull(size, "size");
    if (!SIZE.matcher(size).matches() || size.equals(".") || size.equals("..")) {
      throw new IllegalArgumentException("not a thumbnail size name: " + size);
    }
    return baseUri.resolve("files/" + checkId(fileId) + "/thumbnails/" + size + "?token=" + token);
  }

  /**
   * The URL of {@code fileId} when this server can serve it now: its bytes are on this device, or
   * they are uploaded and FileSync has remote storage (the server then streams them from there).
   * Else empty: the file is unknown, deleted, or not uploaded yet. Like {@link FileSync#resolve},
   * it moves a download not yet done to the front.
   *
   * @throws IllegalArgumentException when {@code fileId} cannot be addressed (see {@link #url})
   */
  public Optional<URI> resolve(String fileId) {
    URI url = url(fileId);
    DisplayState state = files.displayState(fileId);
    if (state.hasLocalCopy()) {
      return Optional.of(url);
    }
    files.prioritize(fileId);
    if (state.uploaded() && files.config().remote().isPresent()) {
      return Optional.of(url);
    }
    return Optional.empty();
  }

  /** Stops the server (see the class comment). Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    http.shutdownNow();
  }

  /** The base URI; never the token. */
  @Override
  public String toString() {
    return "LocalFileServer[" + baseUri + "]";
  }

  private static String checkId(String fileId) {
    Objects.requireNonNull(fileId, "fileId");
    if (!validSegment(fileId, ID)) {
      throw new IllegalArgumentException("not a file id the local endpoint can address: " + fileId);
    }
    return fileId;
  }

  static boolean validSegment(String s, Pattern p) {
    return p.matcher(s).matches() && !s.equals(".") && !s.equals("..");
  }

  /** The default token: 32 random bytes, base64url, made once per process. */
  private static final class ProcessToken {
    static final String VALUE = newToken();
  }

  static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A builder of {@link LocalFileServer}; setters check their argument at once. */
  public static final class Builder {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{16,512}");
    private static final Pattern ORIGIN =
        Pattern.compile("[a-z][a-z0-9+.-]*://[a-z0-9.\\-\\[\\]:]+", Pattern.CASE_INSENSITIVE);

    private final FileSync files;
    private int port;
    private InetAddress address = loopbackV4();
    private String token;
    private ThumbnailSource thumbnails;
    private String thumbnailType;
    private final Set<String> origins = new LinkedHashSet<>();

    private Builder(FileSync files) {
      this.files = Objects.requireNonNull(files, "files");
    }

    /** The port, 0 (the default) for a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The address to listen on: a loopback address ({@code 127.0.0.1}, the default, any of {@code
     * 127.0.0.0/8}, or {@code ::1}).
     *
     * @throws IllegalArgumentException for any other address: the endpoint is for this machine
     */
    public Builder bindAddress(InetAddress address) {
      Objects.requireNonNull(address, "address");
      if (!address.isLoopbackAddress()) {
        throw new IllegalArgumentException(
            "the local endpoint listens on loopback addresses only: " + address.getHostAddress());
      }
      this.address = address;
      return this;
    }

    /**
     * The token requests must carry, 16 to 512 characters of {@code [A-Za-z0-9._~-]} (so that it
     * goes into a URL as it is). The default is 32 random bytes in base64url, made once per process
     * (so servers restarted in one process on a fixed port keep their URLs working).
     */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (!TOKEN.matcher(token).matches()) {
        // the value is not echoed: it is a secret
        throw new IllegalArgumentException(
            "token must be 16 to 512 characters of [A-Za-z0-9._~-], got "
                + token.length()
                + " characters");
      }
      this.token = token;
      return this;
    }

    /**
     * Serves {@code /files/<id>/thumbnails/<size>} from {@code source}, whose files are all of
     * {@code mediaType} (e.g. {@code image/webp}).
     */
    public Builder thumbnails(ThumbnailSource source, String mediaType) {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(mediaType, "mediaType");
      if (!LocalFileHandler.validMediaType(mediaType)) {
        throw new IllegalArgumentException("not a media type: " + mediaType);
      }
      this.thumbnails = source;
      this.thumbnailType = mediaType;
      return this;
    }

    /**
     * Origins whose pages may read responses across origins (CORS), e.g. {@code
     * http://localhost:5173} for a development server. None by default: a web view that loads the
     * files' URLs into {@code <img>} or {@code <video>} needs no CORS. {@code *} and {@code null}
     * are refused: any page could then read the files once it has a URL.
     */
    public Builder allowedOrigins(Collection<String> origins) {
      Set<String> checked = new LinkedHashSet<>();
      for (String o : origins) {
        Objects.requireNonNull(o, "origin");
        if (!ORIGIN.matcher(o).matches()) {
          throw new IllegalArgumentException(
              "not an origin (scheme://host[:port], no path, not * or null): " + o);
        }
        checked.add(o.toLowerCase(Locale.ROOT));
      }
      this.origins.clear();
      this.origins.addAll(checked);
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IOException when the address cannot be bound (the port is taken, say)
     */
    public LocalFileServer start() throws IOException {
      return new LocalFileServer(this);
    }

    private static InetAddress loopbackV4() {
      try {
        return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e); // a 4-byte address is always accepted
      }
    }
  }
}
