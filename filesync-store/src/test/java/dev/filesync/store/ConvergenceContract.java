package dev.filesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.server.FileSyncServer;
import dev.filesync.server.LogEvent;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.TaskSchema.CounterMixed;
import dev.filesync.store.TaskSchema.TaskAdded;
import dev.filesync.store.TaskSchema.TaskDeleted;
import dev.filesync.store.TaskSchema.TaskRenamed;
import dev.filesync.store.TaskSchema.UiSet;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients in separate data directories sync through a real {@link FileSyncServer} on loopback and
 * must converge. Subclasses choose the server's event log (SQLite or PostgreSQL).
 */
abstract class ConvergenceContract {
  static final String TOKEN = "test-token";
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir Path dir;
  private FileSyncServer server;
  private int port;
  private final List<Client> clients = new ArrayList<>();

  /** The server configuration without port, for this event log. */
  abstract ServerConfig.Builder serverConfig(Path dataDirectory, String storeIdSalt);

  private String storeId;

  record Client(Store store, FaultySyncBackend backend) {}

  @AfterEach
  void tearDown() throws Exception {
    for (Client c : clients) {
      c.store().close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void startServer() throws Exception {
    server =
        FileSyncServer.create(serverConfig(dir.resolve("server"), storeId).port(port).build())
            .start();
    port = server.port();
  }

  private Client client(String name) throws Exception {
    FaultySyncBackend backend =
        new FaultySyncBackend(
            HttpSyncBackend.builder(URI.create("http://127.0.0.1:" + port)).token(TOKEN).build());
    Store store =
        Store.open(
            StoreConfig.builder(dir.resolve(name), storeId, TaskSchema.SCHEMA)
                .syncBackend(backend)
                .pullWait(Duration.ofSeconds(5))
                .backoff(Duration.ofMillis(10), Duration.ofMillis(200))
                .build());
    Client c = new Client(store, backend);
    clients.add(c);
    return c;
  }

  @Test
  void twoClientsConverge() throws Exception {
    converge(2, 40);
  }

  @Test
  void fiveClientsConverge() throws Exception {
    converge(5, 20);
  }

  private void converge(int n, int perClient) throws Exception {
    storeId = "conv-" + n + "/" + System.nanoTime();
    startServer();
    List<Client> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(client("c" + i));
    }
    List<Thread> writers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Client c = cs.get(i);
      int me = i;
      writers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int k = 0; k < perClient; k++) {
                        c.store()
                            .commit(
                                TaskSchema.TASK_ADDED.of(
                                    new TaskAdded("c" + me + "-" + k, "item", T)),
                                TaskSchema.COUNTER_MIXED.of(new CounterMixed(me * 1000 + k)));
                      }
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  }));
    }
    for (Thread t : writers) {
      t.join(120_000);
    }
    awaitAllSynced();
    assertThat(server.eventLog().head(storeId)).isEqualTo(2L * n * perClient);
    Map<String, Object> expected = replayOfServerLog();
    for (Client c : cs) {
      assertThat(TaskSchema.syncedState(c.store())).isEqualTo(expected);
    }
    assertThat(cs.get(0).store().query(TaskSchema.ALL_TASKS)).hasSize(n * perClient);
  }

  /**
   * Random commits on random clients, random offline windows, one server restart; at the end every
   * client's state equals a replay of the server log, and every event any client committed is in
   * the server log exactly once.
   */
  @Test
  void randomHistoriesConverge() throws Exception {
    long seed = Long.getLong("filesync.seed", System.nanoTime());
    try {
      runRandom(seed);
    } catch (AssertionError | Exception e) {
      throw new AssertionError("convergence failed; rerun with -Dfilesync.seed=" + seed, e);
    }
  }

  private void runRandom(long seed) throws Exception {
    Random rnd = new Random(seed);
    storeId = "prop/" + seed;
    startServer();
    int n = 3 + rnd.nextInt(2);
    List<Client> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(client("p" + i));
    }
    Map<String, Integer> committed = new HashMap<>();
    int steps = 300;
    int restartAt = 40 + rnd.nextInt(200);
    for (int step = 0; step < steps; step++) {
      Client c = cs.get(rnd.nextInt(n));
      int action = rnd.nextInt(100);
      if (step == restartAt) {
        server.close();
        startServer();
      } else if (action < 8) {
        c.backend().setOnline(!c.backend().online());
        if (c.backend().online()) {
          c.store().syncNow();
        }
      } else if (action < 16) {
        c.store().commit(TaskSchema.UI_SET.of(new UiSet("k" + rnd.nextInt(3), "v" + step)));
      } else if (action < 20) {
        c.store().awaitSynced(Duration.ofMillis(100)); // lets some syncing interleave; not asserted
      } else {
        Event<?> e = randomEvent(rnd, step);
        try {
          c.store().commit(e);
          committed.merge(key(c.store().clientId(), e), 1, Integer::sum);
        } catch (EventRejectedException rejected) {
          // e.g. adding an id this client already has: nothing committed
        }
      }
    }
    for (Client c : cs) {
      c.backend().setOnline(true);
      c.store().syncNow();
    }
    awaitAllSynced();

    long head = server.eventLog().head(storeId);
    Map<String, Integer> inLog = new HashMap<>();
    for (LogEvent e : server.eventLog().read(storeId, 0, (int) head)) {
      inLog.merge(e.clientId() + "|" + e.name() + "|" + canonical(e.argsJson()), 1, Integer::sum);
    }
    assertThat(inLog)
        .as("every committed event is in the server log exactly once")
        .isEqualTo(committed);

    Map<String, Object> expected = replayOfServerLog();
    int rebased = 0;
    for (Client c : cs) {
      assertThat(TaskSchema.syncedState(c.store()))
          .as("client %s", c.store().clientId())
          .isEqualTo(expected);
      assertThat(c.store().syncState().upstreamHead()).isEqualTo(head);
      for (StoredEvent e : ((dev.filesync.store.internal.RealStore) c.store()).localLog()) {
        rebased = Math.max(rebased, e.seqNum().rebaseGeneration());
      }
    }
    System.out.printf(
        "convergence seed=%d clients=%d events=%d restartAt=%d maxRebaseGeneration=%d%n",
        seed, n, head, restartAt, rebased);
  }

  private static String key(String clientId, Event<?> e) {
    return clientId + "|" + e.def().name() + "|" + canonical(encode(e));
  }

  @SuppressWarnings("unchecked")
  private static <A> String encode(Event<A> e) {
    return e.def().codec().encode(e.args());
  }

  private static String canonical(String json) {
    return dev.filesync.store.internal.Json.parse(json).toString();
  }

  private static Event<?> randomEvent(Random rnd, int step) {
    String id = "t" + rnd.nextInt(12);
    return switch (rnd.nextInt(4)) {
      case 0 -> TaskSchema.TASK_ADDED.of(new TaskAdded(id, "text" + step, T.plusSeconds(step)));
      case 1 -> TaskSchema.TASK_RENAMED.of(new TaskRenamed(id, "renamed" + step));
      case 2 -> TaskSchema.TASK_DELETED.of(new TaskDeleted(id));
      default -> TaskSchema.COUNTER_MIXED.of(new CounterMixed(step));
    };
  }

  /** A fresh client that only pulls: its state is the replay of the server log. */
  private Map<String, Object> replayOfServerLog() throws Exception {
    Client fresh = client("replay-" + System.nanoTime());
    assertThat(fresh.store().awaitSynced(Duration.ofSeconds(60))).isTrue();
    assertThat(fresh.store().syncState().upstreamHead()).isEqualTo(server.eventLog().head(storeId));
    return TaskSchema.syncedState(fresh.store());
  }

  /** Waits until no client has pending events and every one has pulled the server's head. */
  private void awaitAllSynced() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      long head = server.eventLog().head(storeId);
      boolean all = true;
      for (Client c : clients) {
        SyncState s = c.store().syncState();
        if (s.pendingEvents() > 0 || s.upstreamHead() != head) {
          all = false;
          c.store().awaitSynced(Duration.ofMillis(200));
        }
      }
      if (all && server.eventLog().head(storeId) == head) {
        return;
      }
      if (System.nanoTime() > deadline) {
        List<SyncState> states = new ArrayList<>();
        for (Client c : clients) {
          states.add(c.store().syncState());
        }
        throw new AssertionError("clients did not converge on head " + head + ": " + states);
      }
    }
  }
}
