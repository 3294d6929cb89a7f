package dev.filesync.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local file endpoint over a local-only FileSync (content on Jimfs), with {@code java.net.http}
 * as the client and raw sockets where it cannot send what a test needs (another Host, a path it
 * would refuse).
 */
class LocalFileServerTest {
  static final String TOKEN = "test-token-0123456789abcdef";
  static final byte[] HELLO = "hello, local endpoint".getBytes(UTF_8);

  @TempDir Path dir;
  @TempDir Path thumbs;
  Device device;
  LocalFileServer server;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final Map<String, Path> thumbnails = new ConcurrentHashMap<>();

  @BeforeEach
  void open() throws Exception {
    device = new Device(dir, null, null);
  }

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.close();
    }
    http.close();
    device.close();
  }

  private LocalFileServer start() throws IOException {
    return start(LocalFileServer.builder(device.files).token(TOKEN));
  }

  private LocalFileServer start(LocalFileServer.Builder b) throws IOException {
    server = b.start();
    return server;
  }

  private String save(byte[] bytes, String mime) throws IOException {
    return device.files.save(bytes, "f.bin", mime);
  }

  private HttpResponse<byte[]> get(URI uri, String... headers) throws Exception {
    return send("GET", uri, headers);
  }

  private HttpResponse<byte[]> send(String method, URI uri, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The URL of {@code id} without the token. */
  private URI bare(String id) {
    return server.baseUri().resolve("files/" + id);
  }

  /** Sends a raw HTTP/1.1 request and returns the status code. */
  private int raw(String target, String host) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.baseUri().getPort())) {
      OutputStream out = s.getOutputStream();
      String req =
          "GET "
              + target
              + " HTTP/1.1\r\n"
              + (host == null ? "" : "Host: " + host + "\r\n")
              + "Authorization: Bearer "
              + TOKEN
              + "\r\nConnection: close\r\n\r\n";
      out.write(req.getBytes(UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
        line.append((char) c);
      }
      return Integer.parseInt(line.toString().split(" ")[1]);
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  // ------------------------------------------------------------------ auth

  @Test
  void theTokenIsRequiredInTheQueryOrAsABearerHeaderAndNothingLeaks() throws Exception {
    start();
    String id = save(HELLO, "text/plain");

    HttpResponse<byte[]> none = get(bare(id));
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertThat(none.body()).isEmpty();

    HttpResponse<byte[]> wrongQuery = get(URI.create(bare(id) + "?token=" + TOKEN + "x"));
    assertThat(wrongQuery.statusCode()).isEqualTo(403);
    assertThat(wrongQuery.body()).isEmpty();
    HttpResponse<byte[]> wrongHeader = get(bare(id), "Authorization", "Bearer nope");
    assertThat(wrongHeader.statusCode()).isEqualTo(403);
    assertThat(wrongHeader.body()).isEmpty();
    assertThat(get(bare(id), "Authorization", "Basic " + TOKEN).statusCode())
        .as("another scheme is no token")
        .isEqualTo(401);

    assertThat(get(server.url(id)).body()).isEqualTo(HELLO);
    assertThat(get(bare(id), "Authorization", "Bearer " + TOKEN).body()).isEqualTo(HELLO);
    assertThat(get(bare(id), "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
    // an unknown id is 404 only with the token: without it, nothing about the files shows
    assertThat(get(bare("no-such-id")).statusCode()).isEqualTo(401);
    assertThat(get(server.url("no-such-id")).statusCode()).isEqualTo(404);
    assertThat(server.toString()).doesNotContain(TOKEN);
  }

  @Test
  void theDefaultTokenIs32RandomBytesMadeOncePerProcess() throws Exception {
    start(LocalFileServer.builder(device.files));
    String token = server.token();
    assertThat(token).matches("[A-Za-z0-9_-]{43}");
    assertThat(Base64Url.decode(token)).hasSize(32);
    try (LocalFileServer other = LocalFileServer.builder(device.files).start()) {
      assertThat(other.token()).isEqualTo(token);
      assertThat(other.baseUri()).isNotEqualTo(server.baseUri());
    }
    String id = save(HELLO, "text/plain");
    assertThat(server.url(id).getQuery()).isEqualTo("token=" + token);
    assertThat(get(server.url(id)).body()).isEqualTo(HELLO);
  }

  @Test
  void theJdkServerSendsResponsesWithoutNagleDelays() throws Exception {
    // Bodies over about 8 KiB otherwise wait 40 ms for the client's delayed ACK (bin/bench
    // endpoint measured 45 requests/s). The property is read when the first JDK server starts.
    start(LocalFileServer.builder(device.files));
    assertThat(System.getProperty(LocalFileServer.NODELAY)).isEqualTo("true");
  }

  private static final class Base64Url {
    static byte[] decode(String s) {
      return java.util.Base64.getUrlDecoder().decode(s);
    }
  }

  @Test
  void aHostThatIsNotALoopbackNameIsRefused() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    String target = "/files/" + id;
    int port = server.baseUri().getPort();
    assertThat(raw(target, "127.0.0.1:" + port)).isEqualTo(200);
    assertThat(raw(target, "localhost:" + port)).isEqualTo(200);
    assertThat(raw(target, "LOCALHOST")).isEqualTo(200);
    assertThat(raw(target, "[::1]:" + port)).isEqualTo(200);
    assertThat(raw(target, "127.1.2.3:" + port)).isEqualTo(200);
    // DNS rebinding: a page of attacker.example whose name now resolves to 127.0.0.1
    assertThat(raw(target, "attacker.example:" + port)).isEqualTo(403);
    assertThat(raw(target, "localhost.attacker.example")).isEqualTo(403);
    assertThat(raw(target, "127.0.0.1.attacker.example")).isEqualTo(403);
    assertThat(raw(target, "127.0.0.1:80@attacker.example")).isEqualTo(403);
    assertThat(raw(target, "192.168.1.1:" + port)).isEqualTo(403);
    assertThat(raw(target, "")).isEqualTo(403);
    assertThat(raw(target, null)).isEqualTo(403);
  }

  // ------------------------------------------------------------------ headers

  @Test
  void contentTypeComesFromTheSyncedMetadataWithSafetyHeaders() throws Exception {
    start();
    String png = save(HELLO, "image/png");
    String html = save("<script>alert(1)</script>".getBytes(UTF_8), "text/html; charset=utf-8");
    String unknown = save(HELLO, null);
    String bogus = save(HELLO, "text/html\r\nSet-Cookie: x=y");

    HttpResponse<byte[]> r = get(server.url(png));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(HELLO.length));
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("private, no-cache");
    assertThat(r.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<byte[]> h = get(server.url(html));
    assertThat(h.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(h.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");
    assertThat(get(server.url(unknown)).headers().firstValue("Content-Type"))
        .hasValue("application/octet-stream");
    HttpResponse<byte[]> b = get(server.url(bogus));
    assertThat(b.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(b.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void theEtagIsTheContentHashAndIfNoneMatchGives304() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    String etag = "\"" + sha256(HELLO) + "\"";
    HttpResponse<byte[]> r = get(server.url(id));
    assertThat(r.headers().firstValue("ETag")).hasValue(etag);

    for (String inm : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
      HttpResponse<byte[]> nm = get(server.url(id), "If-None-Match", inm);
      assertThat(nm.statusCode()).as(inm).isEqualTo(304);
      assertThat(nm.body()).isEmpty();
      assertThat(nm.headers().firstValue("ETag")).hasValue(etag);
    }
    assertThat(get(server.url(id), "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
  }

  @Test
  void anUpdateChangesTheEtagAndTheBytesAndADeleteMakesIt404() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    String old = get(server.url(id)).headers().firstValue("ETag").orElseThrow();
    byte[] fresh = "fresh bytes".getBytes(UTF_8);
    device.files.update(id, new ByteArrayInputStream(fresh), "f.txt", "text/markdown");

    HttpResponse<byte[]> r = get(server.url(id), "If-None-Match", old);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(fresh);
    assertThat(r.headers().firstValue("ETag")).hasValue("\"" + sha256(fresh) + "\"");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/markdown");

    device.files.delete(id);
    assertThat(get(server.url(id)).statusCode()).isEqualTo(404);
    assertThat(send("HEAD", server.url(id)).statusCode()).isEqualTo(404);
    assertThat(server.resolve(id)).isEmpty();
  }

  // ------------------------------------------------------------------ ranges and HEAD

  @Test
  void singleRangesIncludingSuffixesAndUnsatisfiableOnes() throws Exception {
    start();
    byte[] bytes = "0123456789".getBytes(UTF_8);
    String id = save(bytes, "text/plain");
    String etag = "\"" + sha256(bytes) + "\"";

    assertRange(id, "bytes=0-4", 206, "bytes 0-4/10", "01234");
    assertRange(id, "bytes=5-", 206, "bytes 5-9/10", "56789");
    assertRange(id, "bytes=-3", 206, "bytes 7-9/10", "789");
    assertRange(id, "bytes=-30", 206, "bytes 0-9/10", "0123456789");
    assertRange(id, "bytes=3-100", 206, "bytes 3-9/10", "3456789");
    assertRange(id, "bytes=9-9", 206, "bytes 9-9/10", "9");
    assertRange(id, "bytes=10-", 416, "bytes */10", "");
    assertRange(id, "bytes=20-30", 416, "bytes */10", "");
    assertRange(id, "bytes=-0", 416, "bytes */10", "");
    // several ranges: the whole body (no multipart/byteranges)
    assertRange(id, "bytes=0-1,5-6", 200, null, "0123456789");
    // malformed, another unit, a reversed range: ignored
    assertRange(id, "bytes=x-y", 200, null, "0123456789");
    assertRange(id, "items=0-1", 200, null, "0123456789");
    assertRange(id, "bytes=5-2", 200, null, "0123456789");
    assertRange(id, "bytes=0-99999999999999999999999", 206, "bytes 0-9/10", "0123456789");

    HttpResponse<byte[]> current = get(server.url(id), "Range", "bytes=0-1", "If-Range", etag);
    assertThat(current.statusCode()).isEqualTo(206);
    HttpResponse<byte[]> stale =
        get(server.url(id), "Range", "bytes=0-1", "If-Range", "\"old-version\"");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo(bytes);
  }

  private void assertRange(String id, String range, int status, String contentRange, String body)
      throws Exception {
    HttpResponse<byte[]> r = get(server.url(id), "Range", range);
    assertThat(r.statusCode()).as(range).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Range"))
        .as(range)
        .isEqualTo(Optional.ofNullable(contentRange));
    assertThat(new String(r.body(), UTF_8)).as(range).isEqualTo(body);
    if (status != 416) {
      assertThat(r.headers().firstValue("Content-Length"))
          .as(range)
          .hasValue(String.valueOf(body.length()));
    }
  }

  @Test
  void headGivesTheHeadersWithoutABody() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    HttpResponse<byte[]> r = send("HEAD", server.url(id));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("Content-Length")).hasValue(String.valueOf(HELLO.length));
    assertThat(r.headers().firstValue("ETag")).hasValue("\"" + sha256(HELLO) + "\"");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");

    HttpResponse<byte[]> part = send("HEAD", server.url(id), "Range", "bytes=2-5");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.headers().firstValue("Content-Length")).hasValue("4");
    assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 2-5/" + HELLO.length);
  }

  @Test
  void anEmptyFileHasNoBytesAndNoRange() throws Exception {
    start();
    String id = save(new byte[0], "text/plain");
    HttpResponse<byte[]> r = get(server.url(id));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("Content-Length")).hasValue("0");
    assertRange(id, "bytes=0-0", 416, "bytes */0", "");
    assertRange(id, "bytes=-1", 416, "bytes */0", "");
  }

  @Test
  void aLargeFileStreamsWholeAndInRanges() throws Exception {
    start();
    byte[] big = new byte[5 * 1024 * 1024 + 17];
    new Random(3).nextBytes(big);
    String id = save(big, "application/octet-stream");
    HttpResponse<byte[]> r = get(server.url(id));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(sha256(r.body())).isEqualTo(sha256(big));
    HttpResponse<byte[]> part = get(server.url(id), "Range", "bytes=1000000-3000000");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(big, 1_000_000, 3_000_001));
  }

  @Test
  void aCorruptLocalCopyIsNeverServedWholeAndIsRemoved() throws Exception {
    start();
    byte[] bytes = new byte[300_000]; // several chunks: the client has headers and some bytes
    new Random(5).nextBytes(bytes);
    String id = save(bytes, "application/octet-stream");
    Path file = device.root.resolve(device.row(id).path());
    byte[] corrupt = bytes.clone();
    corrupt[150_000] ^= 1;
    Files.write(file, corrupt);

    // the last bytes are held back until the hash matched: the client sees a cut, not bad bytes
    assertThatThrownBy(() -> get(server.url(id))).isInstanceOf(IOException.class);
    assertThat(device.files.displayState(id).hasLocalCopy())
        .as("FileSync removed the corrupt copy")
        .isFalse();
    assertThat(get(server.url(id)).statusCode()).isEqualTo(503);
  }

  @Test
  void aRangeOfALocalCopyIsServedWithoutHashingTheWholeFile() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    Path file = device.root.resolve(device.row(id).path());
    byte[] corrupt = HELLO.clone();
    corrupt[HELLO.length - 1] ^= 1;
    Files.write(file, corrupt);
    // documented: ranges are read as they are; whole bodies are verified
    assertThat(get(server.url(id), "Range", "bytes=0-4").body()).isEqualTo(Arrays.copyOf(HELLO, 5));
    HttpResponse<byte[]> whole;
    try {
      whole = get(server.url(id));
    } catch (IOException cut) {
      whole = null;
    }
    // one chunk held back: the connection is dropped before the client saw headers, and
    // java.net.http retries the GET once, which finds the copy gone
    assertThat(whole == null ? 0 : whole.statusCode()).isIn(0, 503);
  }

  // ------------------------------------------------------------------ methods, paths, ids

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
  void otherMethodsAre405(String method) throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    HttpResponse<byte[]> r = send(method, server.url(id));
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(device.files.localPath(id)).isPresent();
  }

  @Test
  void badIdsAreRefusedBeforeAnythingIsRead() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    Files.write(device.root.resolve("secret"), "secret".getBytes(UTF_8));
    for (String target :
        List.of(
            "/files/..%2F..%2Fsecret",
            "/files/..%2f..%2fsecret",
            "/files/%2e%2e",
            "/files/..",
            "/files/.",
            "/files/a%2Fb",
            "/files/a%00b",
            "/files/a%0Ab",
            "/files/%20",
            "/files/",
            "/files//" + id,
            "/files/" + id + "/",
            "/files/" + id + "%2F",
            "/files/" + "x".repeat(257),
            "/files/" + id + "/thumbnails/..",
            "/files/" + id + "/thumbnails/%2e%2e%2f")) {
      assertThat(raw(target, "127.0.0.1")).as(target).isEqualTo(400);
    }
    for (String target :
        List.of("/", "/secret", "/files", "/filesx/" + id, "/files/a/b", "/files/" + id + "/x/y")) {
      assertThat(raw(target, "127.0.0.1")).as(target).isEqualTo(404);
    }
    assertThat(raw("/files/" + id, "127.0.0.1")).isEqualTo(200);
    assertThatThrownBy(() -> server.url("../secret")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.url("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.url("..")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.url("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.thumbnailUrl(id, "a/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.resolve("a b")).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ bytes not here

  @Test
  void aFileWhoseBytesAreNotHereAndNotUploadedIs503ButItsEtagStillValidates() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    Files.delete(device.root.resolve(device.row(id).path()));

    HttpResponse<byte[]> r = get(server.url(id));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(r.body()).isEmpty();
    assertThat(server.resolve(id)).isEmpty();
    // the ETag names the bytes: a client holding them needs nothing from here
    HttpResponse<byte[]> nm = get(server.url(id), "If-None-Match", "\"" + sha256(HELLO) + "\"");
    assertThat(nm.statusCode()).isEqualTo(304);
  }

  // ------------------------------------------------------------------ thumbnails

  private ThumbnailSource fakeThumbnails() {
    return (fileId, size) -> Optional.ofNullable(thumbnails.get(fileId + "/" + size));
  }

  @Test
  void thumbnailsComeFromThePluggedSourceWithTheirMediaType() throws Exception {
    start(
        LocalFileServer.builder(device.files)
            .token(TOKEN)
            .thumbnails(fakeThumbnails(), "image/webp"));
    String id = save(HELLO, "image/jpeg");
    byte[] small = "small webp bytes".getBytes(UTF_8);
    Path p = Files.write(thumbs.resolve("small.webp"), small);
    thumbnails.put(id + "/small", p);

    URI url = server.thumbnailUrl(id, "small");
    assertThat(url.toString())
        .isEqualTo(server.baseUri() + "files/" + id + "/thumbnails/small?token=" + TOKEN);
    HttpResponse<byte[]> r = get(url);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(small);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/webp");
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertThat(get(url, "If-None-Match", etag).statusCode()).isEqualTo(304);
    assertThat(get(url, "Range", "bytes=0-4").body()).isEqualTo("small".getBytes(UTF_8));

    // a missing size is 404, or the original with fallback=1
    URI large = server.thumbnailUrl(id, "large");
    assertThat(get(large).statusCode()).isEqualTo(404);
    HttpResponse<byte[]> fallback = get(URI.create(large + "&fallback=1"));
    assertThat(fallback.statusCode()).isEqualTo(200);
    assertThat(fallback.body()).isEqualTo(HELLO);
    assertThat(fallback.headers().firstValue("Content-Type")).hasValue("image/jpeg");

    // a thumbnail of a deleted file is not served even if the source still has it
    device.files.delete(id);
    assertThat(get(url).statusCode()).isEqualTo(404);
  }

  @Test
  void withoutAThumbnailSourceThumbnailsAre404() throws Exception {
    start();
    String id = save(HELLO, "image/jpeg");
    assertThat(get(server.thumbnailUrl(id, "small")).statusCode()).isEqualTo(404);
    assertThat(get(URI.create(server.thumbnailUrl(id, "small") + "&fallback=1")).body())
        .isEqualTo(HELLO);
  }

  // ------------------------------------------------------------------ CORS

  @Test
  void corsIsOffByDefaultAndOnlyForTheAllowedOrigins() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    HttpResponse<byte[]> none = get(server.url(id), "Origin", "http://localhost:5173");
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(none.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    server.close();

    start(
        LocalFileServer.builder(device.files)
            .token(TOKEN)
            .allowedOrigins(List.of("http://localhost:5173")));
    HttpResponse<byte[]> ok = get(server.url(id), "Origin", "http://localhost:5173");
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("http://localhost:5173");
    assertThat(ok.headers().allValues("Vary")).contains("Origin");
    assertThat(ok.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .contains("Content-Range", "ETag");
    HttpResponse<byte[]> other = get(server.url(id), "Origin", "https://attacker.example");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<byte[]> preflight =
        send(
            "OPTIONS",
            bare(id),
            "Origin",
            "http://localhost:5173",
            "Access-Control-Request-Method",
            "GET",
            "Access-Control-Request-Headers",
            "authorization, range");
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
        .hasValue("GET, HEAD");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Authorization", "Range");
    HttpResponse<byte[]> refused =
        send(
            "OPTIONS",
            bare(id),
            "Origin",
            "https://attacker.example",
            "Access-Control-Request-Method",
            "GET");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  // ------------------------------------------------------------------ API

  @Test
  void urlsAndResolve() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    assertThat(server.baseUri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/");
    assertThat(server.url(id).toString())
        .isEqualTo(server.baseUri() + "files/" + id + "?token=" + TOKEN);
    assertThat(server.resolve(id)).hasValue(server.url(id));
    assertThat(server.resolve("unknown")).isEmpty();
  }

  @Test
  void theBuilderRefusesWhatIsNotForThisMachine() throws Exception {
    LocalFileServer.Builder b = LocalFileServer.builder(device.files);
    assertThatThrownBy(() -> b.bindAddress(InetAddress.getByName("0.0.0.0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0");
    assertThatThrownBy(() -> b.bindAddress(InetAddress.getByName("192.168.1.10")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.port(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.port(65536)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.token("short")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.token("with space and more than 16"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("with space");
    assertThatThrownBy(() -> b.allowedOrigins(List.of("*")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.allowedOrigins(List.of("null")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.allowedOrigins(List.of("http://localhost:5173/app")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.thumbnails(fakeThumbnails(), "not a type"))
        .isInstanceOf(IllegalArgumentException.class);

    start(b.bindAddress(InetAddress.getByName("::1")).token(TOKEN));
    assertThat(server.baseUri().getHost()).isEqualTo("[::1]");
    String id = save(HELLO, "text/plain");
    assertThat(get(server.url(id)).body()).isEqualTo(HELLO);
  }

  @Test
  void closeStopsListening() throws Exception {
    start();
    String id = save(HELLO, "text/plain");
    URI url = server.url(id);
    assertThat(get(url).statusCode()).isEqualTo(200);
    server.close();
    server.close(); // idempotent
    try (HttpClient fresh = HttpClient.newHttpClient()) {
      assertThatThrownBy(
              () ->
                  fresh.send(
                      HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);
    }
  }
}
