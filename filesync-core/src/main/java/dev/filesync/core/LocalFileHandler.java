package dev.filesync.core;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.filesync.core.internal.Rows.FileRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request handler of {@link LocalFileServer}; runs on a virtual thread per request. Answers are
 * decided in this order: Host (403), CORS preflight (204), token (401/403), method (405), path
 * (400/404), then the file. Error answers have no body. See {@code docs/local-endpoint.md}.
 *
 * <p>A response whose headers have gone out and that cannot be completed correctly (the bytes do
 * not hash to the row's content hash, the remote stream was cut, the client went away) is ended by
 * throwing out of {@link #handle} without closing the exchange: the JDK server then drops the
 * connection, so the client sees a truncated body, never a complete wrong one (closing the exchange
 * would end a chunked body properly).
 */
final class LocalFileHandler implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(LocalFileServer.class.getName());
  private static final int BUFFER = 64 * 1024;
  private static final String OCTET_STREAM = "application/octet-stream";

  /** Seconds in {@code Retry-After} when the bytes are not here yet but will come. */
  static final int RETRY_AFTER_SECONDS = 2;

  /** How long remote storage may take to answer with headers. */
  static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(30);

  private static final String TOKEN_CHARS = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
  private static final Pattern MEDIA_TYPE =
      Pattern.compile(
          TOKEN_CHARS
              + "/"
              + TOKEN_CHARS
              + "(\\s*;\\s*"
              + TOKEN_CHARS
              + "=("
              + TOKEN_CHARS
              + "|\"[^\"\\\\\\p{Cntrl}]*\"))*");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");
  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile(
          "127\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){2}");

  private final FileSync files;
  private final byte[] tokenDigest;
  private final ThumbnailSource thumbnails;
  private final String thumbnailType;
  private final Set<String> origins;
  private final HttpClient http;

  LocalFileHandler(
      FileSync files,
      String token,
      ThumbnailSource thumbnails,
      String thumbnailType,
      Set<String> origins,
      HttpClient http) {
    this.files = files;
    this.tokenDigest = sha256(token.getBytes(StandardCharsets.UTF_8));
    this.thumbnails = thumbnails;
    this.thumbnailType = thumbnailType;
    this.origins = origins;
    this.http = http;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      respond(ex);
    } catch (IOException | RuntimeException e) {
      if (ex.getResponseCode() != -1) {
        // Headers went out: drop the connection rather than end the body (see the class comment).
        LOG.log(
            System.Logger.Level.DEBUG,
            "local endpoint: {0} {1} ended early: {2}",
            ex.getRequestMethod(),
            ex.getRequestURI().getRawPath(), // the path only: the query holds the token
            e.toString());
        throw e;
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "local endpoint: " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath(),
          e);
      Headers out = ex.getResponseHeaders();
      for (String h : List.of("Content-Type", "ETag", "Content-Range", "Accept-Ranges")) {
        out.remove(h); // set for a file answer that did not happen
      }
      out.set("Cache-Control", "no-store");
      ex.sendResponseHeaders(500, -1);
    }
    ex.close();
  }

  private void respond(HttpExchange ex) throws IOException {
    Headers in = ex.getRequestHeaders();
    Headers out = ex.getResponseHeaders();
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    out.set("Cache-Control", "no-store");
    if (!loopbackHost(in.getFirst("Host"))) {
      send(ex, 403); // DNS rebinding: a page of another site that resolves to 127.0.0.1
      return;
    }
    String method = ex.getRequestMethod();
    String origin = in.getFirst("Origin");
    boolean cors = origin != null && origins.contains(origin.toLowerCase(Locale.ROOT));
    if (!origins.isEmpty()) {
      out.add("Vary", "Origin");
    }
    if (cors) {
      out.set("Access-Control-Allow-Origin", origin);
      out.set(
          "Access-Control-Expose-Headers",
          "Content-Length, Content-Range, Accept-Ranges, ETag, Retry-After");
      if (method.equals("OPTIONS") && in.containsKey("Access-Control-Request-Method")) {
        out.set("Access-Control-Allow-Methods", "GET, HEAD");
        out.set("Access-Control-Allow-Headers", "Authorization, Range, If-None-Match, If-Range");
        out.set("Access-Control-Max-Age", "600");
        if ("true".equalsIgnoreCase(in.getFirst("Access-Control-Request-Private-Network"))) {
          out.set("Access-Control-Allow-Private-Network", "true");
        }
        send(ex, 204);
        return;
      }
    }
    String query = ex.getRequestURI().getRawQuery();
    int auth = authenticate(in.getFirst("Authorization"), query);
    if (auth != 0) {
      if (auth == 401) {
        out.set("WWW-Authenticate", "Bearer");
      }
      send(ex, auth);
      return;
    }
    boolean head = method.equals("HEAD");
    if (!head && !method.equals("GET")) {
      out.set("Allow", "GET, HEAD");
      send(ex, 405);
      return;
    }
    String path = ex.getRequestURI().getRawPath();
    if (path == null || !path.startsWith("/files/")) {
      send(ex, 404);
      return;
    }
    String[] parts = path.substring("/files/".length()).split("/", -1);
    for (String p : parts) {
      // Raw path: any %-escape (an encoded slash, a NUL), dot segment or empty segment is refused
      // here, before an id reaches a query or a path.
      if (!SEGMENT.matcher(p).matches() || p.equals(".") || p.equals("..")) {
        send(ex, 400);
        return;
      }
    }
    if (parts.length == 1) {
      if (LocalFileServer.ID.matcher(parts[0]).matches()) {
        serveFile(ex, parts[0], head);
      } else {
        send(ex, 400); // too long
      }
    } else if (parts.length == 3 && parts[1].equals("thumbnails")) {
      if (LocalFileServer.ID.matcher(parts[0]).matches()
          && LocalFileServer.SIZE.matcher(parts[2]).matches()) {
        serveThumbnail(ex, parts[0], parts[2], head, flag(query, "fallback"));
      } else {
        send(ex, 400);
      }
    } else {
      send(ex, 404);
    }
  }

  // ------------------------------------------------------------------ checks

  /** 0 when the request carries the token, 401 when it carries none, 403 when a wrong one. */
  private int authenticate(String authorization, String query) {
    String presented = null;
    if (authorization != null) {
      String a = authorization.trim();
      if (a.length() > 7 && a.substring(0, 7).equalsIgnoreCase("Bearer ")) {
        presented = a.substring(7).trim();
      }
    }
    if (presented == null) {
      presented = parameter(query, "token");
    }
    if (presented == null || presented.isEmpty()) {
      return 401;
    }
    // Comparing digests takes the same time whatever the presented token, its length included.
    byte[] d = sha256(presented.getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(d, tokenDigest) ? 0 : 403;
  }

  /**
   * Whether {@code host} (a Host header) names this machine: {@code localhost}, an address of
   * {@code 127.0.0.0/8} or {@code [::1]}, with an optional port.
   */
  static boolean loopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    String name;
    String port;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0) {
        return false;
      }
      name = h.substring(0, end + 1);
      port = h.substring(end + 1);
    } else {
      int colon = h.indexOf(':');
      name = colon < 0 ? h : h.substring(0, colon);
      port = colon < 0 ? "" : h.substring(colon);
    }
    if (!port.isEmpty() && !port.matches(":[0-9]{1,5}")) {
      return false;
    }
    return name.equals("localhost")
        || name.equals("[::1]")
        || IPV4_LOOPBACK.matcher(name).matches();
  }

  static boolean validMediaType(String type) {
    return type.length() <= 256 && MEDIA_TYPE.matcher(type).matches();
  }

  /** The synced mimeType if it is a well-formed media type (it goes into a header), else octets. */
  private static String mediaType(String mime) {
    if (mime == null) {
      return OCTET_STREAM;
    }
    String m = mime.trim();
    return validMediaType(m) ? m : OCTET_STREAM;
  }

  // ------------------------------------------------------------------ files

  private void serveFile(HttpExchange ex, String id, boolean head) throws IOException {
    Optional<FileRow> row = files.liveRow(id);
    if (row.isEmpty()) {
      send(ex, 404);
      return;
    }
    FileRow f = row.get();
    String hash = f.contentHash();
    String etag = "\"" + hash + "\"";
    String type = mediaType(f.mimeType());
    FileChannel local = openIfPresent(files.content().path(hash));
    if (local != null) {
      try (local) {
        serveChannel(ex, local, type, etag, head, f);
      }
      return;
    }
    serveAbsent(ex, f, type, etag, head);
  }

  private void serveThumbnail(
      HttpExchange ex, String id, String size, boolean head, boolean fallback) throws IOException {
    Optional<FileRow> row = files.liveRow(id);
    if (row.isEmpty()) {
      send(ex, 404);
      return;
    }
    Optional<Path> thumb = thumbnails == null ? Optional.empty() : thumbnails.thumbnail(id, size);
    FileChannel ch = thumb.isPresent() ? openIfPresent(thumb.get()) : null;
    if (ch == null) {
      if (fallback) {
        serveFile(ex, id, head);
      } else {
        send(ex, 404);
      }
      return;
    }
    try (ch) {
      BasicFileAttributes a = Files.readAttributes(thumb.get(), BasicFileAttributes.class);
      // Not content-addressed: tied to the file's bytes, the size, and this thumbnail file's
      // version.
      String etag =
          "\""
              + row.get().contentHash()
              + "."
              + size
              + "."
              + Long.toHexString(a.lastModifiedTime().toMillis())
              + "."
              + Long.toHexString(ch.size())
              + "\"";
      serveChannel(ex, ch, thumbnailType, etag, head, null);
    }
  }

  private static FileChannel openIfPresent(Path p) throws IOException {
    try {
      return FileChannel.open(p, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static void fileHeaders(Headers out, String type, String etag) {
    out.set("Content-Type", type);
    out.set("ETag", etag);
    // The id's bytes change on update: caches keep the body but must ask again, and the
    // content-addressed ETag makes that a cheap 304.
    out.set("Cache-Control", "private, no-cache");
    out.set("Accept-Ranges", "bytes");
    // Opened as a document (a link, a new window), a file runs no script and shares no origin:
    // the synced mimeType may say text/html or image/svg+xml. <img>, <video> and <audio> ignore it.
    out.set("Content-Security-Policy", "sandbox");
  }

  /**
   * Serves an open local file. {@code verifyAgainst} is the row whose content hash a whole-file
   * body is checked against while it streams (null for thumbnails).
   */
  private void serveChannel(
      HttpExchange ex,
      FileChannel ch,
      String type,
      String etag,
      boolean head,
      FileRow verifyAgainst)
      throws IOException {
    Headers in = ex.getRequestHeaders();
    Headers out = ex.getResponseHeaders();
    fileHeaders(out, type, etag);
    if (notModified(in.getFirst("If-None-Match"), etag)) {
      ex.sendResponseHeaders(304, -1);
      return;
    }
    long size = ch.size();
    ByteRange range = ByteRange.parse(rangeIfCurrent(in, etag), size);
    long first = 0;
    long length = size;
    int status = 200;
    switch (range.kind()) {
      case UNSATISFIABLE -> {
        out.set("Content-Range", "bytes */" + size);
        send(ex, 416);
        return;
      }
      case PARTIAL -> {
        status = 206;
        first = range.first();
        length = range.length();
        out.set("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + size);
      }
      case WHOLE -> {}
    }
    if (head) {
      out.set("Content-Length", Long.toString(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length == 0 ? -1 : length);
    if (length == 0) {
      return;
    }
    OutputStream body = ex.getResponseBody();
    if (status == 200 && verifyAgainst != null) {
      MessageDigest md = sha256();
      Held held = new Held();
      ByteBuffer buf = ByteBuffer.wrap(held.next);
      long pos = 0;
      while (pos < size) {
        buf.clear().limit((int) Math.min(BUFFER, size - pos));
        int n = fill(ch, buf, pos);
        if (n <= 0) {
          break; // shorter than it was: the hash will not match
        }
        md.update(held.next, 0, n);
        held.push(n, body);
        buf = ByteBuffer.wrap(held.next);
        pos += n;
      }
      if (!HexFormat.of().formatHex(md.digest()).equals(verifyAgainst.contentHash())) {
        corruptLocalCopy(verifyAgainst.id());
        throw new IOException("the local copy of " + verifyAgainst.id() + " is corrupt");
      }
      held.flush(body);
    } else {
      long pos = first;
      long end = first + length;
      byte[] b = new byte[(int) Math.min(BUFFER, length)];
      ByteBuffer buf = ByteBuffer.wrap(b);
      while (pos < end) {
        buf.clear().limit((int) Math.min(b.length, end - pos));
        int n = fill(ch, buf, pos);
        if (n <= 0) {
          throw new IOException("the file is shorter than it was"); // replaced meanwhile
        }
        body.write(b, 0, n);
        pos += n;
      }
    }
    body.close();
  }

  /** Reads until {@code buf} is full or the file ends; the count, or -1 at the end. */
  private static int fill(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    int total = 0;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total == 0 && buf.hasRemaining() ? -1 : total;
  }

  /** The local copy did not hash to its name: FileSync's open() removes it and queues it again. */
  private void corruptLocalCopy(String id) {
    try {
      files.open(id).close(); // verified this time: it was replaced meanwhile, nothing to do
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "local endpoint: {0}", e.getMessage());
    }
  }

  /**
   * Two buffers: the chunk last read is held back, so that the last bytes of a body go out only
   * after the whole body was hashed and matched.
   */
  private static final class Held {
    byte[] held = new byte[BUFFER];
    byte[] next = new byte[BUFFER];
    int heldLength;

    /** {@code n} bytes were read into {@link #next}: send what was held and hold these. */
    void push(int n, OutputStream out) throws IOException {
      if (heldLength > 0) {
        out.write(held, 0, heldLength);
      }
      byte[] t = held;
      held = next;
      next = t;
      heldLength = n;
    }

    void flush(OutputStream out) throws IOException {
      if (heldLength > 0) {
        out.write(held, 0, heldLength);
        heldLength = 0;
      }
    }
  }

  // ------------------------------------------------------------------ bytes not here yet

  private void serveAbsent(HttpExchange ex, FileRow f, String type, String etag, boolean head)
      throws IOException {
    Headers in = ex.getRequestHeaders();
    Headers out = ex.getResponseHeaders();
    if (notModified(in.getFirst("If-None-Match"), etag)) {
      // The ETag is the content hash: the client holds exactly these bytes.
      fileHeaders(out, type, etag);
      ex.sendResponseHeaders(304, -1);
      return;
    }
    if (f.remoteKey().isEmpty() || files.config().remote().isEmpty()) {
      files.prioritize(f.id());
      unavailable(ex); // not uploaded yet: it will come
      return;
    }
    ByteRange range = ByteRange.parse(rangeIfCurrent(in, etag), Long.MAX_VALUE);
    boolean fromStart =
        range.kind() == ByteRange.Kind.WHOLE
            || (range.kind() == ByteRange.Kind.PARTIAL
                && range.first() == 0
                && range.last() == Long.MAX_VALUE - 1);
    if (!fromStart) {
      // Only whole bodies are streamed from remote storage (they are verified and kept); a range
      // waits for the download, which goes to the front now.
      files.prioritize(f.id());
      unavailable(ex);
      return;
    }
    if (head) {
      files.prioritize(f.id());
      fileHeaders(out, type, etag); // no Content-Length: only remote storage knows it now
      ex.sendResponseHeaders(200, -1);
      return;
    }
    streamRemote(ex, f, type, etag);
  }

  private void streamRemote(HttpExchange ex, FileRow f, String type, String etag)
      throws IOException {
    Optional<URI> where;
    try {
      where = files.resolve(f.id()); // also moves the engine's download to the front
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "local endpoint: no remote URL for {0}: {1}", f.id(), e);
      unavailable(ex); // the signer cannot be reached: the engine's download is in front anyway
      return;
    }
    if (where.isEmpty()) {
      unavailable(ex);
      return;
    }
    URI uri = where.get();
    if ("file".equals(uri.getScheme())) {
      FileChannel arrived = openIfPresent(files.content().path(f.contentHash()));
      if (arrived == null) {
        unavailable(ex); // arrived and went again: ask later
        return;
      }
      try (arrived) {
        serveChannel(ex, arrived, type, etag, false, f); // it arrived meanwhile
      }
      return;
    }
    String hash = f.contentHash();
    files.guard().pin(hash); // a delete meanwhile must not remove the bytes while they are adopted
    Path temp = null;
    boolean adopted = false;
    try {
      HttpResponse<InputStream> response;
      try {
        response =
            http.send(
                HttpRequest.newBuilder(uri).timeout(REMOTE_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        LOG.log(System.Logger.Level.DEBUG, "local endpoint: remote read of {0}: {1}", f.id(), e);
        unavailable(ex);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      try (InputStream remote = response.body()) {
        int status = response.statusCode();
        if (status != 200) {
          LOG.log(
              System.Logger.Level.DEBUG,
              "local endpoint: remote storage answered {0} for {1}",
              status,
              f.id());
          if (status >= 500 || status == 408 || status == 429) {
            unavailable(ex);
          } else {
            send(ex, 502);
          }
          return;
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        temp = files.content().newTempFile();
        fileHeaders(ex.getResponseHeaders(), type, etag);
        // Chunked when the length is unknown or 0, so that even an empty body can be cut.
        ex.sendResponseHeaders(200, length > 0 ? length : 0);
        OutputStream body = ex.getResponseBody();
        body.flush(); // the client learns at once that bytes are coming
        MessageDigest md = sha256();
        Held held = new Held();
        long total = 0;
        try (FileChannel out =
            FileChannel.open(
                temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          while (true) {
            int n = remote.readNBytes(held.next, 0, BUFFER);
            if (n <= 0) {
              break;
            }
            md.update(held.next, 0, n);
            ByteBuffer w = ByteBuffer.wrap(held.next, 0, n);
            while (w.hasRemaining()) {
              out.write(w);
            }
            held.push(n, body);
            total += n;
          }
        }
        String actual = HexFormat.of().formatHex(md.digest());
        if ((length >= 0 && total != length) || !actual.equals(hash)) {
          throw new IOException(
              "remote bytes of " + f.id() + " do not match its content hash; nothing kept");
        }
        // Verified as it streamed: keep it, then let the client have its last bytes. Adopting
        // first means that a client that saw the whole body finds the file local.
        try {
          files.content().adopt(temp, hash);
          temp = null;
          adopted = true;
          files.contentAdopted(hash);
        } catch (IOException e) {
          LOG.log(System.Logger.Level.WARNING, "local endpoint: cannot keep " + f.id(), e);
        }
        held.flush(body);
        body.close();
      }
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          LOG.log(System.Logger.Level.DEBUG, "local endpoint: cannot remove " + temp, e);
        }
      }
      files.guard().unpin(hash);
      if (adopted) {
        files.guard().release(hash); // removed again if the file was deleted meanwhile
      }
    }
  }

  // ------------------------------------------------------------------ small parts

  private static void unavailable(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    send(ex, 503);
  }

  private static void send(HttpExchange ex, int status) throws IOException {
    ex.sendResponseHeaders(status, -1);
  }

  /** The Range header, unless an If-Range names another version (then the whole body is sent). */
  private static String rangeIfCurrent(Headers in, String etag) {
    String range = in.getFirst("Range");
    String ifRange = in.getFirst("If-Range");
    if (range == null || ifRange == null) {
      return range;
    }
    return ifRange.trim().equals(etag) ? range : null; // strong comparison; dates never match
  }

  /** If-None-Match (weak comparison, as RFC 9110 says for it). */
  static boolean notModified(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*")) {
        return true;
      }
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static boolean flag(String query, String name) {
    String v = parameter(query, name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  /** The first value of {@code name} in a raw query, decoded; null when absent or malformed. */
  static String parameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (k.equals(name)) {
        try {
          return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static byte[] sha256(byte[] b) {
    return sha256().digest(b);
  }
}
