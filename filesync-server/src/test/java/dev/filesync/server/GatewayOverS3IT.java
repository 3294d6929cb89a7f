package dev.filesync.server;

import static dev.filesync.server.StorageClient.json;
import static dev.filesync.server.StorageClient.q;
import static dev.filesync.server.StorageClient.signedRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway mode with the bytes in an S3 bucket: the client only ever talks to this server, which
 * streams to and from a real S3-compatible server (s3proxy, verifying signatures).
 */
class GatewayOverS3IT {
  static final String TOKEN = "gateway-s3-token";

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
                    .storageMode(StorageMode.GATEWAY)
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

  @Test
  void bytesGoThroughTheServerIntoTheBucketAndBack() throws Exception {
    long size = 20L << 20; // over the S3 store's 8 MiB part size: streamed as multipart
    String sha = GeneratedInputStream.sha256(size, 7);
    String key = "store-1/" + sha;
    JsonNode up =
        json(
            client.post(
                "/api/v1/sign/upload",
                "{\"key\":"
                    + q(key)
                    + ",\"contentLength\":"
                    + size
                    + ",\"sha256\":"
                    + q(sha)
                    + "}"));
    URI url = URI.create(up.get("url").textValue());
    assertThat(url.getPort()).as("a gateway URL, not S3's").isEqualTo(server.port());

    HttpResponse<String> put =
        client.send(
            signedRequest(up)
                .PUT(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new GeneratedInputStream(size, 7)))
                .build());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(s3.client().headObject(b -> b.bucket(bucket.bucket()).key(key)).contentLength())
        .isEqualTo(size);

    JsonNode down = json(client.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}"));
    HttpResponse<java.io.InputStream> get =
        client.http.send(
            signedRequest(down).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(get.statusCode()).isEqualTo(200);
    try (java.io.InputStream in = get.body()) {
      assertThat(GeneratedInputStream.sha256(in)).isEqualTo(sha);
    }

    HttpResponse<byte[]> range =
        client.sendBytes(signedRequest(down).header("Range", "bytes=10-19").GET().build());
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).hasSize(10);

    assertThat(client.post("/api/v1/delete", "{\"key\":" + q(key) + "}").statusCode())
        .isEqualTo(204);
    assertThat(s3.client().listObjectsV2(b -> b.bucket(bucket.bucket()).prefix(key)).contents())
        .isEmpty();
  }
}
