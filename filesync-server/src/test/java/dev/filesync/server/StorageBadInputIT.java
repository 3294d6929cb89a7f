package dev.filesync.server;

import static dev.filesync.server.StorageClient.json;
import static dev.filesync.server.StorageClient.q;
import static dev.filesync.server.StorageClient.signedRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filesync.server.internal.GatewaySignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the storage API: every case checks the status, the error code and that nothing was
 * written (no object, no blob file, no part).
 */
class StorageBadInputIT {

  static final String TOKEN = "bad-input-token";
  static final String SECRET = "0123456789abcdef0123456789abcdef-bad-input";
  static final long MAX_OBJECT = 64 * 1024;
  static final String HASH = FakeBlobStore.sha256(new byte[0]);
  static final String FILES = "/livestore-filesync-files/";

  @TempDir static Path data;
  static FileSyncServer server;
  static StorageClient client;
  static GatewaySignature signer;
  static Path blobs;

  @BeforeAll
  static void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(data)
                    .token(TOKEN, List.of("*"))
                    .token("limited", List.of("user1"))
                    .gatewaySecret(SECRET)
                    .maxObjectBytes(MAX_OBJECT)
                    .maxSignerBodyBytes(8192)
                    .build())
            .start();
    client = new StorageClient(server.baseUri(), TOKEN);
    signer = new GatewaySignature(SECRET, Clock.systemUTC());
    blobs = server.config().blobDirectory();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Every regular file under the blob directory, with its size. */
  static Map<String, Long> files() {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.exists(blobs)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(blobs)) {
      walk.filter(Files::isRegularFile)
          .forEach(
              p -> {
                try {
                  files.put(blobs.relativize(p).toString(), Files.size(p));
                } catch (IOException e) {
                  // a temporary file that went away
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Runs a bad request and checks its status, code and that no file appeared or changed. */
  static HttpResponse<String> refused(
      int status, String code, Supplier<HttpResponse<String>> request) {
    Map<String, Long> before = files();
    HttpResponse<String> r = request.get();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    if (r.body() != null && !r.body().isEmpty()) {
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
      assertThat(json(r).get("error").get("code").textValue()).isEqualTo(code);
    } else {
      assertThat(code).as("a body was expected").isNull();
    }
    assertThat(files()).isEqualTo(before);
    return r;
  }

  static void assertNoObject(String key) {
    HttpResponse<String> r =
        client.send(
            signedRequest(json(client.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}")))
                .GET()
                .build());
    assertThat(r.statusCode()).isEqualTo(404);
  }

  static String key(String name) {
    return "bad/" + FakeBlobStore.sha256(name.getBytes(StandardCharsets.UTF_8));
  }

  static String url(String key, String query) {
    return server.baseUri() + FILES + key + (query.isEmpty() ? "" : "?" + query);
  }

  static String signedQuery(String method, String key, long exp) {
    return "exp=" + exp + "&sig=" + signer.sign(GatewaySignature.Claims.of(method, key, exp));
  }

  static long inAMinute() {
    return signer.nowSeconds() + 60;
  }

  static HttpResponse<String> put(String url, byte[] body) {
    return client.send(
        HttpRequest.newBuilder(URI.create(url))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  static JsonNode signUpload(String json) {
    HttpResponse<String> r = client.post("/api/v1/sign/upload", json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  // --- signatures ----------------------------------------------------------------------------

  @Test
  void tamperedSignature() {
    String key = key("tampered");
    String query = signedQuery("PUT", key, inAMinute());
    String tampered = query.substring(0, query.length() - 2) + (query.endsWith("AA") ? "BB" : "AA");
    refused(403, "SignatureMismatch", () -> put(url(key, tampered), new byte[] {1}));
    assertNoObject(key);
  }

  @Test
  void tamperedExpiry() {
    String key = key("tampered-exp");
    long exp = inAMinute();
    String query = signedQuery("PUT", key, exp).replace("exp=" + exp, "exp=" + (exp + 3600));
    refused(403, "SignatureMismatch", () -> put(url(key, query), new byte[] {1}));
    assertNoObject(key);
  }

  @Test
  void expiredUrl() {
    String key = key("expired");
    String query = signedQuery("PUT", key, signer.nowSeconds() - 5);
    refused(403, "UrlExpired", () -> put(url(key, query), new byte[] {1}));
    assertNoObject(key);
  }

  @Test
  void signatureForAnotherKey() {
    String key = key("other-key");
    String query = signedQuery("PUT", key("something-else"), inAMinute());
    refused(403, "SignatureMismatch", () -> put(url(key, query), new byte[] {1}));
    assertNoObject(key);
  }

  @Test
  void signatureForAnotherMethod() {
    String key = key("other-method");
    JsonNode down = json(client.post("/api/v1/sign/download", "{\"key\":" + q(key) + "}"));
    refused(
        403,
        "SignatureMismatch",
        () -> put(down.get("url").textValue(), "x".getBytes(StandardCharsets.UTF_8)));
    refused(
        403,
        "SignatureMismatch",
        () ->
            client.send(
                HttpRequest.newBuilder(URI.create(down.get("url").textValue())).DELETE().build()));
    assertNoObject(key);
  }

  @Test
  void missingSignature() {
    String key = key("missing-sig");
    refused(401, "Unauthorized", () -> put(url(key, ""), new byte[] {1}));
    refused(401, "Unauthorized", () -> put(url(key, "exp=" + inAMinute()), new byte[] {1}));
    refused(
        401,
        "Unauthorized",
        () -> client.send(HttpRequest.newBuilder(URI.create(url(key, ""))).GET().build()));
    assertNoObject(key);
  }

  @Test
  void repeatedSignatureParameter() {
    String key = key("repeated");
    String query = signedQuery("PUT", key, inAMinute());
    refused(403, "SignatureMismatch", () -> put(url(key, query + "&exp=1"), new byte[] {1}));
    assertNoObject(key);
  }

  // --- keys and grants -----------------------------------------------------------------------

  @Test
  void keyOutsideTheGrant() {
    StorageClient limited = new StorageClient(server.baseUri(), "limited");
    refused(
        403,
        "Forbidden",
        () -> limited.post("/api/v1/sign/upload", "{\"key\":\"user10/" + HASH + "\"}"));
    refused(
        403,
        "Forbidden",
        () -> limited.post("/api/v1/delete", "{\"key\":\"user10/" + HASH + "\"}"));
    refused(
        403,
        "Forbidden",
        () ->
            client.send(
                HttpRequest.newBuilder(URI.create(url("user10/" + HASH, "")))
                    .header("Authorization", "Bearer limited")
                    .DELETE()
                    .build()));
  }

  @Test
  void traversalInTheJsonKey() {
    for (String key : List.of("../" + HASH, "a/../../" + HASH, "a/./" + HASH, "..")) {
      refused(
          400, "InvalidKey", () -> client.post("/api/v1/sign/upload", "{\"key\":" + q(key) + "}"));
    }
  }

  @Test
  void encodedTraversalInTheGatewayPath() {
    for (String raw : List.of("%2e%2e/" + HASH, "a/%2E%2E/" + HASH, "a/%2e/" + HASH)) {
      String decoded = raw.replace("%2e", ".").replace("%2E", ".");
      String query = signedQuery("PUT", decoded, inAMinute());
      refused(400, "InvalidKey", () -> put(url(raw, query), new byte[] {1}));
    }
  }

  @Test
  void literalTraversalInTheGatewayPath() {
    String query = signedQuery("GET", "a/../b", inAMinute());
    refused(
        400,
        "InvalidKey",
        () -> client.send(HttpRequest.newBuilder(URI.create(url("a/../b", query))).GET().build()));
  }

  @Test
  void emptySegment() {
    refused(
        400,
        "InvalidKey",
        () -> client.post("/api/v1/sign/upload", "{\"key\":\"a//" + HASH + "\"}"));
    refused(400, "InvalidKey", () -> client.post("/api/v1/sign/upload", "{\"key\":\"a/b/\"}"));
    String query = signedQuery("PUT", "a//b", inAMinute());
    refused(400, "InvalidKey", () -> put(url("a//b", query), new byte[] {1}));
  }

  @Test
  void leadingSlash() {
    refused(
        400,
        "InvalidKey",
        () -> client.post("/api/v1/sign/upload", "{\"key\":\"/a/" + HASH + "\"}"));
  }

  @Test
  void controlCharacters() {
    for (String key : List.of("a\u0000b", "a\nb", "a\u007fb", "a\u0085b")) {
      refused(
          400, "InvalidKey", () -> client.post("/api/v1/sign/upload", "{\"key\":" + q(key) + "}"));
    }
    String query = signedQuery("PUT", "a\u0001b", inAMinute());
    refused(400, "InvalidKey", () -> put(url("a%01b", query), new byte[] {1}));
  }

  @Test
  void backslash() {
    refused(400, "InvalidKey", () -> client.post("/api/v1/sign/download", "{\"key\":\"a\\\\b\"}"));
    String query = signedQuery("GET", "a\\b", inAMinute());
    refused(
        400,
        "InvalidKey",
        () -> client.send(HttpRequest.newBuilder(URI.create(url("a%5Cb", query))).GET().build()));
  }

  @Test
  void overLongKey() {
    String key = "a/" + "x".repeat(1023);
    refused(
        400, "InvalidKey", () -> client.post("/api/v1/sign/upload", "{\"key\":" + q(key) + "}"));
    refused(
        400,
        "InvalidKey",
        () -> put(url(key, signedQuery("PUT", key, inAMinute())), new byte[] {1}));
  }

  // --- sizes -----------------------------------------------------------------------------------

  @Test
  void oversizedJsonBody() {
    String json = "{\"key\":\"a/b\",\"pad\":\"" + "x".repeat(10_000) + "\"}";
    refused(413, "PayloadTooLarge", () -> client.post("/api/v1/sign/upload", json));
  }

  @Test
  void oversizedContentLengthAtSigning() {
    refused(
        413,
        "PayloadTooLarge",
        () ->
            client.post(
                "/api/v1/sign/upload",
                "{\"key\":\"a/b\",\"contentLength\":" + (MAX_OBJECT + 1) + "}"));
  }

  @Test
  void oversizedObjectWithContentLength() {
    String key = key("oversized-cl");
    JsonNode signed = signUpload("{\"key\":" + q(key) + "}");
    refused(
        413,
        "PayloadTooLarge",
        () ->
            client.send(
                signedRequest(signed)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[(int) MAX_OBJECT + 1]))
                    .build()));
    assertNoObject(key);
  }

  @Test
  void oversizedObjectWithoutContentLength() {
    String key = key("oversized-chunked");
    JsonNode signed = signUpload("{\"key\":" + q(key) + "}");
    refused(
        413,
        "PayloadTooLarge",
        () ->
            client.send(
                signedRequest(signed)
                    .PUT(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> StorageHandlersIT.generated(MAX_OBJECT * 2, 7)))
                    .build()));
    assertNoObject(key);
  }

  @Test
  void wrongSha256() {
    String key = key("wrong-sha");
    JsonNode signed =
        signUpload(
            "{\"key\":" + q(key) + ",\"sha256\":" + q(FakeBlobStore.sha256(new byte[] {1})) + "}");
    refused(
        400,
        "ChecksumMismatch",
        () ->
            client.send(
                signedRequest(signed)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {2}))
                    .build()));
    assertNoObject(key);
  }

  @Test
  void malformedSha256AtSigning() {
    refused(
        400,
        "MalformedRequest",
        () -> client.post("/api/v1/sign/upload", "{\"key\":\"a/b\",\"sha256\":\"xyz\"}"));
  }

  @Test
  void bodyLengthOtherThanTheSignedOne() {
    String key = key("wrong-length");
    JsonNode signed = signUpload("{\"key\":" + q(key) + ",\"contentLength\":5}");
    refused(
        400,
        "ContentLengthMismatch",
        () ->
            client.send(
                signedRequest(signed)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}))
                    .build()));
    // and the bound length cannot be edited out of the URL
    String stripped = signed.get("url").textValue().replace("&len=5", "");
    refused(403, "SignatureMismatch", () -> put(stripped, new byte[] {1, 2, 3}));
    assertNoObject(key);
  }

  @Test
  void contentTypeOtherThanTheSignedOne() {
    String key = key("wrong-type");
    JsonNode signed = signUpload("{\"key\":" + q(key) + ",\"contentType\":\"image/png\"}");
    refused(
        400,
        "ContentTypeMismatch",
        () ->
            client.send(
                HttpRequest.newBuilder(URI.create(signed.get("url").textValue()))
                    .header("Content-Type", "text/html")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                    .build()));
    assertNoObject(key);
  }

  // --- JSON ------------------------------------------------------------------------------------

  @Test
  void malformedJson() {
    refused(400, "MalformedJson", () -> client.post("/api/v1/sign/upload", "{\"key\":"));
    refused(400, "MalformedJson", () -> client.post("/api/v1/sign/upload", "{} trailing"));
    refused(400, "MalformedRequest", () -> client.post("/api/v1/sign/upload", "[\"a/b\"]"));
  }

  @Test
  void missingKey() {
    refused(400, "MalformedRequest", () -> client.post("/api/v1/sign/download", "{}"));
    refused(400, "MalformedRequest", () -> client.post("/api/v1/delete", "{\"key\":null}"));
  }

  @Test
  void keyNotAString() {
    refused(400, "MalformedRequest", () -> client.post("/api/v1/sign/upload", "{\"key\":42}"));
    refused(400, "MalformedRequest", () -> client.post("/api/v1/sign/upload", "{\"key\":[\"a\"]}"));
  }

  @Test
  void otherFieldsOfTheWrongType() {
    refused(
        400,
        "MalformedRequest",
        () -> client.post("/api/v1/sign/upload", "{\"key\":\"a/b\",\"contentLength\":\"5\"}"));
    refused(
        400,
        "MalformedRequest",
        () -> client.post("/api/v1/sign/upload", "{\"key\":\"a/b\",\"contentLength\":-1}"));
    refused(
        400,
        "MalformedRequest",
        () -> client.post("/api/v1/sign/upload", "{\"key\":\"a/b\",\"contentType\":7}"));
  }

  // --- methods, routes, auth ---------------------------------------------------------------------

  @Test
  void wrongMethod() {
    refused(
        405,
        "MethodNotAllowed",
        () ->
            client.send(
                HttpRequest.newBuilder(server.baseUri().resolve("/api/v1/sign/upload"))
                    .header("Authorization", "Bearer " + TOKEN)
                    .GET()
                    .build()));
    String key = key("patch");
    refused(
        405,
        "MethodNotAllowed",
        () ->
            client.send(
                HttpRequest.newBuilder(URI.create(url(key, signedQuery("PUT", key, inAMinute()))))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                    .build()));
    assertNoObject(key);
  }

  @Test
  void missingToken() {
    refused(
        401,
        "Unauthorized",
        () ->
            new StorageClient(server.baseUri(), null)
                .post("/api/v1/sign/upload", "{\"key\":\"a/b\"}"));
  }

  @Test
  void wrongToken() {
    refused(
        401,
        "Unauthorized",
        () ->
            new StorageClient(server.baseUri(), "nope")
                .post("/api/v1/sign/upload", "{\"key\":\"a/b\"}"));
  }

  @Test
  void unknownRoute() {
    refused(404, "NotFound", () -> client.post("/api/v1/sign/nothing", "{\"key\":\"a/b\"}"));
    refused(
        404,
        "NotFound",
        () -> client.send(HttpRequest.newBuilder(server.baseUri().resolve("/api/v2/x")).build()));
  }

  @Test
  void unknownObject() {
    String key = key("never-uploaded");
    refused(
        404,
        "NoSuchKey",
        () ->
            client.send(
                HttpRequest.newBuilder(URI.create(url(key, signedQuery("GET", key, inAMinute()))))
                    .GET()
                    .build()));
  }

  // --- multipart -------------------------------------------------------------------------------

  @Test
  void unknownMultipartUpload() {
    String key = key("no-upload");
    refused(
        404,
        "NoSuchUpload",
        () ->
            client.post(
                "/api/v1/multipart/list-parts",
                "{\"key\":" + q(key) + ",\"uploadId\":\"no-such-upload\"}"));
    refused(
        404,
        "NoSuchUpload",
        () ->
            client.post(
                "/api/v1/multipart/sign-parts",
                "{\"key\":" + q(key) + ",\"uploadId\":\"no-such-upload\",\"partNumbers\":[1]}"));
    // a part URL of an upload that was aborted since it was signed
    String uploadId =
        json(client.post("/api/v1/multipart/create", "{\"key\":" + q(key) + "}"))
            .get("uploadId")
            .textValue();
    JsonNode parts =
        json(client.post(
                "/api/v1/multipart/sign-parts",
                "{\"key\":" + q(key) + ",\"uploadId\":" + q(uploadId) + ",\"partNumbers\":[1]}"))
            .get("parts");
    assertThat(
            client
                .post(
                    "/api/v1/multipart/abort",
                    "{\"key\":" + q(key) + ",\"uploadId\":" + q(uploadId) + "}")
                .statusCode())
        .isEqualTo(204);
    refused(
        404,
        "NoSuchUpload",
        () ->
            client.send(
                signedRequest(parts.get(0))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                    .build()));
  }

  @Test
  void badPartNumbers() {
    String key = key("bad-part-number");
    for (String numbers : List.of("[0]", "[10001]", "[1.5]", "[\"1\"]", "[]", "7")) {
      refused(
          400,
          "MalformedRequest",
          () ->
              client.post(
                  "/api/v1/multipart/sign-parts",
                  "{\"key\":" + q(key) + ",\"uploadId\":\"u\",\"partNumbers\":" + numbers + "}"));
    }
    StringBuilder many = new StringBuilder("[1");
    for (int i = 2; i <= 1001; i++) {
      many.append(',').append(i);
    }
    String tooMany = many.append(']').toString();
    HttpResponse<String> r =
        new StorageClient(server.baseUri(), TOKEN)
            .post(
                "/api/v1/multipart/sign-parts",
                "{\"key\":" + q(key) + ",\"uploadId\":\"u\",\"partNumbers\":" + tooMany + "}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").get("code").textValue()).isEqualTo("MalformedRequest");
    String partUrl = url(key, signedQuery("PUT", key, inAMinute()) + "&uploadId=u&partNumber=0");
    refused(400, "MalformedRequest", () -> put(partUrl, new byte[] {1}));
  }

  @Test
  void completeWithTheWrongEtag() {
    String key = key("wrong-etag");
    String uploadId =
        json(client.post("/api/v1/multipart/create", "{\"key\":" + q(key) + "}"))
            .get("uploadId")
            .textValue();
    JsonNode part =
        json(client.post(
                "/api/v1/multipart/sign-parts",
                "{\"key\":" + q(key) + ",\"uploadId\":" + q(uploadId) + ",\"partNumbers\":[1]}"))
            .get("parts")
            .get(0);
    assertThat(
            client
                .send(
                    signedRequest(part)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2}))
                        .build())
                .statusCode())
        .isEqualTo(200);
    refused(
        400,
        "InvalidPart",
        () ->
            client.post(
                "/api/v1/multipart/complete",
                "{\"key\":"
                    + q(key)
                    + ",\"uploadId\":"
                    + q(uploadId)
                    + ",\"parts\":[{\"partNumber\":1,\"etag\":\"not-the-etag\"}]}"));
    refused(
        400,
        "MalformedRequest",
        () ->
            client.post(
                "/api/v1/multipart/complete",
                "{\"key\":"
                    + q(key)
                    + ",\"uploadId\":"
                    + q(uploadId)
                    + ",\"parts\":[{\"partNumber\":2,\"etag\":\"a\"},{\"partNumber\":1,\"etag\":\"b\"}]}"));
    assertNoObject(key);
    client.post(
        "/api/v1/multipart/abort", "{\"key\":" + q(key) + ",\"uploadId\":" + q(uploadId) + "}");
  }

  // --- conditional and ranges --------------------------------------------------------------------

  @Test
  void ifNoneMatchOnAnExistingObject() {
    String key = key("exists");
    JsonNode first = signUpload("{\"key\":" + q(key) + "}");
    assertThat(
            client
                .send(
                    signedRequest(first)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                        .build())
                .statusCode())
        .isEqualTo(200);
    JsonNode again = signUpload("{\"key\":" + q(key) + "}");
    refused(
        412,
        "PreconditionFailed",
        () ->
            client.send(
                signedRequest(again)
                    .header("If-None-Match", "*")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {2, 2}))
                    .build()));
  }

  @Test
  void unsatisfiableRange() {
    String key = key("range");
    JsonNode up = signUpload("{\"key\":" + q(key) + "}");
    assertThat(
            client
                .send(
                    signedRequest(up)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}))
                        .build())
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> r =
        refused(
            416,
            "RangeNotSatisfiable",
            () ->
                client.send(
                    HttpRequest.newBuilder(
                            URI.create(url(key, signedQuery("GET", key, inAMinute()))))
                        .header("Range", "bytes=3-")
                        .GET()
                        .build()));
    assertThat(r.headers().firstValue("Content-Range")).contains("bytes */3");
  }
}
