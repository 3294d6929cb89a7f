package dev.filesync.examples.gallery;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.filesync.core.DisplayState;
import dev.filesync.core.LocalFileServer;
import dev.filesync.image.ThumbnailState;
import dev.filesync.image.ThumbnailStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gallery's HTTP handler: {@code GET /} is the page ({@code gallery.html}), {@code GET
 * /api/files} the JSON it polls. Like the file endpoint it answers only requests to a loopback host
 * name (a web page elsewhere cannot reach it through DNS rebinding) that carry the token, as {@code
 * Authorization: Bearer} or as the {@code token} query parameter (missing: 401, wrong: 403).
 */
final class GalleryHandler implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GalleryApp app;
  private final byte[] tokenDigest;
  private final byte[] page;
  private final String contentSecurityPolicy;

  GalleryHandler(GalleryApp app, String token) {
    this.app = app;
    this.tokenDigest = sha256(token.getBytes(UTF_8));
    this.page = readPage();
    // The page shows names that other devices chose: its script writes them as text, never as
    // HTML, and this policy runs only the page's own script (by its hash) and loads images and
    // JSON only from here and from the file endpoint.
    URI endpoint = app.endpoint().baseUri();
    String files = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
    this.contentSecurityPolicy =
        "default-src 'none'; script-src "
            + inlineHash(page, "script")
            + "; style-src "
            + inlineHash(page, "style")
            + "; img-src data: "
            + files
            + "; connect-src 'self' "
            + files
            + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Headers out = ex.getResponseHeaders();
      out.set("Cache-Control", "no-store");
      out.set("X-Content-Type-Options", "nosniff");
      out.set("Referrer-Policy", "no-referrer"); // the page's URL holds the token
      if (!loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
        ex.sendResponseHeaders(403, -1);
        return;
      }
      int auth = authenticate(ex);
      if (auth != 0) {
        if (auth == 401) {
          out.set("WWW-Authenticate", "Bearer");
        }
        ex.sendResponseHeaders(auth, -1);
        return;
      }
      if (!ex.getRequestMethod().equals("GET")) {
        out.set("Allow", "GET");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      switch (ex.getRequestURI().getPath()) {
        case "/" -> {
          out.set("Content-Type", "text/html; charset=utf-8");
          out.set("Content-Security-Policy", contentSecurityPolicy);
          send(ex, page);
        }
        case "/api/files" -> {
          out.set("Content-Type", "application/json");
          send(ex, JSON.writeValueAsBytes(listing()));
        }
        default -> ex.sendResponseHeaders(404, -1);
      }
    }
  }

  /** What the page shows, read from the store on each request. */
  Listing listing() {
    LocalFileServer endpoint = app.endpoint();
    // One query for every thumbnail state, rather than one per file.
    Map<String, ThumbnailState> thumbnails = new HashMap<>();
    for (ThumbnailState s : app.thumbnails().states()) {
      thumbnails.put(s.fileId(), s);
    }
    List<Photo> photos = new ArrayList<>();
    List<Other> others = new ArrayList<>();
    for (GalleryItem item : GalleryItem.list(app)) {
      ThumbnailState t = thumbnails.get(item.id());
      // A state made for older bytes of an updated file says nothing about the current ones.
      boolean current = t != null && t.contentHash().equals(item.contentHash());
      // Thumbnails sniff the bytes: that also recognizes images saved without a media type.
      boolean image = item.isImage() || (current && t.mimeType().startsWith("image/"));
      URI href = endpoint.url(item.id());
      if (!image) {
        others.add(new Other(item.id(), item.name(), item.mimeType(), item.sizeBytes(), href));
        continue;
      }
      ThumbnailState.Size size = current ? t.sizes().get(GalleryApp.THUMBNAIL_SIZE) : null;
      boolean thumbnailReady = size != null && size.status() == ThumbnailStatus.DONE;
      // canDisplay: the bytes are here, or uploaded (the endpoint then streams them from remote
      // storage). A file another device has not uploaded yet cannot be shown anywhere but there.
      DisplayState display = app.files().displayState(item.id());
      // &fallback=1: the original when there is no thumbnail (not made yet, or never: SVG).
      // &v=: ignored by the endpoint; it changes with the bytes and when the thumbnail arrives, so
      // the browser never reuses an image it cached under the same URL for other bytes.
      String src =
          endpoint.thumbnailUrl(item.id(), GalleryApp.THUMBNAIL_SIZE)
              + "&fallback=1&v="
              + item.contentHash().substring(0, Math.min(12, item.contentHash().length()))
              + (thumbnailReady ? ".t" : ".o");
      photos.add(
          new Photo(
              item.id(),
              item.name(),
              item.mimeType(),
              item.sizeBytes(),
              item.width(),
              item.height(),
              display.canDisplay(),
              display.hasLocalCopy(),
              thumbnailReady,
              src,
              href));
    }
    return new Listing(app.options().storeId(), endpoint.baseUri(), photos, others);
  }

  /**
   * The JSON of {@code /api/files}.
   *
   * @param store the store id
   * @param endpoint the file endpoint's base URL (the page checks that it refuses a request without
   *     the token)
   * @param photos the images
   * @param others the other files
   */
  record Listing(String store, URI endpoint, List<Photo> photos, List<Other> others) {}

  /**
   * An image of the listing.
   *
   * @param available whether it can be shown now
   * @param local whether its bytes are on this device
   * @param thumbnail whether its thumbnail is made ({@code src} then serves it)
   * @param src the thumbnail URL, with the token and {@code fallback=1}
   * @param href the full file's URL, with the token
   */
  record Photo(
      String id,
      String name,
      String mimeType,
      long sizeBytes,
      Integer width,
      Integer height,
      boolean available,
      boolean local,
      boolean thumbnail,
      String src,
      URI href) {}

  /** A file that is not an image: listed by name, never put in an {@code <img>}. */
  record Other(String id, String name, String mimeType, long sizeBytes, URI href) {}

  /** 0 when the request carries the token, else 401 (none) or 403 (another). */
  private int authenticate(HttpExchange ex) {
    String presented = null;
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null) {
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return 401;
      }
      presented = header.substring(7).trim();
    } else {
      String query = ex.getRequestURI().getRawQuery();
      if (query != null) {
        for (String part : query.split("&")) {
          if (part.startsWith("token=")) {
            presented = part.substring("token=".length());
          }
        }
      }
    }
    if (presented == null || presented.isEmpty()) {
      return 401;
    }
    // Digests of equal length, compared in constant time: the timing tells nothing of the token.
    return MessageDigest.isEqual(tokenDigest, sha256(presented.getBytes(UTF_8))) ? 0 : 403;
  }

  /** Whether a Host header names this machine: localhost, 127.x.x.x or [::1], with any port. */
  static boolean loopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return h.startsWith("[::1]");
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.equals("localhost") || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static void send(HttpExchange ex, byte[] body) throws IOException {
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  private static byte[] readPage() {
    try (InputStream in = GalleryHandler.class.getResourceAsStream("gallery.html")) {
      if (in == null) {
        throw new IllegalStateException("gallery.html is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CSP source of the page's one inline {@code <tag>} element: {@code 'sha256-…'}. */
  static String inlineHash(byte[] page, String tag) {
    String html = new String(page, UTF_8);
    int open = html.indexOf("<" + tag + ">");
    int close = html.indexOf("</" + tag + ">", open);
    if (open < 0 || close < 0) {
      throw new IllegalStateException("gallery.html has no <" + tag + "> element");
    }
    String body = html.substring(open + tag.length() + 2, close);
    return "'sha256-" + Base64.getEncoder().encodeToString(sha256(body.getBytes(UTF_8))) + "'";
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
