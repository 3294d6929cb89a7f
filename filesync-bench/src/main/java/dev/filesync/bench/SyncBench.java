package dev.filesync.bench;

import dev.filesync.bench.BenchSchema.NoteAdded;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.Event;
import dev.filesync.store.GlobalEvent;
import dev.filesync.store.HttpSyncBackend;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.SyncBackend;
import dev.filesync.store.SyncBackendException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Events per second pushed and pulled through the sync server on loopback (SQLite event log), by
 * the store's sync client, beside raw HTTP requests carrying the same batches and pages.
 *
 * <p>Run: {@code bin/bench sync [events]} (default 20000).
 */
public final class SyncBench {
  private static final String TOKEN = "bench-token";

  private SyncBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Path tmp = Files.createTempDirectory("filesync-bench-sync");
    try (FileSyncServer server =
        FileSyncServer.create(
                ServerConfig.builder()
                    .port(0)
                    .dataDirectory(tmp.resolve("server"))
                    .token(TOKEN, List.of("*"))
                    .build())
            .start()) {
      URI base = server.baseUri();
      System.out.printf(
          Locale.ROOT, "filesync sync benchmark: %d events, server %s (SQLite log)%n%n", n, base);

      // push: commit everything while the network is "cut", then open it and time until confirmed
      Gate gate = new Gate(HttpSyncBackend.builder(base).token(TOKEN).build());
      double pushRate;
      try (Store a =
          Store.open(
              StoreConfig.builder(tmp.resolve("a"), "bench", BenchSchema.schema("1"))
                  .syncBackend(gate)
                  .build())) {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        for (int done = 0; done < n; done += 100) {
          List<Event<?>> batch = new ArrayList<>();
          for (int i = done; i < Math.min(n, done + 100); i++) {
            batch.add(BenchSchema.NOTE_ADDED.of(new NoteAdded("n" + i, "note number " + i, now)));
          }
          a.commit(batch.toArray(Event<?>[]::new));
        }
        long t0 = System.nanoTime();
        gate.open = true;
        a.syncNow();
        if (!a.awaitSynced(Duration.ofMinutes(10))) {
          throw new IllegalStateException("push did not finish: " + a.syncState());
        }
        pushRate = n / ((System.nanoTime() - t0) / 1e9);
      }

      double pullRate;
      long t0 = System.nanoTime();
      try (Store b =
          Store.open(
              StoreConfig.builder(tmp.resolve("b"), "bench", BenchSchema.schema("1"))
                  .syncBackend(HttpSyncBackend.builder(base).token(TOKEN).build())
                  .build())) {
        if (!b.awaitSynced(Duration.ofMinutes(10)) || b.syncState().upstreamHead() != n) {
          throw new IllegalStateException("pull did not finish: " + b.syncState());
        }
        pullRate = n / ((System.nanoTime() - t0) / 1e9);
      }

      double[] raw = rawHttp(base, n);
      System.out.printf(
          Locale.ROOT,
          "%-30s %10.0f events/s   (raw HTTP POST of the same 100-event batches: %.0f events/s)%n",
          "push (store sync client)",
          pushRate,
          raw[0]);
      System.out.printf(
          Locale.ROOT,
          "%-30s %10.0f events/s   (raw HTTP GET of the same 500-event pages: %.0f events/s)%n",
          "pull (store sync client)",
          pullRate,
          raw[1]);
    } finally {
      StoreBench.deleteTree(tmp);
    }
  }

  /** The server's own ceiling: prebuilt JSON batches and pages over plain java.net.http. */
  private static double[] rawHttp(URI base, int n) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> bodies = new ArrayList<>();
    for (int done = 0; done < n; done += 100) {
      StringBuilder sb = new StringBuilder("{\"batch\":[");
      for (int i = done; i < Math.min(n, done + 100); i++) {
        if (i > done) {
          sb.append(',');
        }
        sb.append("{\"name\":\"v1.NoteAdded\",\"args\":{\"id\":\"n")
            .append(i)
            .append("\",\"title\":\"note number ")
            .append(i)
            .append("\",\"createdAt\":\"2025-01-01T00:00:00.000Z\"},\"seqNum\":")
            .append(i + 1)
            .append(",\"parentSeqNum\":")
            .append(i)
            .append(",\"clientId\":\"raw\",\"sessionId\":\"raw\"}");
      }
      bodies.add(sb.append("]}").toString());
    }
    long t0 = System.nanoTime();
    for (String body : bodies) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/sync/v1/push?storeId=raw"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("raw push: " + r.statusCode() + " " + r.body());
      }
    }
    double push = n / ((System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    for (int after = 0; after < n; after += 500) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      base.resolve("/sync/v1/pull?storeId=raw&after=" + after + "&limit=500"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("raw pull: " + r.statusCode());
      }
    }
    double pull = n / ((System.nanoTime() - t0) / 1e9);
    http.close();
    return new double[] {push, pull};
  }

  /** A backend that refuses everything until opened, so the push can be timed from one instant. */
  private static final class Gate implements SyncBackend {
    private final SyncBackend delegate;
    volatile boolean open;

    Gate(SyncBackend delegate) {
      this.delegate = delegate;
    }

    private void check() throws SyncBackendException {
      if (!open) {
        throw new SyncBackendException("gate closed", 0, null, true, null);
      }
    }

    @Override
    public PullResult pull(String storeId, long after, int limit, Duration wait)
        throws SyncBackendException {
      check();
      return delegate.pull(storeId, after, limit, wait);
    }

    @Override
    public PushResult push(String storeId, String backendId, List<GlobalEvent> batch)
        throws SyncBackendException {
      check();
      return delegate.push(storeId, backendId, batch);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
