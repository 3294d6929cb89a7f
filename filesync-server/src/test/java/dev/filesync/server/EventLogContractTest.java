package dev.filesync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one contract every {@link EventLog} implementation must meet. Subclasses say how to open a
 * log on their storage; {@link #reopen()} must open the same storage again.
 */
abstract class EventLogContractTest {

  /** Generous bound for things that should happen at once; only a guard against hangs. */
  static final long GUARD_SECONDS = 30;

  EventLog log;
  String store;

  /** Opens a log on this test's storage (a second call opens the same storage again). */
  abstract EventLog openLog() throws IOException;

  @BeforeEach
  void openAndPickStore() throws IOException {
    log = openLog();
    store = "user-" + UUID.randomUUID() + "/main";
  }

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }

  EventLog reopen() throws IOException {
    log.close();
    log = openLog();
    return log;
  }

  static LogEvent event(long seqNum, String args) {
    return new LogEvent("v1.Test", args, seqNum, seqNum - 1, "client-a", "session-1");
  }

  static List<LogEvent> batch(long firstSeqNum, int count) {
    List<LogEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long seq = firstSeqNum + i;
      events.add(event(seq, "{\"n\":" + seq + "}"));
    }
    return events;
  }

  @Test
  void newStoreHasHeadZeroAndNoEvents() throws IOException {
    assertThat(log.head(store)).isZero();
    assertThat(log.read(store, 0, 10)).isEmpty();
  }

  @Test
  void backendIdIsRandomPerStoreAndStableAcrossReopen() throws IOException {
    String id = log.backendId(store);
    assertThat(id).matches("b-[0-9a-f]{16}");
    assertThat(log.backendId(store)).isEqualTo(id);
    assertThat(log.backendId(store + "-other")).isNotEqualTo(id);
    reopen();
    assertThat(log.backendId(store)).isEqualTo(id);
  }

  @Test
  void admitsABatchOnTheHead() throws IOException {
    AppendResult first = log.append(store, batch(1, 3));
    assertThat(first).isEqualTo(new AppendResult.Admitted(3, log.backendId(store)));
    AppendResult second = log.append(store, batch(4, 1));
    assertThat(second).isInstanceOf(AppendResult.Admitted.class);
    assertThat(second.head()).isEqualTo(4);
    assertThat(log.head(store)).isEqualTo(4);
  }

  @Test
  void refusesABatchNotOnTheHeadWithServerAheadAndAppendsNothing() throws IOException {
    log.append(store, batch(1, 4));
    List<LogEvent> before = log.read(store, 0, 100);

    AppendResult stale = log.append(store, batch(2, 2));
    assertThat(stale).isEqualTo(new AppendResult.ServerAhead(4, log.backendId(store)));
    AppendResult gap = log.append(store, batch(7, 1));
    assertThat(gap).isEqualTo(new AppendResult.ServerAhead(4, log.backendId(store)));

    assertThat(log.head(store)).isEqualTo(4);
    assertThat(log.read(store, 0, 100)).isEqualTo(before);
  }

  @Test
  void refusesAnEmptyOrBrokenBatch() {
    assertThatThrownBy(() -> log.append(store, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.append(store, List.of(event(1, "{}"), event(3, "{}"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsContiguousPagesAndKeepsArgsTextExactly() throws IOException {
    String odd = "{ \"z\" : 1.50, \"a\":[1e3, -0.0],\n \"s\":\"\\u00e9\\n\" }";
    log.append(store, List.of(event(1, odd)));
    for (long first = 2; first <= 250; first += 100) {
      assertThat(log.append(store, batch(first, (int) Math.min(100, 251 - first))))
          .isInstanceOf(AppendResult.Admitted.class);
    }
    assertThat(log.head(store)).isEqualTo(250);

    List<LogEvent> all = new ArrayList<>();
    long after = 0;
    List<Integer> pageSizes = new ArrayList<>();
    while (true) {
      List<LogEvent> page = log.read(store, after, 100);
      if (page.isEmpty()) {
        break;
      }
      pageSizes.add(page.size());
      all.addAll(page);
      after = page.get(page.size() - 1).seqNum();
    }
    assertThat(pageSizes).containsExactly(100, 100, 50);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).seqNum()).isEqualTo(i + 1);
      assertThat(all.get(i).parentSeqNum()).isEqualTo(i);
    }
    assertThat(all.get(0).argsJson()).isEqualTo(odd);
    assertThat(all.get(0)).isEqualTo(event(1, odd));
    assertThat(log.read(store, 249, 100)).extracting(LogEvent::seqNum).containsExactly(250L);
    assertThat(log.read(store, 250, 100)).isEmpty();
  }

  @Test
  void keepsStoresApart() throws IOException {
    log.append(store, batch(1, 2));
    String other = store + "-other";
    assertThat(log.head(other)).isZero();
    assertThat(log.append(other, batch(1, 1))).isInstanceOf(AppendResult.Admitted.class);
    assertThat(log.head(store)).isEqualTo(2);
    assertThat(log.head(other)).isEqualTo(1);
  }

  @Test
  void racingAppendersOnTheSameHeadAdmitExactlyOnePerRound() throws Exception {
    int threads = 4;
    int rounds = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < rounds; round++) {
        long seq = round + 1;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<AppendResult>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          LogEvent e =
              new LogEvent("v1.Test", "{\"t\":" + t + "}", seq, seq - 1, "client-" + t, "s");
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    return log.append(store, List.of(e));
                  }));
        }
        go.countDown();
        int admitted = 0;
        for (Future<AppendResult> f : results) {
          AppendResult r = f.get(GUARD_SECONDS, TimeUnit.SECONDS);
          assertThat(r.head()).isEqualTo(seq);
          if (r instanceof AppendResult.Admitted) {
            admitted++;
          }
        }
        assertThat(admitted).as("admitted in round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
    List<LogEvent> events = log.read(store, 0, 1000);
    assertThat(events).extracting(LogEvent::seqNum).containsExactlyElementsOf(seqs(1, rounds));
    assertThat(log.head(store)).isEqualTo(rounds);
  }

  static List<Long> seqs(long from, long to) {
    List<Long> seqs = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      seqs.add(s);
    }
    return seqs;
  }

  @Test
  void dataSurvivesCloseAndReopen() throws IOException {
    log.append(store, batch(1, 5));
    String backendId = log.backendId(store);
    List<LogEvent> events = log.read(store, 0, 10);
    reopen();
    assertThat(log.head(store)).isEqualTo(5);
    assertThat(log.backendId(store)).isEqualTo(backendId);
    assertThat(log.read(store, 0, 10)).isEqualTo(events);
    assertThat(log.append(store, batch(6, 1))).isInstanceOf(AppendResult.Admitted.class);
  }

  @Test
  void awaitReturnsAtOnceWhenTheHeadIsAlreadyAhead() throws Exception {
    log.append(store, batch(1, 2));
    assertThat(log.awaitAfter(store, 1, Duration.ofSeconds(GUARD_SECONDS))).isTrue();
  }

  @Test
  void awaitTimesOutWithoutNewEvents() throws Exception {
    log.append(store, batch(1, 2));
    assertThat(log.awaitAfter(store, 2, Duration.ofMillis(50))).isFalse();
  }

  @Test
  void awaitWakesUpOnAppend() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> waiter =
          pool.submit(() -> log.awaitAfter(store, 0, Duration.ofSeconds(2 * GUARD_SECONDS)));
      log.append(store, batch(1, 1));
      assertThat(waiter.get(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closeWakesWaiters() throws Exception {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread waiter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    result.complete(log.awaitAfter(store, 0, Duration.ofMinutes(5)));
                  } catch (Throwable t) {
                    result.completeExceptionally(t);
                  }
                });
    // Wait (bounded) until the waiter is parked, so that close() really has to wake it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
    while (waiter.getState() != Thread.State.TIMED_WAITING && !result.isDone()) {
      assertThat(System.nanoTime()).as("waiter never parked").isLessThan(deadline);
      Thread.onSpinWait();
    }
    log.close();
    assertThat(result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isFalse();
    waiter.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
    assertThatThrownBy(() -> log.head(store)).isInstanceOf(IllegalStateException.class);
  }
}
