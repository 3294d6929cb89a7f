package dev.filesync.server;

import static dev.filesync.server.SyncClient.json;
import static dev.filesync.server.SyncClient.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sync API end to end: a real server on 127.0.0.1:0 driven by java.net.http. */
class SyncServerIT {

  static final long GUARD_SECONDS = 30;
  static final String TOKEN = "it-token";

  @TempDir static Path data;
  static FileSyncServer server;
  static SyncClient client;

  String store;

  @BeforeAll
  static void start() throws Exception {
    server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(data)
                    .token(TOKEN, List.of("*"))
                    .token("limited", List.of("user-42/*"))
                    .ssePingInterval(Duration.ofMillis(300))
                    .build())
            .start();
    client = new SyncClient(server.baseUri(), TOKEN);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void pickStore() {
    store = "it/" + UUID.randomUUID();
  }

  @Test
  void healthSaysOkAndNothingElse() {
    HttpResponse<String> r =
        new SyncClient(server.baseUri(), null)
            .send(HttpRequest.newBuilder(server.baseUri().resolve("/health")).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void anEmptyStoreHasHeadZeroAndAFixedBackendId() {
    JsonNode head = json(client.head(store));
    assertThat(head.get("head").longValue()).isZero();
    String backendId = head.get("backendId").textValue();
    assertThat(backendId).matches("b-[0-9a-f]{16}");

    JsonNode pull = json(client.pull(store, ""));
    assertThat(pull.get("backendId").textValue()).isEqualTo(backendId);
    assertThat(pull.get("head").longValue()).isZero();
    assertThat(pull.get("events").size()).isZero();
    assertThat(pull.get("pageInfo").get("_tag").textValue()).isEqualTo("NoMore");
  }

  @Test
  void pushThenPullReturnsTheEventsWithArgsTextUnchanged() {
    String args =
        "{\"id\":\"f1\",\"path\":\"p\",\"contentHash\":\"h\",\"metadataJson\":null,"
            + "\"createdAt\":\"2025-01-01T10:00:00.000Z\",\"updatedAt\":\"2025-01-01T10:00:00.000Z\","
            + "\"zeta\":1.50,\"alpha\":[1e3]}";
    String body =
        "{\"batch\":[{\"name\":\"v1.FileCreated\",\"args\":"
            + args
            + ",\"seqNum\":1,\"parentSeqNum\":0,\"clientId\":\"laptop\",\"sessionId\":\"s\"}]}";
    HttpResponse<String> push = client.push(store, body);
    assertThat(push.statusCode()).as(push.body()).isEqualTo(200);
    JsonNode pushed = json(push);
    assertThat(pushed.get("head").longValue()).isEqualTo(1);

    HttpResponse<String> pull = client.pull(store, "&after=0");
    assertThat(pull.statusCode()).isEqualTo(200);
    assertThat(pull.body()).contains("\"args\":" + args + ",");
    JsonNode page = json(pull);
    assertThat(page.get("backendId").textValue()).isEqualTo(pushed.get("backendId").textValue());
    JsonNode e = page.get("events").get(0);
    assertThat(e.get("name").textValue()).isEqualTo("v1.FileCreated");
    assertThat(e.get("seqNum").longValue()).isEqualTo(1);
    assertThat(e.get("parentSeqNum").longValue()).isZero();
    assertThat(e.get("clientId").textValue()).isEqualTo("laptop");
    assertThat(e.get("sessionId").textValue()).isEqualTo("s");
  }

  @Test
  void pullPagesThroughALongLog() {
    for (long first = 1; first <= 250; first += 100) {
      assertThat(
              client
                  .push(store, SyncClient.batch(first, (int) Math.min(100, 251 - first)))
                  .statusCode())
          .isEqualTo(200);
    }
    JsonNode p1 = json(client.pull(store, "&after=0&limit=100"));
    assertThat(p1.get("head").longValue()).isEqualTo(250);
    assertThat(p1.get("events").size()).isEqualTo(100);
    assertThat(p1.get("pageInfo").get("_tag").textValue()).isEqualTo("MoreKnown");
    assertThat(p1.get("pageInfo").get("remaining").longValue()).isEqualTo(150);

    JsonNode p3 = json(client.pull(store, "&after=200&limit=100"));
    assertThat(p3.get("events").size()).isEqualTo(50);
    assertThat(p3.get("events").get(0).get("seqNum").longValue()).isEqualTo(201);
    assertThat(p3.get("pageInfo").get("_tag").textValue()).isEqualTo("NoMore");

    JsonNode defaults = json(client.pull(store, ""));
    assertThat(defaults.get("events").size()).isEqualTo(100);
  }

  @Test
  void aStalePushGetsServerAheadThenSucceedsAfterRebasing() {
    String backendId = json(client.head(store)).get("backendId").textValue();
    assertThat(client.push(store, SyncClient.batch(1, 3)).statusCode()).isEqualTo(200);

    HttpResponse<String> stale = client.push(store, SyncClient.batch(2, 1, backendId));
    assertThat(stale.statusCode()).isEqualTo(409);
    JsonNode error = json(stale);
    assertThat(error.get("error").get("code").textValue()).isEqualTo("ServerAhead");
    assertThat(error.get("error").get("head").longValue()).isEqualTo(3);
    assertThat(error.get("backendId").textValue()).isEqualTo(backendId);

    HttpResponse<String> rebased = client.push(store, SyncClient.batch(4, 2, backendId));
    assertThat(rebased.statusCode()).isEqualTo(200);
    assertThat(json(rebased).get("head").longValue()).isEqualTo(5);
  }

  @Test
  void aPushWithAnotherBackendIdIsRefused() {
    String backendId = json(client.head(store)).get("backendId").textValue();
    HttpResponse<String> r = client.push(store, SyncClient.batch(1, 1, "b-0000000000000000"));
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(json(r).get("error").get("code").textValue()).isEqualTo("BackendIdMismatch");
    assertThat(json(r).get("backendId").textValue()).isEqualTo(backendId);
    assertThat(client.headOf(store)).isZero();
  }

  @Test
  void aLongPollIsAnsweredByAPush() throws Exception {
    client.push(store, SyncClient.batch(1, 1));
    CompletableFuture<HttpResponse<String>> poll =
        client.http.sendAsync(
            client
                .request("/sync/v1/pull?storeId=" + q(store) + "&after=1&waitMs=30000")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(client.push(store, SyncClient.batch(2, 1)).statusCode()).isEqualTo(200);
    HttpResponse<String> r = poll.get(GUARD_SECONDS, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode page = json(r);
    assertThat(page.get("events").get(0).get("seqNum").longValue()).isEqualTo(2);
  }

  @Test
  void aLongPollWithoutEventsAnswersEmptyWhenTheTimePasses() {
    client.push(store, SyncClient.batch(1, 1));
    JsonNode page = json(client.pull(store, "&after=1&waitMs=100"));
    assertThat(page.get("head").longValue()).isEqualTo(1);
    assertThat(page.get("events").size()).isZero();
    assertThat(page.get("pageInfo").get("_tag").textValue()).isEqualTo("NoMore");
  }

  /** Reads an SSE stream on a virtual thread into a queue of lines. */
  static final class SseReader implements AutoCloseable {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final HttpResponse<Stream<String>> response;
    final Thread reader;

    SseReader(SyncClient client, String query) throws Exception {
      response =
          client
              .http
              .sendAsync(
                  client
                      .request("/sync/v1/live?" + query)
                      .header("Accept", "text/event-stream")
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofLines())
              .get(GUARD_SECONDS, TimeUnit.SECONDS);
      reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Stream<String> s = response.body()) {
                      s.forEach(lines::add);
                    } catch (RuntimeException e) {
                      // the stream was closed by close()
                    }
                  });
    }

    /** The next message: its event name and data, skipping comments. */
    String[] nextMessage() throws InterruptedException {
      String event = null;
      StringBuilder data = new StringBuilder();
      while (true) {
        String line = lines.poll(GUARD_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
          throw new AssertionError("no SSE line within " + GUARD_SECONDS + " s");
        }
        if (line.isEmpty()) {
          if (event != null || !data.isEmpty()) {
            return new String[] {event, data.toString()};
          }
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(data.isEmpty() ? "" : "\n").append(line.substring(6));
        }
      }
    }

    /** Waits for a comment line. */
    String nextComment() throws InterruptedException {
      while (true) {
        String line = lines.poll(GUARD_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
          throw new AssertionError("no SSE comment within " + GUARD_SECONDS + " s");
        }
        if (line.startsWith(":")) {
          return line;
        }
      }
    }

    @Override
    public void close() {
      reader.interrupt();
      response.body().close();
    }
  }

  @Test
  void liveSendsTheBacklogInPagesThenEachNewBatchAndPings() throws Exception {
    client.push(store, SyncClient.batch(1, 100));
    client.push(store, SyncClient.batch(101, 50));
    try (SseReader sse = new SseReader(client, "storeId=" + q(store) + "&after=20&limit=100")) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      assertThat(sse.response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/event-stream");

      String[] first = sse.nextMessage();
      assertThat(first[0]).isEqualTo("events");
      JsonNode p1 = SyncClient.MAPPER.readTree(first[1]);
      assertThat(p1.get("events").size()).isEqualTo(100);
      assertThat(p1.get("events").get(0).get("seqNum").longValue()).isEqualTo(21);
      assertThat(p1.get("pageInfo").get("remaining").longValue()).isEqualTo(30);

      JsonNode p2 = SyncClient.MAPPER.readTree(sse.nextMessage()[1]);
      assertThat(p2.get("events").size()).isEqualTo(30);
      assertThat(p2.get("pageInfo").get("_tag").textValue()).isEqualTo("NoMore");

      assertThat(client.push(store, SyncClient.batch(151, 2)).statusCode()).isEqualTo(200);
      JsonNode live = SyncClient.MAPPER.readTree(sse.nextMessage()[1]);
      assertThat(live.get("head").longValue()).isEqualTo(152);
      List<Long> seqs = new ArrayList<>();
      live.get("events").forEach(e -> seqs.add(e.get("seqNum").longValue()));
      assertThat(seqs).containsExactly(151L, 152L);

      assertThat(sse.nextComment()).isEqualTo(": ping");
    }
  }

  @Test
  void liveOnAnEmptyStoreSendsAnEmptyFirstMessageThenEvents() throws Exception {
    try (SseReader sse = new SseReader(client, "storeId=" + q(store))) {
      JsonNode hello = SyncClient.MAPPER.readTree(sse.nextMessage()[1]);
      assertThat(hello.get("head").longValue()).isZero();
      assertThat(hello.get("events").size()).isZero();
      assertThat(hello.get("backendId").textValue()).matches("b-[0-9a-f]{16}");

      String args = "{\n  \"multi\": \"line\"\n}";
      String body = "{\"batch\":[" + SyncClient.event(1, args) + "]}";
      assertThat(client.push(store, body).statusCode()).isEqualTo(200);
      String[] message = sse.nextMessage();
      assertThat(message[1]).contains(args);
      assertThat(SyncClient.MAPPER.readTree(message[1]).get("events").size()).isEqualTo(1);
    }
  }

  @Test
  void aPrefixTokenGrantsOnlyItsStores() {
    SyncClient limited = new SyncClient(server.baseUri(), "limited");
    assertThat(limited.head("user-42/main").statusCode()).isEqualTo(200);
    assertThat(limited.head("user-420/x").statusCode()).isEqualTo(403);
  }

  @Test
  void aCustomAuthenticatorDecides(@TempDir Path own) throws Exception {
    ServerConfig config =
        ServerConfig.builder()
            .port(0)
            .dataDirectory(own)
            .authenticator(t -> t.equals("custom") ? Optional.of(List.of("a/*")) : Optional.empty())
            .build();
    try (FileSyncServer s = FileSyncServer.create(config).start()) {
      assertThat(new SyncClient(s.baseUri(), "custom").head("a/1").statusCode()).isEqualTo(200);
      assertThat(new SyncClient(s.baseUri(), "custom").head("b/1").statusCode()).isEqualTo(403);
      assertThat(new SyncClient(s.baseUri(), "other").head("a/1").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void aServerWithoutTokensRefusesToStart() {
    ServerConfig config = ServerConfig.builder().port(0).dataDirectory(data.resolve("x")).build();
    assertThatThrownBy(() -> FileSyncServer.create(config).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no bearer token");
  }

  @Test
  void restartsOnTheSamePortWithTheSameData(@TempDir Path own) throws Exception {
    ServerConfig config =
        ServerConfig.builder().port(0).dataDirectory(own).token(TOKEN, List.of("*")).build();
    String backendId;
    int port;
    try (FileSyncServer first = FileSyncServer.create(config).start()) {
      port = first.port();
      SyncClient c = new SyncClient(first.baseUri(), TOKEN);
      assertThat(c.push("s", SyncClient.batch(1, 3)).statusCode()).isEqualTo(200);
      backendId = json(c.head("s")).get("backendId").textValue();
    }
    try (FileSyncServer second =
        FileSyncServer.create(config.toBuilder().port(port).build()).start()) {
      assertThat(second.port()).isEqualTo(port);
      SyncClient c = new SyncClient(second.baseUri(), TOKEN);
      JsonNode head = json(c.head("s"));
      assertThat(head.get("head").longValue()).isEqualTo(3);
      assertThat(head.get("backendId").textValue()).isEqualTo(backendId);
    }
  }

  @Test
  void closeEndsOpenLiveStreamsAndLongPolls(@TempDir Path own) throws Exception {
    ServerConfig config =
        ServerConfig.builder().port(0).dataDirectory(own).token(TOKEN, List.of("*")).build();
    FileSyncServer s = FileSyncServer.create(config).start();
    try {
      SyncClient c = new SyncClient(s.baseUri(), TOKEN);
      try (SseReader sse = new SseReader(c, "storeId=x")) {
        sse.nextMessage();
        CompletableFuture<HttpResponse<String>> poll =
            c.http.sendAsync(
                c.request("/sync/v1/pull?storeId=x&waitMs=30000").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        // Bounded wait until both requests are parked on the server, so close() must end them.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (s.waitingRequests() < 2) {
          assertThat(System.nanoTime()).as("requests never parked").isLessThan(deadline);
          assertThat(poll).isNotDone();
          Thread.onSpinWait();
        }
        CompletableFuture.runAsync(s::close).get(GUARD_SECONDS, TimeUnit.SECONDS);
        // the long poll must end, not hang: with an answer, or with the connection closed (the JDK
        // client may then retry the GET once and find the port closed)
        try {
          HttpResponse<String> answer = poll.get(GUARD_SECONDS, TimeUnit.SECONDS);
          assertThat(answer.statusCode()).isIn(200, 500);
        } catch (java.util.concurrent.ExecutionException ended) {
          assertThat(ended.getCause()).isInstanceOf(java.io.IOException.class);
        }
        sse.reader.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
        assertThat(sse.reader.isAlive()).as("the live stream ended").isFalse();
      }
    } finally {
      s.close();
    }
  }
}
