package dev.filesync.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.server.BlobStore.PartInfo;
import dev.filesync.server.internal.S3SignerBackend;
import dev.filesync.server.internal.StorageBackend.Signed;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Signer mode against a real S3-compatible server: URLs signed by {@link S3SignerBackend} and used
 * the way a client would, with {@code java.net.http}.
 */
class S3SignerBackendIT {
  static final URI ORIGIN = URI.create("http://filesync.invalid:8787"); // ignored in this mode
  static final Duration TTL = Duration.ofMinutes(5);

  /** Headers java.net.http sets itself and refuses to take from us. */
  static final Set<String> RESTRICTED = Set.of("content-length", "host");

  static S3ProxyFixture s3;
  static HttpClient http;
  S3Settings settings;
  S3SignerBackend backend;
  String key;

  @BeforeAll
  static void startServer() {
    s3 = S3ProxyFixture.start();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stopServer() {
    if (http != null) {
      http.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void open() {
    settings = s3.newBucket();
    backend = S3SignerBackend.create(settings);
    key = "store-" + UUID.randomUUID() + "/" + "cd".repeat(32);
  }

  @AfterEach
  void close() throws IOException {
    backend.close();
  }

  static HttpResponse<byte[]> send(Signed signed, byte[] body) throws Exception {
    return send(signed.method(), signed.url(), signed.headers(), body);
  }

  static HttpResponse<byte[]> send(String method, URI url, Map<String, String> headers, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(
        (name, value) -> {
          if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            request.header(name, value);
          }
        });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  boolean exists(String k) {
    try {
      s3.client().headObject(b -> b.bucket(settings.bucket()).key(k));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  @Test
  void uploadThenDownload() throws Exception {
    byte[] bytes = "straight to S3".getBytes(UTF_8);
    String sha = GeneratedInputStream.sha256(bytes);
    Instant before = Instant.now();
    Signed up = backend.signUpload(ORIGIN, key, "text/plain", bytes.length, sha, TTL);
    assertThat(up.method()).isEqualTo("PUT");
    assertThat(up.url().getHost()).isEqualTo("127.0.0.1");
    assertThat(up.headers())
        .containsEntry("Content-Type", "text/plain")
        .containsEntry("Content-Length", Integer.toString(bytes.length))
        .containsKey("x-amz-checksum-sha256");
    assertThat(up.expiresAt())
        .isBetween(before.plus(TTL).minusSeconds(2), Instant.now().plus(TTL).plusSeconds(1));
    assertThat(send(up, bytes).statusCode()).isEqualTo(200);

    Signed down = backend.signDownload(ORIGIN, key, TTL);
    assertThat(down.method()).isEqualTo("GET");
    HttpResponse<byte[]> got = send(down, null);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(bytes);
    assertThat(got.headers().firstValue("Content-Type")).hasValue("text/plain");
  }

  @Test
  void uploadWithoutBindings() throws Exception {
    Signed up = backend.signUpload(ORIGIN, key, null, -1, null, TTL);
    assertThat(up.headers()).isEmpty();
    assertThat(send(up, new byte[] {1, 2, 3}).statusCode()).isEqualTo(200);
    assertThat(send(backend.signDownload(ORIGIN, key, TTL), null).body())
        .isEqualTo(new byte[] {1, 2, 3});
  }

  @Test
  void contentTypeIsBound() throws Exception {
    Signed up = backend.signUpload(ORIGIN, key, "image/png", -1, null, TTL);
    HttpResponse<byte[]> r =
        send(up.method(), up.url(), Map.of("Content-Type", "text/html"), new byte[] {1});
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(exists(key)).isFalse();
  }

  @Test
  void sha256IsBound() throws Exception {
    byte[] good = "the right bytes".getBytes(UTF_8);
    byte[] bad = "the wrong bytes".getBytes(UTF_8);
    Signed up =
        backend.signUpload(ORIGIN, key, null, good.length, GeneratedInputStream.sha256(good), TTL);
    HttpResponse<byte[]> r = send(up, bad);
    assertThat(r.statusCode()).isBetween(400, 499);
    assertThat(exists(key)).isFalse();
    assertThat(send(up, good).statusCode()).isEqualTo(200);
    assertThat(exists(key)).isTrue();
  }

  @Test
  void tamperedUrlIsRefused() throws Exception {
    assertThat(
            send(backend.signUpload(ORIGIN, key, null, -1, null, TTL), new byte[] {1}).statusCode())
        .isEqualTo(200);
    Signed down = backend.signDownload(ORIGIN, key, TTL);
    URI otherKey = URI.create(down.url().toString().replace(key, key + "x"));
    assertThat(send("GET", otherKey, Map.of(), null).statusCode()).isEqualTo(403);
    String url = down.url().toString();
    int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
    char c = url.charAt(at) == '0' ? '1' : '0';
    URI badSignature = URI.create(url.substring(0, at) + c + url.substring(at + 1));
    assertThat(send("GET", badSignature, Map.of(), null).statusCode()).isEqualTo(403);
    Signed up = backend.signUpload(ORIGIN, key, null, -1, null, TTL);
    assertThat(send("GET", up.url(), Map.of(), null).statusCode())
        .as("a PUT URL used for a GET")
        .isEqualTo(403);
  }

  @Test
  void expiredUrlIsRefused() throws Exception {
    Signed up = backend.signUpload(ORIGIN, key, null, -1, null, Duration.ofSeconds(1));
    // SigV4 dates have one-second resolution: wait until the URL is certainly past its expiry.
    // This waits for a fixed point in time (at most about 2 s), not for a condition.
    Duration wait = Duration.between(Instant.now(), up.expiresAt().plusMillis(1100));
    assertThat(wait).isLessThanOrEqualTo(Duration.ofSeconds(3));
    if (!wait.isNegative()) {
      Thread.sleep(wait.toMillis());
    }
    assertThat(send(up, new byte[] {1}).statusCode()).isEqualTo(403);
    assertThat(exists(key)).isFalse();
  }

  @Test
  void multipartThroughPresignedParts() throws Exception {
    byte[] one = GeneratedInputStream.bytes(BlobStoreContractTest.PART, 21);
    byte[] two = "last part".getBytes(UTF_8);
    byte[] all = BlobStoreContractTest.concat(one, two);
    String uploadId = backend.createMultipart(key, "application/zip");
    List<Signed> urls = backend.signParts(ORIGIN, key, uploadId, List.of(2, 1), TTL);
    assertThat(urls).hasSize(2).allSatisfy(s -> assertThat(s.method()).isEqualTo("PUT"));
    assertThat(send(urls.get(0), two).statusCode()).isEqualTo(200);
    assertThat(send(urls.get(1), one).statusCode()).isEqualTo(200);

    List<PartInfo> parts = backend.listParts(key, uploadId);
    assertThat(parts).extracting(PartInfo::partNumber).containsExactly(1, 2);
    assertThat(exists(key)).isFalse();
    var info = backend.completeMultipart(key, uploadId, parts, GeneratedInputStream.sha256(all));
    assertThat(info.size()).isEqualTo(all.length);

    HttpResponse<byte[]> got = send(backend.signDownload(ORIGIN, key, TTL), null);
    assertThat(got.body()).isEqualTo(all);
    assertThat(got.headers().firstValue("Content-Type")).hasValue("application/zip");
  }

  @Test
  void abortedMultipartIsGone() throws Exception {
    String uploadId = backend.createMultipart(key, null);
    Signed part = backend.signParts(ORIGIN, key, uploadId, List.of(1), TTL).get(0);
    assertThat(send(part, new byte[] {1}).statusCode()).isEqualTo(200);
    backend.abortMultipart(key, uploadId);
    assertThatThrownBy(() -> backend.listParts(key, uploadId))
        .isInstanceOfSatisfying(
            BlobStoreException.class,
            e -> assertThat(e.kind()).isEqualTo(BlobStoreException.Kind.NO_SUCH_UPLOAD));
    assertThat(s3.client().listMultipartUploads(b -> b.bucket(settings.bucket())).uploads())
        .isEmpty();
    backend.abortMultipart(key, uploadId); // again: not an error
  }

  @Test
  void deleteIsIdempotent() throws Exception {
    assertThat(
            send(backend.signUpload(ORIGIN, key, null, -1, null, TTL), new byte[] {1}).statusCode())
        .isEqualTo(200);
    backend.delete(key);
    assertThat(exists(key)).isFalse();
    backend.delete(key);
    backend.delete(key + "-never-there");
  }

  @Test
  void healthyUntilTheBucketIsGone() {
    assertThat(backend.healthy()).isTrue();
    s3.deleteBucket(settings.bucket());
    assertThat(backend.healthy()).isFalse();
  }

  @Test
  void unreachableServiceIsUnhealthy() throws IOException {
    try (S3SignerBackend nowhere =
        S3SignerBackend.create(
            new S3Settings(
                URI.create("http://127.0.0.1:1"),
                "filesync-nowhere",
                "us-east-1",
                "k",
                "s",
                true))) {
      assertThat(nowhere.healthy()).isFalse();
    }
  }
}
