package dev.filesync.store;

import static dev.filesync.store.TaskSchema.ALL_TASKS;
import static dev.filesync.store.TaskSchema.COUNTER;
import static dev.filesync.store.TaskSchema.COUNTER_MIXED;
import static dev.filesync.store.TaskSchema.TASK_ADDED;
import static dev.filesync.store.TaskSchema.TASK_RENAMED;
import static dev.filesync.store.TaskSchema.UI_SET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.store.TaskSchema.CounterMixed;
import dev.filesync.store.TaskSchema.Task;
import dev.filesync.store.TaskSchema.TaskAdded;
import dev.filesync.store.TaskSchema.TaskRenamed;
import dev.filesync.store.TaskSchema.UiSet;
import dev.filesync.store.internal.RealStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir Path dir;

  private Store open() throws Exception {
    return Store.open(StoreConfig.builder(dir, "user:42/main", TaskSchema.SCHEMA).build());
  }

  @Test
  void commitIsVisibleAtOnceAndSurvivesReopen() throws Exception {
    try (Store store = open()) {
      SeqNum s =
          store.commit(
              TASK_ADDED.of(new TaskAdded("a", "milk", T)),
              TASK_RENAMED.of(new TaskRenamed("a", "oat milk")));
      assertThat(s.toString()).isEqualTo("e2");
      assertThat(store.query(ALL_TASKS)).containsExactly(new Task("a", "oat milk", 1));
      assertThat(store.syncState().status()).isEqualTo(SyncStatus.LOCAL_ONLY);
    }
    try (Store store = open()) {
      assertThat(store.query(ALL_TASKS)).containsExactly(new Task("a", "oat milk", 1));
      assertThat(store.commit(TASK_ADDED.of(new TaskAdded("b", "eggs", T))).toString())
          .isEqualTo("e3");
    }
    assertThat(dir.resolve("stores/user_42_main/store.db")).exists();
  }

  @Test
  void clientOnlyEventsCountOnTheClientComponent() throws Exception {
    try (Store store = open()) {
      store.commit(TASK_ADDED.of(new TaskAdded("a", "milk", T)));
      assertThat(store.commit(UI_SET.of(new UiSet("theme", "dark"))).toString()).isEqualTo("e1.1");
      assertThat(store.commit(UI_SET.of(new UiSet("theme", "light"))).toString()).isEqualTo("e1.2");
      assertThat(store.commit(COUNTER_MIXED.of(new CounterMixed(5))).toString()).isEqualTo("e2");
      List<StoredEvent> log = ((RealStore) store).localLog();
      assertThat(log)
          .extracting(e -> e.seqNum() + "<" + e.parentSeqNum())
          .containsExactly("e1<e0", "e1.1<e1", "e1.2<e1.1", "e2<e1");
    }
  }

  @Test
  void rejectedEventChangesNothing() throws Exception {
    try (Store store = open()) {
      store.commit(TASK_ADDED.of(new TaskAdded("a", "milk", T)));
      assertThatThrownBy(
              () ->
                  store.commit(
                      COUNTER_MIXED.of(new CounterMixed(1)),
                      TASK_ADDED.of(new TaskAdded("a", "dup", T))))
          .isInstanceOf(EventRejectedException.class)
          .hasMessageContaining("v1.TaskAdded");
      assertThat(store.query(COUNTER))
          .as("the first event of the batch was rolled back too")
          .isZero();
      assertThat(((RealStore) store).localLog()).hasSize(1);
      assertThat(store.commit(COUNTER_MIXED.of(new CounterMixed(1))).toString()).isEqualTo("e2");
    }
  }

  @Test
  void eventsOutsideTheSchemaAreRefused() throws Exception {
    EventDef<UiSet> stranger =
        EventDef.synced("v1.Stranger", ArgsCodec.forRecord(UiSet.class), (a, db) -> {});
    try (Store store = open()) {
      assertThatThrownBy(() -> store.commit(stranger.of(new UiSet("k", "v"))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(store::commit).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void changedSchemaRebuildsTheStateFromTheLog() throws Exception {
    try (Store store = open()) {
      store.commit(
          TASK_ADDED.of(new TaskAdded("a", "milk", T)),
          TASK_ADDED.of(new TaskAdded("b", "eggs", T)));
    }
    // version 2 keeps upper-cased texts: a different materializer, so a new state version
    EventDef<TaskAdded> upper =
        EventDef.synced(
            "v1.TaskAdded",
            ArgsCodec.forRecord(TaskAdded.class),
            (a, db) ->
                db.execute(
                    "INSERT INTO tasks2 (id, text) VALUES (?, ?)",
                    a.id(),
                    a.text().toUpperCase(java.util.Locale.ROOT)));
    StoreSchema v2 =
        StoreSchema.builder()
            .table(TableDef.of("tasks2", "CREATE TABLE tasks2 (id TEXT PRIMARY KEY, text TEXT)"))
            .event(upper)
            .stateVersion("2")
            .build();
    try (Store store = Store.open(StoreConfig.builder(dir, "user:42/main", v2).build())) {
      assertThat(
              store.query(
                  Query.list("SELECT text FROM tasks2 ORDER BY id", r -> r.getString("text"))))
          .containsExactly("MILK", "EGGS");
      assertThat(
              store.query(Query.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'tasks'")))
          .as("old table dropped")
          .isZero();
    }
  }

  @Test
  void subscriptionsRunAgainOnlyWhenTheirTablesChangeAndOnlyTellNewResults() throws Exception {
    try (Store store = open()) {
      BlockingQueue<List<Task>> tasks = new LinkedBlockingQueue<>();
      BlockingQueue<Long> counter = new LinkedBlockingQueue<>();
      store.subscribe(ALL_TASKS, tasks::add);
      store.subscribe(COUNTER, counter::add);
      assertThat(tasks.poll(5, TimeUnit.SECONDS)).isEmpty();
      assertThat(counter.poll(5, TimeUnit.SECONDS)).isZero();

      store.commit(TASK_ADDED.of(new TaskAdded("a", "milk", T)));
      assertThat(tasks.poll(5, TimeUnit.SECONDS)).containsExactly(new Task("a", "milk", 0));
      store.commit(COUNTER_MIXED.of(new CounterMixed(7)));
      assertThat(counter.poll(5, TimeUnit.SECONDS)).isEqualTo(7L);
      // renaming to the same text changes the row (renames), but a UI change touches neither query
      store.commit(UI_SET.of(new UiSet("theme", "dark")));
      store.commit(TASK_RENAMED.of(new TaskRenamed("a", "milk")));
      assertThat(tasks.poll(5, TimeUnit.SECONDS)).containsExactly(new Task("a", "milk", 1));
      // a marker commit on the counter proves the queues are drained in order
      store.commit(COUNTER_MIXED.of(new CounterMixed(0)));
      assertThat(counter.poll(5, TimeUnit.SECONDS)).isEqualTo(217L);
      assertThat(tasks).as("no delivery for unchanged results").isEmpty();
      assertThat(counter).isEmpty();
    }
  }

  @Test
  void declaredTablesNarrowWhatWakesASubscription() throws Exception {
    try (Store store = open()) {
      BlockingQueue<Optional<String>> q = new LinkedBlockingQueue<>();
      Query<Optional<String>> theme =
          Query.first("SELECT value FROM ui WHERE key = ?", r -> r.getString("value"), "theme")
              .dependsOn("ui");
      store.subscribe(theme, q::add);
      assertThat(q.poll(5, TimeUnit.SECONDS)).isEmpty();
      store.commit(UI_SET.of(new UiSet("theme", "dark")));
      assertThat(q.poll(5, TimeUnit.SECONDS)).contains("dark");
    }
  }

  @Test
  void cancelledSubscriptionHearsNothingMore() throws Exception {
    try (Store store = open()) {
      BlockingQueue<Long> q = new LinkedBlockingQueue<>();
      Subscription sub = store.subscribe(COUNTER, q::add);
      assertThat(q.poll(5, TimeUnit.SECONDS)).isZero();
      sub.cancel();
      BlockingQueue<Long> marker = new LinkedBlockingQueue<>();
      store.commit(COUNTER_MIXED.of(new CounterMixed(3)));
      store.subscribe(COUNTER, marker::add);
      assertThat(marker.poll(5, TimeUnit.SECONDS)).isEqualTo(3L);
      assertThat(q).isEmpty();
    }
  }

  @Test
  void publisherDeliversResultsOnDemand() throws Exception {
    try (Store store = open()) {
      BlockingQueue<Long> got = new LinkedBlockingQueue<>();
      store
          .publisher(COUNTER)
          .subscribe(
              new Flow.Subscriber<Long>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Long item) {
                  got.add(item);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
              });
      assertThat(got.poll(5, TimeUnit.SECONDS)).isZero();
      store.commit(COUNTER_MIXED.of(new CounterMixed(4)));
      assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(4L);
    }
  }

  @Test
  void localOnlyStoreConfirmsItsOwnEventsAndTheStreamWaitsForMore() throws Exception {
    try (Store store = open()) {
      store.commit(
          TASK_ADDED.of(new TaskAdded("a", "milk", T)),
          UI_SET.of(new UiSet("k", "v")),
          COUNTER_MIXED.of(new CounterMixed(1)));
      try (EventStream stream =
          store.confirmedEvents(SeqNum.ROOT, Set.of("v1.TaskAdded", "v1.TaskRenamed"))) {
        List<StoredEvent> first = stream.poll(10, Duration.ofSeconds(5));
        assertThat(first).extracting(StoredEvent::name).containsExactly("v1.TaskAdded");
        assertThat(first.get(0).args(TASK_ADDED)).isEqualTo(new TaskAdded("a", "milk", T));
        assertThat(stream.poll(10, Duration.ZERO)).isEmpty();

        List<List<StoredEvent>> later = new CopyOnWriteArrayList<>();
        Thread waiter =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        later.add(stream.poll(10, Duration.ofSeconds(30)));
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
        store.commit(TASK_RENAMED.of(new TaskRenamed("a", "oat milk")));
        waiter.join(30_000);
        assertThat(later).hasSize(1);
        assertThat(later.get(0)).extracting(e -> e.seqNum().toString()).containsExactly("e3");
        assertThat(stream.position().toString()).isEqualTo("e3");
      }
      try (EventStream all = store.confirmedEvents(SeqNum.parse("e1"), Set.of())) {
        assertThat(all.poll(10, Duration.ZERO))
            .extracting(StoredEvent::name)
            .containsExactly("v1.CounterMixed", "v1.TaskRenamed");
      }
    }
  }

  @Test
  void closedStoreRefusesWork() throws Exception {
    Store store = open();
    store.close();
    store.close();
    assertThatThrownBy(() -> store.query(ALL_TASKS)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.commit(COUNTER_MIXED.of(new CounterMixed(1))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void publisherKeepsOnlyTheLatestResultForASlowSubscriberAndCompletesOnClose() throws Exception {
    Store store = open();
    BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    Flow.Subscription[] sub = new Flow.Subscription[1];
    store
        .publisher(COUNTER)
        .subscribe(
            new Flow.Subscriber<Long>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                sub[0] = s;
                s.request(1);
              }

              @Override
              public void onNext(Long item) {
                signals.add(item);
              }

              @Override
              public void onError(Throwable t) {
                signals.add(t);
              }

              @Override
              public void onComplete() {
                signals.add("complete");
              }
            });
    assertThat(signals.poll(5, TimeUnit.SECONDS)).isEqualTo(0L);
    for (int i = 1; i <= 5; i++) {
      store.commit(COUNTER_MIXED.of(new CounterMixed(0)));
    }
    store.commit(COUNTER_MIXED.of(new CounterMixed(9)));
    // wait until the store has run the query for the last commit, then ask for one more
    BlockingQueue<Long> marker = new LinkedBlockingQueue<>();
    store.subscribe(COUNTER, marker::add);
    assertThat(marker.poll(5, TimeUnit.SECONDS)).isEqualTo(9L);
    sub[0].request(1);
    assertThat(signals.poll(5, TimeUnit.SECONDS))
        .as("the latest state, not a stale one")
        .isEqualTo(9L);
    store.close();
    assertThat(signals.poll(5, TimeUnit.SECONDS)).isEqualTo("complete");
  }

  @Test
  void autoincrementTablesAreRefusedSinceRebasesCouldNotReplayTheirIds() {
    assertThatThrownBy(
            () -> TableDef.of("t", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT)"))
        .hasMessageContaining("AUTOINCREMENT");
  }

  @Test
  void configValidatesAtOnce() {
    StoreConfig.Builder b = StoreConfig.builder(dir, "s", TaskSchema.SCHEMA);
    assertThatThrownBy(() -> b.pushBatchSize(0))
        .hasMessageContaining("pushBatchSize")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> b.pullWait(Duration.ofMinutes(5))).hasMessageContaining("pullWait");
    assertThatThrownBy(() -> b.clientId("bad id")).hasMessageContaining("bad id");
    assertThatThrownBy(() -> StoreConfig.builder(dir, "", TaskSchema.SCHEMA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.builder(dir, "a\nb", TaskSchema.SCHEMA))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(StoreConfig.sanitizeStoreId("user:42/main")).isEqualTo("user_42_main");
    List<String> names = new ArrayList<>();
    assertThatThrownBy(() -> StoreSchema.builder().event(TASK_ADDED).event(TASK_ADDED))
        .hasMessageContaining("duplicate event");
    assertThat(names).isEmpty();
  }
}
