package dev.filesync.server;

import static dev.filesync.server.StorageClient.json;
import static dev.filesync.server.StorageClient.q;
import static dev.filesync.server.StorageClient.signedRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signer mode end to end: the server presigns, and the bytes go straight to a real S3-compatible
 * server (s3proxy in this JVM) with java.net.http, as the JS client does.
 */
class SignerModeIT {

  static final String TOKEN = "signer-token";

  @TempDir static Path data;
  static S3ProxyFixture s3;
  static S3Settings bucket;
  static FileSyncServer server;
  static StorageClient client;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyFixture.start();
    bucket = s3.newBucket();
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(data)
                    .token(TOKEN, List.of("*"))
                    .storageMode(StorageMode.SIGNER)
                    .s3(bucket)
                    .build())
            .start();
    client = new StorageClient(server.baseUri(), TOKEN);
  }

  @AfterAll
  static void stop() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }

  static String sha(byte[] b) {
    return FakeBlobStore.sha256(b);
  }

  @Test
  void healthChecksTheBucket() {
    HttpResponse<String> r =
        new StorageClient(server.baseUri(), null)
            .send(HttpRequest.newBuilder(server.baseUri().resolve("/api/health")).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void signedUrlsGoStraightToS3() {
    byte[] body = "straight to s3".getBytes(StandardCharsets.UTF_8);
    String key = "store-1/" + sha(body);
    HttpResponse<String> signed =
        client.post(
            "/api/v1/sign/upload",
            "{\"key\":" + q(key) + ",\"contentLength\":" + body.length + "}");
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    JsonNode up = json(signed);
    assertThat(up.get("method").textValue()).isEqualTo("PUT");
    URI url = URI.create(up.get("url").textValue());
    assertThat(url.getPort()).isEqualTo(s3.endpoint().getPort());
    assertThat(url.getRawQuery()).contains("X-Amz-Signature=");

    HttpResponse<String> put =
        client.send(signedRequest(up).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    JsonNode down = json(client.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}"));
    HttpResponse<byte[]> get = client.sendBytes(signedRequest(down).GET().build());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(body);

    assertThat(client.post("/api/v1/delete", "{\"key\":" + q(key) + "}").statusCode())
        .isEqualTo(204);
    assertThat(client.sendBytes(signedRequest(down).GET().build()).statusCode()).isEqualTo(404);
  }

  @Test
  void anUploadSignedWithASha256RefusesOtherBytes() {
    byte[] body = "the real bytes".getBytes(StandardCharsets.UTF_8);
    byte[] other = "other bytes!!!".getBytes(StandardCharsets.UTF_8);
    String key = "store-1/" + sha(body);
    JsonNode up =
        json(
            client.post(
                "/api/v1/sign/upload", "{\"key\":" + q(key) + ",\"sha256\":" + q(sha(body)) + "}"));
    HttpResponse<String> bad =
        client.send(signedRequest(up).PUT(HttpRequest.BodyPublishers.ofByteArray(other)).build());
    assertThat(bad.statusCode()).isBetween(400, 499);
    assertThat(s3.client().listObjectsV2(b -> b.bucket(bucket.bucket()).prefix(key)).contents())
        .isEmpty();

    HttpResponse<String> good =
        client.send(signedRequest(up).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
  }

  @Test
  void keysAreCheckedBeforeAnythingIsSigned() {
    HttpResponse<String> r = client.post("/api/v1/sign/upload", "{\"key\":\"../escape\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").get("code").textValue()).isEqualTo("InvalidKey");
    // no gateway data plane in signer mode
    HttpResponse<String> files =
        client.send(
            HttpRequest.newBuilder(server.baseUri().resolve("/livestore-filesync-files/a/b"))
                .GET()
                .build());
    assertThat(files.statusCode()).isEqualTo(404);
  }
}
