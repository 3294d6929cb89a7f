package dev.filesync.server;

import static dev.filesync.server.StorageClient.json;
import static dev.filesync.server.StorageClient.q;
import static dev.filesync.server.StorageClient.signedRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage API end to end in gateway mode over the filesystem blob store: a real server on
 * 127.0.0.1:0 driven by java.net.http exactly as the JS client drives it.
 */
class StorageHandlersIT {

  static final String TOKEN = "it-token";
  static final String ORIGIN = "https://app.example";

  @TempDir static Path data;
  static FileSyncServer server;
  static StorageClient client;

  @BeforeAll
  static void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(data)
                    .token(TOKEN, List.of("*"))
                    .token("limited", List.of("user1"))
                    .corsOrigins(List.of(ORIGIN))
                    .build())
            .start();
    client = new StorageClient(server.baseUri(), TOKEN);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String key() {
    return "it-store/" + sha256Hex(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  }

  static String sha256Hex(byte[] bytes) {
    return FakeBlobStore.sha256(bytes);
  }

  static JsonNode signUpload(String key, byte[] body, String contentType) {
    String json =
        "{\"key\":"
            + q(key)
            + (contentType == null ? "" : ",\"contentType\":" + q(contentType))
            + ",\"contentLength\":"
            + body.length
            + "}";
    HttpResponse<String> r = client.post("/api/v1/sign/upload", json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  static JsonNode signDownload(String key) {
    HttpResponse<String> r = client.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  static HttpResponse<String> upload(String key, byte[] body, String contentType) {
    JsonNode signed = signUpload(key, body, contentType);
    return client.send(
        signedRequest(signed)
            .method(signed.get("method").textValue(), HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  @Test
  void healthIsOkWithoutAuthAndSaysNothingElse() {
    HttpResponse<String> r =
        new StorageClient(server.baseUri(), null)
            .send(HttpRequest.newBuilder(server.baseUri().resolve("/api/health")).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void uploadThenDownloadAsTheJsClientDoes() {
    String key = key();
    byte[] body = "hello, storage".getBytes(StandardCharsets.UTF_8);
    JsonNode signed = signUpload(key, body, "text/plain");
    assertThat(signed.get("method").textValue()).isEqualTo("PUT");
    assertThat(signed.get("url").textValue())
        .startsWith(server.baseUri() + "/livestore-filesync-files/" + key + "?exp=")
        .contains("&sig=");
    assertThat(signed.get("headers").get("Content-Type").textValue()).isEqualTo("text/plain");
    Instant expiresAt = Instant.parse(signed.get("expiresAt").textValue());
    assertThat(expiresAt)
        .isBetween(Instant.now().plusSeconds(800), Instant.now().plusSeconds(1000));

    HttpResponse<String> put =
        client.send(
            signedRequest(signed).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    String etag = put.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).startsWith("\"").endsWith("\"");

    JsonNode down = signDownload(key);
    assertThat(down.has("method")).isFalse();
    HttpResponse<byte[]> get = client.sendBytes(signedRequest(down).GET().build());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(body);
    assertThat(get.headers().firstValue("ETag")).contains(etag);
    assertThat(get.headers().firstValue("Content-Length")).contains(String.valueOf(body.length));
    assertThat(get.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    assertThat(get.headers().firstValue("Accept-Ranges")).contains("bytes");
    assertThat(get.headers().firstValue("Last-Modified")).isPresent();
    assertThat(get.headers().firstValue("Cache-Control").orElseThrow())
        .matches("private, max-age=\\d+, immutable");
  }

  @Test
  void rangesHeadAndConditionalGet() {
    String key = key();
    byte[] body = "0123456789".getBytes(StandardCharsets.UTF_8);
    assertThat(upload(key, body, null).statusCode()).isEqualTo(200);
    JsonNode down = signDownload(key);

    HttpResponse<String> r = client.send(signedRequest(down).header("Range", "bytes=2-5").build());
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo("2345");
    assertThat(r.headers().firstValue("Content-Range")).contains("bytes 2-5/10");

    r = client.send(signedRequest(down).header("Range", "bytes=7-").build());
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo("789");
    assertThat(r.headers().firstValue("Content-Range")).contains("bytes 7-9/10");

    r = client.send(signedRequest(down).header("Range", "bytes=-3").build());
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo("789");

    r = client.send(signedRequest(down).header("Range", "bytes=8-100").build());
    assertThat(r.statusCode()).isEqualTo(206);
    assertThat(r.body()).isEqualTo("89");

    r = client.send(signedRequest(down).header("Range", "bytes=0-1,4-5").build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("0123456789");

    r = client.send(signedRequest(down).header("Range", "bytes=10-").build());
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("Content-Range")).contains("bytes */10");

    r =
        client.send(
            signedRequest(down).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("Content-Length")).contains("10");
    String etag = r.headers().firstValue("ETag").orElseThrow();

    r = client.send(signedRequest(down).header("If-None-Match", etag).build());
    assertThat(r.statusCode()).isEqualTo(304);
    assertThat(r.body()).isEmpty();
    r = client.send(signedRequest(down).header("If-None-Match", "\"other\"").build());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void deleteThroughTheSignerAndTheDataPlane() {
    String key = key();
    assertThat(upload(key, new byte[] {1, 2, 3}, null).statusCode()).isEqualTo(200);
    HttpResponse<String> del = client.post("/api/v1/delete", "{\"key\":" + q(key) + "}");
    assertThat(del.statusCode()).isEqualTo(204);
    HttpResponse<String> get = client.send(signedRequest(signDownload(key)).GET().build());
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(json(get).get("error").get("code").textValue()).isEqualTo("NoSuchKey");
    // deleting nothing is fine
    assertThat(client.post("/api/v1/delete", "{\"key\":" + q(key) + "}").statusCode())
        .isEqualTo(204);

    assertThat(upload(key, new byte[] {4}, null).statusCode()).isEqualTo(200);
    URI objectUrl = server.baseUri().resolve("/livestore-filesync-files/" + key);
    HttpResponse<String> noAuth = client.send(HttpRequest.newBuilder(objectUrl).DELETE().build());
    assertThat(noAuth.statusCode()).isEqualTo(401);
    HttpResponse<String> bearer =
        client.send(
            HttpRequest.newBuilder(objectUrl)
                .header("Authorization", "Bearer " + TOKEN)
                .DELETE()
                .build());
    assertThat(bearer.statusCode()).isEqualTo(204);
    assertThat(client.send(signedRequest(signDownload(key)).GET().build()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void uploadBoundToASha256() {
    String key = key();
    byte[] body = "bound".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r =
        client.post(
            "/api/v1/sign/upload",
            "{\"key\":" + q(key) + ",\"sha256\":" + q(sha256Hex(body)) + "}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode signed = json(r);
    assertThat(signed.get("url").textValue()).contains("sha256=" + sha256Hex(body));
    HttpResponse<String> put =
        client.send(
            signedRequest(signed).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(put.statusCode()).isEqualTo(200);
  }

  @Test
  void multipartThroughTheGateway() {
    String key = key();
    HttpResponse<String> created =
        client.post(
            "/api/v1/multipart/create",
            "{\"key\":" + q(key) + ",\"contentType\":\"application/x-test\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    String uploadId = json(created).get("uploadId").textValue();

    HttpResponse<String> signedParts =
        client.post(
            "/api/v1/multipart/sign-parts",
            "{\"key\":" + q(key) + ",\"uploadId\":" + q(uploadId) + ",\"partNumbers\":[1,2]}");
    assertThat(signedParts.statusCode()).as(signedParts.body()).isEqualTo(200);
    JsonNode parts = json(signedParts).get("parts");
    assertThat(parts).hasSize(2);
    byte[][] bodies = {"first part ".getBytes(), "second part".getBytes()};
    String[] etags = new String[2];
    for (int i = 0; i < 2; i++) {
      JsonNode part = parts.get(i);
      assertThat(part.get("partNumber").intValue()).isEqualTo(i + 1);
      assertThat(part.get("method").textValue()).isEqualTo("PUT");
      HttpResponse<String> put =
          client.send(
              signedRequest(part).PUT(HttpRequest.BodyPublishers.ofByteArray(bodies[i])).build());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      etags[i] = put.headers().firstValue("ETag").orElseThrow();
    }
    HttpResponse<String> listed =
        client.post(
            "/api/v1/multipart/list-parts",
            "{\"key\":" + q(key) + ",\"uploadId\":" + q(uploadId) + "}");
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(json(listed).get("parts")).hasSize(2);
    assertThat(json(listed).get("parts").get(1).get("size").longValue())
        .isEqualTo(bodies[1].length);

    byte[] whole = "first part second part".getBytes();
    HttpResponse<String> done =
        client.post(
            "/api/v1/multipart/complete",
            "{\"key\":"
                + q(key)
                + ",\"uploadId\":"
                + q(uploadId)
                + ",\"sha256\":"
                + q(sha256Hex(whole))
                + ",\"parts\":[{\"partNumber\":1,\"etag\":"
                + q(etags[0])
                + "},{\"partNumber\":2,\"etag\":"
                + q(etags[1])
                + "}]}");
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    assertThat(json(done).get("size").longValue()).isEqualTo(whole.length);
    assertThat(json(done).get("key").textValue()).isEqualTo(key);

    HttpResponse<byte[]> get = client.sendBytes(signedRequest(signDownload(key)).GET().build());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(whole);

    // abort of another upload
    String other =
        json(client.post("/api/v1/multipart/create", "{\"key\":" + q(key) + "}"))
            .get("uploadId")
            .textValue();
    HttpResponse<String> aborted =
        client.post(
            "/api/v1/multipart/abort", "{\"key\":" + q(key) + ",\"uploadId\":" + q(other) + "}");
    assertThat(aborted.statusCode()).isEqualTo(204);
  }

  /** Generates {@code size} pseudo-random bytes without holding them. */
  static InputStream generated(long size, long seed) {
    return new InputStream() {
      long left = size;
      long state = seed;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
          state = state * 6364136223846793005L + 1442695040888963407L;
          b[off + i] = (byte) (state >>> 56);
        }
        left -= n;
        return n;
      }
    };
  }

  @Test
  void fiftyMebibytesStreamUpAndDown() throws Exception {
    long size = 50L * 1024 * 1024;
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    try (InputStream in = generated(size, 42)) {
      byte[] chunk = new byte[1 << 16];
      int n;
      while ((n = in.read(chunk)) != -1) {
        expected.update(chunk, 0, n);
      }
    }
    String sha = java.util.HexFormat.of().formatHex(expected.digest());
    String key = "big/" + sha;
    HttpResponse<String> r =
        client.post(
            "/api/v1/sign/upload",
            "{\"key\":" + q(key) + ",\"contentLength\":" + size + ",\"sha256\":" + q(sha) + "}");
    assertThat(r.statusCode()).isEqualTo(200);
    HttpResponse<String> put =
        client.send(
            signedRequest(json(r))
                .PUT(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> generated(size, 42)), size))
                .build());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    HttpResponse<InputStream> get =
        client.http.send(
            signedRequest(signDownload(key)).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue(size);
    MessageDigest actual = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (InputStream in = get.body()) {
      byte[] chunk = new byte[1 << 16];
      int n;
      while ((n = in.read(chunk)) != -1) {
        actual.update(chunk, 0, n);
        total += n;
      }
    }
    assertThat(total).isEqualTo(size);
    assertThat(java.util.HexFormat.of().formatHex(actual.digest())).isEqualTo(sha);
  }

  @Test
  void corsOnlyForConfiguredOrigins() {
    HttpResponse<String> allowed =
        client.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/sign/download"))
                .header("Origin", ORIGIN)
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"a/b\"}"))
                .build());
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
    assertThat(allowed.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
    assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .contains("ETag")
        .contains("Content-Range");

    HttpResponse<String> preflight =
        client.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/sign/upload"))
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("POST")
        .contains("PUT");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Authorization");

    HttpResponse<String> dataPreflight =
        client.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/livestore-filesync-files/a/b"))
                .header("Origin", ORIGIN)
                .header("Access-Control-Request-Method", "PUT")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(dataPreflight.statusCode()).isEqualTo(204);
    assertThat(dataPreflight.headers().firstValue("Access-Control-Allow-Origin")).contains(ORIGIN);

    for (String origin : List.of("https://evil.example", "null")) {
      HttpResponse<String> denied =
          client.send(
              HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/sign/download"))
                  .header("Origin", origin)
                  .header("Authorization", "Bearer " + TOKEN)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"a/b\"}"))
                  .build());
      assertThat(denied.headers().map().keySet())
          .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
      HttpResponse<String> deniedPreflight =
          client.send(
              HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/sign/upload"))
                  .header("Origin", origin)
                  .header("Access-Control-Request-Method", "POST")
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(deniedPreflight.headers().map().keySet())
          .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
    }
  }

  @Test
  void grantsMatchWholeSegments() {
    StorageClient limited = new StorageClient(server.baseUri(), "limited");
    String hash = sha256Hex(new byte[0]);
    assertThat(limited.post("/api/v1/sign/upload", "{\"key\":\"user1/" + hash + "\"}").statusCode())
        .isEqualTo(200);
    HttpResponse<String> r =
        limited.post("/api/v1/sign/upload", "{\"key\":\"user10/" + hash + "\"}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json(r).get("error").get("code").textValue()).isEqualTo("Forbidden");
  }

  @Test
  void metricsCountRequestsByRouteTemplate() {
    long before = server.metrics().requests("/api/v1/sign/upload", "POST", 200);
    String key = key();
    assertThat(upload(key, new byte[] {9}, null).statusCode()).isEqualTo(200);
    assertThat(server.metrics().requests("/api/v1/sign/upload", "POST", 200)).isEqualTo(before + 1);
    HttpResponse<String> m =
        new StorageClient(server.baseUri(), null)
            .send(HttpRequest.newBuilder(server.baseUri().resolve("/metrics")).build());
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type").orElseThrow()).contains("version=0.0.4");
    assertThat(m.body())
        .contains(
            "filesync_http_requests_total{route=\"/api/v1/sign/upload\",method=\"POST\",status=\"200\"}")
        .contains(
            "filesync_http_requests_total{route=\"/livestore-filesync-files/<key>\",method=\"PUT\",status=\"200\"}")
        .contains("filesync_http_request_bytes_total{route=\"/livestore-filesync-files/<key>\"}")
        .contains("filesync_http_response_bytes_total{route=\"/api/v1/sign/upload\"}")
        .contains(
            "filesync_http_request_duration_seconds_bucket{route=\"/api/v1/sign/upload\",le=\"+Inf\"}")
        .doesNotContain(key.substring(key.indexOf('/') + 1))
        .doesNotContain(TOKEN);
  }

  @Test
  void theSyncServiceRunsBesideStorage() {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/sync/v1/head?storeId=s1"))
                .header("Authorization", "Bearer " + TOKEN)
                .build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(server.metrics().requests("/sync/v1/head", "GET", 200)).isPositive();
  }

  @Test
  void theGatewaySecretIsKeptOwnerOnlyAndSurvivesARestart(@TempDir Path dir) throws Exception {
    ServerConfig config =
        ServerConfig.builder().port(0).dataDirectory(dir).token(TOKEN, List.of("*")).build();
    String key = key();
    byte[] body = "survives".getBytes(StandardCharsets.UTF_8);
    JsonNode down;
    try (FileSyncServer first = FileSyncServer.create(config).start()) {
      StorageClient c = new StorageClient(first.baseUri(), TOKEN);
      JsonNode up = json(c.post("/api/v1/sign/upload", "{\"key\":" + q(key) + "}"));
      assertThat(
              c.send(signedRequest(up).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build())
                  .statusCode())
          .isEqualTo(200);
      down = json(c.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}"));
      Path secret = dir.resolve("gateway.secret");
      assertThat(secret).exists();
      if (secret.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
            .isEqualTo("rw-------");
      }
    }
    int port = URI.create(down.get("url").textValue()).getPort();
    try (FileSyncServer second =
        FileSyncServer.create(config.toBuilder().port(port).build()).start()) {
      HttpResponse<byte[]> get =
          new StorageClient(second.baseUri(), null).sendBytes(signedRequest(down).GET().build());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo(body);
    }
  }

  @Test
  void storageAloneWithoutTheSyncService(@TempDir Path dir) throws Exception {
    ServerConfig config =
        ServerConfig.builder()
            .port(0)
            .dataDirectory(dir)
            .token(TOKEN, List.of("*"))
            .enableSync(false)
            .urlTtl(Duration.ofHours(2))
            .build();
    try (FileSyncServer alone = FileSyncServer.create(config).start()) {
      StorageClient c = new StorageClient(alone.baseUri(), TOKEN);
      HttpResponse<String> r = c.post("/api/v1/sign/download", "{\"key\":\"a/b\"}");
      assertThat(r.statusCode()).isEqualTo(200);
      // urlTtl above maxUrlTtl (1 h) is clamped
      assertThat(Instant.parse(json(r).get("expiresAt").textValue()))
          .isBefore(Instant.now().plusSeconds(3601));
      HttpResponse<String> sync =
          c.send(
              HttpRequest.newBuilder(alone.baseUri().resolve("/sync/v1/head?storeId=s"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build());
      assertThat(sync.statusCode()).isEqualTo(404);
      assertThat(json(sync).get("error").get("code").textValue()).isEqualTo("NotFound");
    }
  }

  /** A clock tests move by hand. */
  static final class MovableClock extends java.time.Clock {
    volatile Instant now = Instant.now();

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void urlsExpireByTheInjectedClockAndHealthFollowsTheStore(@TempDir Path dir) throws Exception {
    MovableClock clock = new MovableClock();
    FakeBlobStore fake = new FakeBlobStore();
    ServerConfig config =
        ServerConfig.builder().port(0).dataDirectory(dir).token(TOKEN, List.of("*")).build();
    try (FileSyncServer s =
        FileSyncServer.create(config).withBlobStore(fake).withClock(clock).start()) {
      StorageClient c = new StorageClient(s.baseUri(), TOKEN);
      String key = key();
      JsonNode up = json(c.post("/api/v1/sign/upload", "{\"key\":" + q(key) + "}"));
      assertThat(Instant.parse(up.get("expiresAt").textValue()))
          .isEqualTo(clock.now.plusSeconds(900).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      assertThat(
              c.send(
                      signedRequest(up)
                          .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {7}))
                          .build())
                  .statusCode())
          .isEqualTo(200);
      assertThat(fake.objectCount()).isEqualTo(1);
      JsonNode down = json(c.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}"));
      clock.now = clock.now.plusSeconds(900);
      assertThat(c.send(signedRequest(down).GET().build()).statusCode()).isEqualTo(200);
      clock.now = clock.now.plusSeconds(1);
      HttpResponse<String> expired = c.send(signedRequest(down).GET().build());
      assertThat(expired.statusCode()).isEqualTo(403);
      assertThat(json(expired).get("error").get("code").textValue()).isEqualTo("UrlExpired");

      fake.failing(true);
      HttpResponse<String> health =
          c.send(HttpRequest.newBuilder(s.baseUri().resolve("/api/health")).build());
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).isEqualTo("{\"status\":\"error\"}");
    }
  }
}
