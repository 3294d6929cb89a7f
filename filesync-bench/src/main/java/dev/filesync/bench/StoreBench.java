package dev.filesync.bench;

import dev.filesync.bench.BenchSchema.NoteAdded;
import dev.filesync.store.Event;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Local store figures, each beside raw sqlite-jdbc doing the same writes with the same durability
 * (WAL, synchronous=FULL): commits per second, events per second in batches, and the time to open a
 * store of 100,000 events (as is, and with a changed schema that replays the whole log).
 *
 * <p>Run: {@code bin/bench store [commits] [events]} (defaults 2000 and 100000).
 */
public final class StoreBench {
  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int commits = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path tmp = Files.createTempDirectory("filesync-bench-store");
    try {
      System.out.printf(
          Locale.ROOT,
          "filesync-store benchmark (%s, %d cores, Java %s)%n%n",
          System.getProperty("os.name"),
          Runtime.getRuntime().availableProcessors(),
          Runtime.version());

      double raw1 = rawInserts(tmp.resolve("raw1.db"), commits, 1);
      double store1 = storeCommits(tmp.resolve("s1"), commits, 1);
      row("single-event commits", store1, "commits/s", raw1, "raw INSERT + COMMIT/s");

      double rawBatch = rawInserts(tmp.resolve("raw100.db"), commits * 50, 100);
      double storeBatch = storeCommits(tmp.resolve("s100"), commits * 50, 100);
      row("100-event commits", storeBatch, "events/s", rawBatch, "raw INSERTs/s in 100-row txns");

      Path big = tmp.resolve("big");
      storeCommits(big, events, 1000);
      long t0 = System.nanoTime();
      try (Store s =
          Store.open(StoreConfig.builder(big, "bench", BenchSchema.schema("1")).build())) {
        s.syncState();
      }
      double openMs = (System.nanoTime() - t0) / 1e6;
      t0 = System.nanoTime();
      try (Store s =
          Store.open(StoreConfig.builder(big, "bench", BenchSchema.schema("2")).build())) {
        s.syncState();
      }
      double rebuildMs = (System.nanoTime() - t0) / 1e6;
      double rawLoadMs = 1000.0 * events / rawInserts(tmp.resolve("rawbig.db"), events, events);
      System.out.printf(
          Locale.ROOT, "%-34s %10.0f ms%n", "open a store of " + events + " events", openMs);
      System.out.printf(
          Locale.ROOT,
          "%-34s %10.0f ms    (raw: %.0f ms to insert the same %d rows in one txn)%n",
          "open with a changed schema (replay)",
          rebuildMs,
          rawLoadMs,
          events);
    } finally {
      deleteTree(tmp);
    }
  }

  private static void row(String what, double ours, String unit, double raw, String rawUnit) {
    System.out.printf(
        Locale.ROOT,
        "%-34s %10.0f %-10s (raw sqlite-jdbc: %.0f %s, ratio %.2f)%n",
        what,
        ours,
        unit,
        raw,
        rawUnit,
        ours / raw);
  }

  /** Commits {@code n} events, {@code perCommit} per commit; returns events per second. */
  static double storeCommits(Path dir, int n, int perCommit) throws Exception {
    try (Store store =
        Store.open(StoreConfig.builder(dir, "bench", BenchSchema.schema("1")).build())) {
      Instant now = Instant.parse("2025-01-01T00:00:00Z");
      long t0 = System.nanoTime();
      int done = 0;
      while (done < n) {
        int k = Math.min(perCommit, n - done);
        List<Event<?>> batch = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
          batch.add(
              BenchSchema.NOTE_ADDED.of(
                  new NoteAdded("n" + (done + i), "note number " + (done + i), now)));
        }
        store.commit(batch.toArray(Event<?>[]::new));
        done += k;
      }
      return n / ((System.nanoTime() - t0) / 1e9);
    }
  }

  /** The same rows with plain JDBC: returns rows per second. */
  static double rawInserts(Path file, int n, int perTxn) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=FULL");
        st.execute(BenchSchema.NOTES_SQL);
        // what the store logs per event, so both write the same bytes
        st.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY, name TEXT, args TEXT)");
      }
      c.setAutoCommit(false);
      long t0 = System.nanoTime();
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO notes VALUES (?, ?, ?)");
          PreparedStatement log =
              c.prepareStatement("INSERT INTO log (name, args) VALUES (?, ?)")) {
        for (int i = 0; i < n; i++) {
          ins.setString(1, "n" + i);
          ins.setString(2, "note number " + i);
          ins.setLong(3, 1735689600000L);
          ins.executeUpdate();
          log.setString(1, "v1.NoteAdded");
          log.setString(
              2,
              "{\"id\":\"n"
                  + i
                  + "\",\"title\":\"note number "
                  + i
                  + "\",\"createdAt\":\"2025-01-01T00:00:00.000Z\"}");
          log.executeUpdate();
          if ((i + 1) % perTxn == 0 || i == n - 1) {
            c.commit();
          }
        }
      }
      return n / ((System.nanoTime() - t0) / 1e9);
    }
  }

  static void deleteTree(Path root) throws java.io.IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
