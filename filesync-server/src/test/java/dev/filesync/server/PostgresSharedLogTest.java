package dev.filesync.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two event log instances on one PostgreSQL database, as two server processes would have: appends
 * stay linear, and a waiter on one instance is woken by an append through the other.
 */
class PostgresSharedLogTest {

  static final long GUARD_SECONDS = 30;
  static EmbeddedPostgres postgres;
  static String url;

  EventLog a;
  EventLog b;
  String store;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.start();
    url = postgres.getJdbcUrl("postgres", "postgres");
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void open() throws IOException {
    // Waiters re-read the head only every 10 minutes here: only NOTIFY can wake them in time.
    a = PostgresEventLog.open(url, "postgres", null, Duration.ofMinutes(10));
    b = PostgresEventLog.open(url, "postgres", null, Duration.ofMinutes(10));
    store = "shared-" + UUID.randomUUID();
  }

  @AfterEach
  void close() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Test
  void bothInstancesSeeOneBackendId() throws IOException {
    assertThat(a.backendId(store)).isEqualTo(b.backendId(store));
  }

  @Test
  void concurrentPushesThroughBothInstancesStayLinear() throws Exception {
    int rounds = 20;
    int perInstance = 3;
    ExecutorService pool = Executors.newFixedThreadPool(2 * perInstance);
    try {
      for (int round = 0; round < rounds; round++) {
        long seq = round + 1;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<AppendResult>> results = new ArrayList<>();
        for (int t = 0; t < 2 * perInstance; t++) {
          EventLog via = t % 2 == 0 ? a : b;
          LogEvent e = new LogEvent("v1.Test", "{}", seq, seq - 1, "client-" + t, "s");
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    return via.append(store, List.of(e));
                  }));
        }
        go.countDown();
        int admitted = 0;
        for (Future<AppendResult> f : results) {
          AppendResult r = f.get(GUARD_SECONDS, TimeUnit.SECONDS);
          assertThat(r.head()).isEqualTo(seq);
          admitted += r instanceof AppendResult.Admitted ? 1 : 0;
        }
        assertThat(admitted).as("admitted in round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(a.read(store, 0, 1000))
        .extracting(LogEvent::seqNum)
        .containsExactlyElementsOf(EventLogContractTest.seqs(1, rounds));
    assertThat(b.head(store)).isEqualTo(rounds);
  }

  @Test
  void aWaiterOnOneInstanceSeesAnAppendThroughTheOther() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      b.append(store, List.of(new LogEvent("v1.Test", "{}", 1, 0, "c", "s")));
      Future<Boolean> waiter = pool.submit(() -> a.awaitAfter(store, 1, Duration.ofMinutes(2)));
      b.append(store, List.of(new LogEvent("v1.Test", "{}", 2, 1, "c", "s")));
      assertThat(waiter.get(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(a.head(store)).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
