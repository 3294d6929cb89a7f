package dev.filesync.server;

import static dev.filesync.server.SyncClient.json;
import static dev.filesync.server.SyncClient.q;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input gets the status and error code of docs/sync-protocol.md, a JSON error
 * body, and appends nothing.
 */
class BadInputIT {

  static final String TOKEN = "bad-input-token";
  static final String STORE = "bad/store";
  static final int SEEDED = 3;

  @TempDir static Path data;
  static FileSyncServer server;
  static SyncClient client;
  static String backendId;

  @BeforeAll
  static void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(data)
                    .token(TOKEN, List.of("bad/*"))
                    .maxBatch(5)
                    .build())
            .start();
    client = new SyncClient(server.baseUri(), TOKEN);
    HttpResponse<String> seeded = client.push(STORE, SyncClient.batch(1, SEEDED));
    assertThat(seeded.statusCode()).as(seeded.body()).isEqualTo(200);
    backendId = json(seeded).get("backendId").textValue();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A bad request: how to build it from the client, and the answer expected. */
  record Case(String label, Function<SyncClient, HttpRequest> request, int status, String code) {
    @Override
    public String toString() {
      return label;
    }
  }

  static HttpRequest push(SyncClient c, String body) {
    return pushTo(c, STORE, body);
  }

  static HttpRequest pushTo(SyncClient c, String store, String body) {
    return c.request("/sync/v1/push?storeId=" + q(store))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** A push of one event on the head, with the given envelope text. */
  static HttpRequest pushEvent(SyncClient c, String event) {
    return push(c, "{\"batch\":[" + event + "]}");
  }

  static String next() {
    return next("{\"n\":1}");
  }

  static String next(String args) {
    return SyncClient.event(SEEDED + 1, args);
  }

  static String named(String name, String args) {
    return "{\"name\":\""
        + name
        + "\",\"args\":"
        + args
        + ",\"seqNum\":4,\"parentSeqNum\":3,\"clientId\":\"c\",\"sessionId\":\"s\"}";
  }

  static HttpRequest get(SyncClient c, String pathAndQuery) {
    return c.request(pathAndQuery).GET().build();
  }

  static final String DATE = "\"2025-01-01T10:00:00.000Z\"";

  static Stream<Arguments> cases() {
    byte[] huge = new byte[1024 * 1024 + 10];
    Arrays.fill(huge, (byte) ' ');
    List<Case> cases = new ArrayList<>();
    // JSON and request shape
    cases.add(new Case("malformed JSON", c -> push(c, "{\"batch\": [}"), 400, "MalformedJson"));
    cases.add(new Case("empty body", c -> push(c, ""), 400, "MalformedJson"));
    cases.add(
        new Case(
            "trailing garbage", c -> push(c, SyncClient.batch(4, 1) + "x"), 400, "MalformedJson"));
    cases.add(
        new Case(
            "duplicate key",
            c -> push(c, "{\"batch\":[" + next() + "],\"batch\":[]}"),
            400,
            "MalformedJson"));
    cases.add(new Case("body not an object", c -> push(c, "[1]"), 400, "MalformedRequest"));
    cases.add(new Case("missing batch", c -> push(c, "{}"), 400, "MalformedRequest"));
    cases.add(
        new Case("batch not an array", c -> push(c, "{\"batch\":{}}"), 400, "MalformedRequest"));
    cases.add(
        new Case(
            "unknown request field",
            c -> push(c, "{\"batch\":[" + next() + "],\"extra\":1}"),
            400,
            "MalformedRequest"));
    cases.add(
        new Case(
            "backendId not a string",
            c -> push(c, "{\"batch\":[" + next() + "],\"backendId\":5}"),
            400,
            "MalformedRequest"));
    cases.add(new Case("empty batch", c -> push(c, "{\"batch\":[]}"), 400, "BatchTooLarge"));
    cases.add(
        new Case("too many events", c -> push(c, SyncClient.batch(4, 6)), 400, "BatchTooLarge"));
    // envelope
    cases.add(
        new Case("event not an object", c -> push(c, "{\"batch\":[7]}"), 400, "MalformedEvent"));
    cases.add(
        new Case(
            "non-integer seqNum",
            c -> pushEvent(c, next().replace("\"seqNum\":4", "\"seqNum\":4.5")),
            400,
            "MalformedEvent"));
    cases.add(
        new Case(
            "seqNum as a string",
            c -> pushEvent(c, next().replace("\"seqNum\":4", "\"seqNum\":\"4\"")),
            400,
            "MalformedEvent"));
    cases.add(
        new Case(
            "missing clientId",
            c -> pushEvent(c, next().replace("\"clientId\":\"client-a\",", "")),
            400,
            "MalformedEvent"));
    cases.add(new Case("empty name", c -> pushEvent(c, named("", "{}")), 400, "MalformedEvent"));
    cases.add(
        new Case(
            "control character in sessionId",
            c -> pushEvent(c, next().replace("\"s-1\"", "\"s\\u0007\"")),
            400,
            "MalformedEvent"));
    cases.add(
        new Case(
            "unknown envelope field",
            c -> pushEvent(c, next().replace("{\"name\"", "{\"extra\":true,\"name\"")),
            400,
            "MalformedEvent"));
    cases.add(
        new Case("args not an object", c -> pushEvent(c, next("[1,2]")), 400, "MalformedEvent"));
    cases.add(
        new Case(
            "negative parentSeqNum",
            c ->
                pushEvent(
                    c,
                    next()
                        .replace(
                            "\"seqNum\":4,\"parentSeqNum\":3", "\"seqNum\":0,\"parentSeqNum\":-1")),
            400,
            "MalformedEvent"));
    // contiguity
    cases.add(
        new Case(
            "seqNum is not parentSeqNum + 1",
            c -> pushEvent(c, next().replace("\"seqNum\":4", "\"seqNum\":5")),
            400,
            "NonContiguousBatch"));
    cases.add(
        new Case(
            "non-contiguous batch",
            c -> push(c, "{\"batch\":[" + next() + "," + SyncClient.event(6, "{}") + "]}"),
            400,
            "NonContiguousBatch"));
    // client-only events
    cases.add(
        new Case(
            "client-only LocalFileState event",
            c -> pushEvent(c, named("v1.LocalFileStateUpsert", "{}")),
            400,
            "ClientOnlyEvent"));
    cases.add(
        new Case(
            "client-only ThumbnailConfigSet",
            c -> pushEvent(c, named("v1.ThumbnailConfigSet", "{}")),
            400,
            "ClientOnlyEvent"));
    cases.add(
        new Case(
            "client document set event",
            c -> pushEvent(c, named("fileSyncCursorSet", "{}")),
            400,
            "ClientOnlyEvent"));
    // args of the reference's file events
    String created =
        "{\"id\":\"f\",\"path\":\"p\",\"contentHash\":\"h\",\"createdAt\":"
            + DATE
            + ",\"updatedAt\":"
            + DATE
            + "}";
    cases.add(
        new Case(
            "FileCreated with createdAt 0",
            c ->
                pushEvent(
                    c,
                    named(
                        "v1.FileCreated",
                        created.replace("\"createdAt\":" + DATE, "\"createdAt\":0"))),
            400,
            "InvalidArgs"));
    cases.add(
        new Case(
            "FileCreated without contentHash",
            c ->
                pushEvent(
                    c, named("v1.FileCreated", created.replace("\"contentHash\":\"h\",", ""))),
            400,
            "InvalidArgs"));
    cases.add(
        new Case(
            "FileCreated with a date without milliseconds",
            c ->
                pushEvent(
                    c,
                    named(
                        "v1.FileCreated",
                        created.replace(DATE + "}", "\"2025-01-01T10:00:00Z\"}"))),
            400,
            "InvalidArgs"));
    cases.add(
        new Case(
            "FileCreated with February 30th",
            c ->
                pushEvent(
                    c,
                    named(
                        "v1.FileCreated",
                        created.replace(DATE + "}", "\"2025-02-30T10:00:00.000Z\"}"))),
            400,
            "InvalidArgs"));
    cases.add(
        new Case(
            "FileCreated with a numeric metadataJson",
            c ->
                pushEvent(
                    c,
                    named(
                        "v1.FileCreated",
                        created.replace("{\"id\"", "{\"metadataJson\":3,\"id\""))),
            400,
            "InvalidArgs"));
    cases.add(
        new Case(
            "FileUpdated without remoteKey",
            c ->
                pushEvent(
                    c,
                    named(
                        "v1.FileUpdated",
                        "{\"id\":\"f\",\"path\":\"p\",\"contentHash\":\"h\",\"updatedAt\":"
                            + DATE
                            + "}")),
            400,
            "InvalidArgs"));
    cases.add(
        new Case(
            "FileDeleted with a local-time deletedAt",
            c ->
                pushEvent(
                    c,
                    named(
                        "v1.FileDeleted",
                        "{\"id\":\"f\",\"deletedAt\":\"2025-01-01T10:00:00.000\"}")),
            400,
            "InvalidArgs"));
    // store id
    cases.add(new Case("missing storeId", c -> get(c, "/sync/v1/head"), 400, "InvalidStoreId"));
    cases.add(
        new Case(
            "storeId with a control character",
            c -> pushTo(c, "bad/\u0001", SyncClient.batch(1, 1)),
            400,
            "InvalidStoreId"));
    cases.add(
        new Case(
            "storeId too long",
            c -> get(c, "/sync/v1/pull?storeId=bad/" + "x".repeat(300)),
            400,
            "InvalidStoreId"));
    // auth
    cases.add(
        new Case(
            "missing token",
            c ->
                new SyncClient(c.base, null)
                    .request("/sync/v1/push?storeId=" + q(STORE))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(SyncClient.batch(4, 1)))
                    .build(),
            401,
            "Unauthorized"));
    cases.add(
        new Case(
            "wrong token",
            c -> pushTo(new SyncClient(c.base, "nope"), STORE, SyncClient.batch(4, 1)),
            401,
            "Unauthorized"));
    cases.add(
        new Case(
            "store not granted",
            c -> pushTo(c, "other/store", SyncClient.batch(1, 1)),
            403,
            "Forbidden"));
    // routes, methods, media types, sizes
    cases.add(
        new Case(
            "wrong method",
            c -> get(c, "/sync/v1/push?storeId=bad/store"),
            405,
            "MethodNotAllowed"));
    cases.add(
        new Case(
            "DELETE on pull",
            c -> c.request("/sync/v1/pull?storeId=bad/store").DELETE().build(),
            405,
            "MethodNotAllowed"));
    cases.add(
        new Case(
            "HEAD on pull",
            c ->
                c.request("/sync/v1/pull?storeId=bad/store")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
            405,
            "MethodNotAllowed"));
    cases.add(new Case("unknown route", c -> get(c, "/sync/v1/nope"), 404, "NotFound"));
    cases.add(
        new Case(
            "wrong content type",
            c ->
                c.request("/sync/v1/push?storeId=" + q(STORE))
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(SyncClient.batch(4, 1)))
                    .build(),
            415,
            "UnsupportedMediaType"));
    cases.add(
        new Case(
            "body over the limit (Content-Length)",
            c ->
                c.request("/sync/v1/push?storeId=" + q(STORE))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
                    .build(),
            413,
            "PayloadTooLarge"));
    cases.add(
        new Case(
            "body over the limit (chunked, no Content-Length)",
            c ->
                c.request("/sync/v1/push?storeId=" + q(STORE))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(huge)))
                    .build(),
            413,
            "PayloadTooLarge"));
    // query parameters
    cases.add(
        new Case(
            "after not a number",
            c -> get(c, "/sync/v1/pull?storeId=bad/store&after=abc"),
            400,
            "MalformedRequest"));
    cases.add(
        new Case(
            "negative after",
            c -> get(c, "/sync/v1/pull?storeId=bad/store&after=-1"),
            400,
            "MalformedRequest"));
    cases.add(
        new Case(
            "limit 0",
            c -> get(c, "/sync/v1/pull?storeId=bad/store&limit=0"),
            400,
            "MalformedRequest"));
    cases.add(
        new Case(
            "limit over 1000",
            c -> get(c, "/sync/v1/pull?storeId=bad/store&limit=1001"),
            400,
            "MalformedRequest"));
    cases.add(
        new Case(
            "waitMs over the maximum",
            c -> get(c, "/sync/v1/pull?storeId=bad/store&waitMs=30001"),
            400,
            "MalformedRequest"));
    // conflicts
    cases.add(
        new Case(
            "wrong backendId",
            c -> push(c, SyncClient.batch(4, 1, "b-ffffffffffffffff")),
            409,
            "BackendIdMismatch"));
    cases.add(new Case("stale parent", c -> push(c, SyncClient.batch(2, 2)), 409, "ServerAhead"));
    return cases.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRefusedWithItsCodeAndAppendsNothing(Case badInput) {
    HttpRequest request = badInput.request().apply(client);
    HttpResponse<String> r = client.send(request);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(badInput.status());
    if (request.method().equals("HEAD")) {
      // A HEAD answer has no body.
      assertThat(client.headOf(STORE)).isEqualTo(SEEDED);
      return;
    }
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode error = json(r).get("error");
    assertThat(error).as(r.body()).isNotNull();
    assertThat(error.get("code").textValue()).isEqualTo(badInput.code());
    assertThat(error.get("message").textValue()).isNotBlank();
    if (badInput.code().equals("ServerAhead")) {
      assertThat(error.get("head").longValue()).isEqualTo(SEEDED);
      assertThat(json(r).get("backendId").textValue()).isEqualTo(backendId);
    }
    if (badInput.code().equals("BackendIdMismatch")) {
      assertThat(json(r).get("backendId").textValue()).isEqualTo(backendId);
    }
    assertThat(client.headOf(STORE)).isEqualTo(SEEDED);
    assertThat(json(client.pull(STORE, "")).get("events").size()).isEqualTo(SEEDED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theMessageNamesNoServerConfiguration(Case badInput) {
    String body = client.send(badInput.request().apply(client)).body();
    assertThat(body).doesNotContain(data.toString()).doesNotContain(TOKEN);
  }
}
