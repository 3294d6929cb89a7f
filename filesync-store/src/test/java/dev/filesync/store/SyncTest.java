package dev.filesync.store;

import static dev.filesync.store.TaskSchema.COUNTER_MIXED;
import static dev.filesync.store.TaskSchema.TASK_ADDED;
import static dev.filesync.store.TaskSchema.UI_SET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.store.TaskSchema.CounterMixed;
import dev.filesync.store.TaskSchema.TaskAdded;
import dev.filesync.store.TaskSchema.UiSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync client against an in-memory backend: convergence, offline, identity change, takeover.
 */
class SyncTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final FakeSyncBackend backend = new FakeSyncBackend();
  private final List<Store> stores = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (Store s : stores) {
      s.close();
    }
  }

  private Store open(String device) throws Exception {
    return open(device, BackendResetPolicy.RESET_TO_BACKEND);
  }

  private Store open(String device, BackendResetPolicy policy) throws Exception {
    Store s =
        Store.open(
            StoreConfig.builder(dir.resolve(device), "shared", TaskSchema.SCHEMA)
                .syncBackend(backend.client())
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .lockRetryInterval(Duration.ofMillis(20))
                .externalChangePollInterval(Duration.ofMillis(20))
                .backendResetPolicy(policy)
                .build());
    stores.add(s);
    return s;
  }

  private static void awaitSynced(Store... stores) throws InterruptedException {
    for (Store s : stores) {
      assertThat(s.awaitSynced(WAIT)).as("synced: %s", s.syncState()).isTrue();
    }
  }

  @Test
  void twoDevicesCommittingAtOnceConvergeOnTheServerOrder() throws Exception {
    Store a = open("a");
    Store b = open("b");
    for (int i = 0; i < 30; i++) {
      a.commit(COUNTER_MIXED.of(new CounterMixed(i)), UI_SET.of(new UiSet("a", "v" + i)));
      b.commit(COUNTER_MIXED.of(new CounterMixed(100 + i)));
    }
    awaitConverged(a, b);
    assertThat(backend.log()).hasSize(60);
    assertThat(TaskSchema.syncedState(a)).isEqualTo(TaskSchema.syncedState(b));
    long expected = 0;
    for (GlobalEvent e : backend.log()) {
      expected = (expected * 31 + COUNTER_MIXED.codec().decode(e.argsJson()).x()) % 1000003;
    }
    assertThat(a.query(TaskSchema.COUNTER)).isEqualTo(expected);
    assertThat(backend.log()).noneMatch(e -> e.name().equals("v1.UiSet"));
    assertThat(a.query(Query.list("SELECT value FROM ui", r -> r.getString("value"))))
        .containsExactly("v29");
  }

  @Test
  void offlineCommitsWaitAndGoOutWhenTheBackendIsBack() throws Exception {
    Store a = open("a");
    Store b = open("b");
    awaitSynced(a, b);
    backend.setOnline(false);
    a.commit(TASK_ADDED.of(new TaskAdded("x", "offline", T)));
    b.commit(TASK_ADDED.of(new TaskAdded("y", "offline too", T)));
    assertThat(a.query(TaskSchema.ALL_TASKS)).hasSize(1);
    awaitStatus(a, SyncStatus.OFFLINE);
    assertThat(a.syncState().pendingEvents()).isEqualTo(1);

    backend.setOnline(true);
    a.syncNow();
    b.syncNow();
    awaitConverged(a, b);
    assertThat(TaskSchema.syncedState(a)).isEqualTo(TaskSchema.syncedState(b));
    assertThat(a.query(TaskSchema.ALL_TASKS)).hasSize(2);
  }

  @Test
  void aReplacedBackendIsAdoptedWithoutLosingPendingEvents() throws Exception {
    Store a = open("a");
    a.commit(TASK_ADDED.of(new TaskAdded("old", "confirmed", T)));
    awaitSynced(a);
    backend.setOnline(false);
    a.commit(TASK_ADDED.of(new TaskAdded("new", "pending", T)));
    backend.wipe("b-fake-2");
    backend.appendForeign(
        "v1.TaskAdded",
        TASK_ADDED.codec().encode(new TaskAdded("z", "from the new backend", T)),
        "c-z");
    backend.setOnline(true);
    a.syncNow();
    awaitSynced(a);
    assertThat(a.query(TaskSchema.ALL_TASKS))
        .extracting(TaskSchema.Task::id)
        .containsExactly("new", "z");
    assertThat(backend.log()).extracting(GlobalEvent::seqNum).containsExactly(1L, 2L);
    assertThat(a.syncState().backendId()).isEqualTo("b-fake-2");
  }

  @Test
  void haltPolicyStopsSyncingAndSaysWhy() throws Exception {
    Store a = open("a", BackendResetPolicy.HALT);
    a.commit(TASK_ADDED.of(new TaskAdded("old", "confirmed", T)));
    awaitSynced(a);
    backend.wipe("b-fake-2");
    a.syncNow();
    awaitStatus(a, SyncStatus.HALTED);
    assertThat(a.syncState().lastError()).contains("b-fake-1").contains("b-fake-2");
    assertThat(a.query(TaskSchema.ALL_TASKS)).hasSize(1);
  }

  @Test
  void secondOpenerOfADataDirectoryCommitsAndTakesOverWhenTheFirstCloses() throws Exception {
    Store first = open("same");
    Store second = open("same");
    assertThat(first.lockStatus()).isEqualTo(LockStatus.HAS_LOCK);
    assertThat(second.lockStatus()).isEqualTo(LockStatus.NO_LOCK);
    assertThat(second.syncState().status()).isEqualTo(SyncStatus.NOT_LEADER);
    BlockingQueue<LockStatus> changes = new LinkedBlockingQueue<>();
    second.onLockStatus(changes::add);

    // the follower commits; the leader sees it and pushes it
    second.commit(TASK_ADDED.of(new TaskAdded("f", "from the follower", T)));
    awaitSynced(first);
    assertThat(backend.log()).extracting(GlobalEvent::name).containsExactly("v1.TaskAdded");
    assertThat(second.awaitSynced(WAIT)).as("the follower sees the leader's confirmation").isTrue();
    BlockingQueue<Integer> seenByLeader = new LinkedBlockingQueue<>();
    first.subscribe(TaskSchema.ALL_TASKS, l -> seenByLeader.add(l.size()));
    assertThat(seenByLeader.poll(30, TimeUnit.SECONDS)).isEqualTo(1);

    first.close();
    assertThat(changes.poll(30, TimeUnit.SECONDS)).isEqualTo(LockStatus.HAS_LOCK);
    assertThat(second.lockStatus()).isEqualTo(LockStatus.HAS_LOCK);
    second.commit(TASK_ADDED.of(new TaskAdded("g", "after takeover", T)));
    awaitSynced(second);
    assertThat(backend.log()).hasSize(2);
  }

  @Test
  void batchesShrinkWhenTheServerRefusesThemAsTooLarge() throws Exception {
    backend.setMaxBatch(7);
    Store a = open("a");
    List<Event<?>> many = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      many.add(COUNTER_MIXED.of(new CounterMixed(i)));
    }
    a.commit(many.toArray(Event<?>[]::new));
    awaitSynced(a);
    assertThat(backend.log()).hasSize(60);
  }

  @Test
  void aRefusedTokenHaltsUntilTheServerAcceptsAgain() throws Exception {
    Store a = open("a");
    awaitSynced(a);
    backend.setRefuseToken(true);
    a.commit(TASK_ADDED.of(new TaskAdded("x", "refused", T)));
    awaitStatus(a, SyncStatus.HALTED);
    assertThat(a.syncState().lastError()).contains("403");
    backend.setRefuseToken(false);
    a.syncNow();
    awaitSynced(a);
    assertThat(backend.log()).hasSize(1);
  }

  @Test
  void aSyncedStoreOpenedWithoutBackendKeepsCommitsPendingForOneThatHasIt() throws Exception {
    Store a = open("a");
    awaitSynced(a);
    a.close();
    stores.remove(a);
    try (Store offline =
        Store.open(StoreConfig.builder(dir.resolve("a"), "shared", TaskSchema.SCHEMA).build())) {
      offline.commit(TASK_ADDED.of(new TaskAdded("o", "no backend here", T)));
      SyncState s = offline.syncState();
      assertThat(s.status()).isEqualTo(SyncStatus.OFFLINE);
      assertThat(s.pendingEvents()).isEqualTo(1);
      assertThat(s.lastError()).contains("no sync backend");
    }
    Store again = open("a");
    awaitSynced(again);
    assertThat(backend.log()).extracting(GlobalEvent::name).containsExactly("v1.TaskAdded");
  }

  @Test
  void aLocalOnlyStoreRefusesToJoinABackend() throws Exception {
    try (Store local =
        Store.open(StoreConfig.builder(dir.resolve("l"), "shared", TaskSchema.SCHEMA).build())) {
      local.commit(TASK_ADDED.of(new TaskAdded("l", "local", T)));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> open("l"))
        .isInstanceOf(FileSyncException.class)
        .hasMessageContaining("local-only");
  }

  /** Waits until every store has pushed everything and pulled the backend's whole log. */
  private void awaitConverged(Store... stores) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      boolean all = true;
      for (Store s : stores) {
        if (s.syncState().pendingEvents() > 0
            || s.syncState().upstreamHead() != backend.log().size()) {
          all = false;
          s.awaitSynced(Duration.ofMillis(20));
        }
      }
      if (all) {
        return; // one pass saw every store at the backend's head with nothing to push
      }
      assertThat(System.nanoTime()).as("converged").isLessThan(deadline);
    }
  }

  private static void awaitStatus(Store s, SyncStatus status) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (s.syncState().status() != status) {
      assertThat(System.nanoTime())
          .as("status %s, got %s", status, s.syncState())
          .isLessThan(deadline);
      s.awaitSynced(Duration.ofMillis(20));
    }
  }
}
