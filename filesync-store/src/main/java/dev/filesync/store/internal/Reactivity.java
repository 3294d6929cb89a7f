package dev.filesync.store.internal;

import dev.filesync.store.FileSyncException;
import dev.filesync.store.Query;
import dev.filesync.store.Subscription;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Reactive queries: each subscription knows the tables its query reads; after a write only the
 * subscriptions reading a changed table run again, and a listener hears only results that differ
 * from the last one it got. Everything runs on the notification thread, so a listener sees results
 * in order and never two at once.
 */
final class Reactivity {
  private static final System.Logger LOG = System.getLogger(Reactivity.class.getName());

  private final StoreDb db;
  private final ExecutorService notifier;
  private final CopyOnWriteArrayList<Sub<?>> subs = new CopyOnWriteArrayList<>();

  Reactivity(StoreDb db, ExecutorService notifier) {
    this.db = db;
    this.notifier = notifier;
  }

  <T> T run(Query<T> q) {
    try {
      List<?> rows = db.query(q.sql(), q.mapper(), q.params());
      return q.finish(rows);
    } catch (SQLException e) {
      throw new UncheckedIOException(
          new FileSyncException("query failed: " + e.getMessage() + " in " + q.sql(), e));
    }
  }

  <T> Subscription subscribe(Query<T> q, Consumer<? super T> listener) {
    Objects.requireNonNull(listener, "listener");
    Set<String> tables;
    if (q.declaredTables() != null) {
      tables = new HashSet<>();
      for (String t : q.declaredTables()) {
        tables.add(t.toLowerCase(Locale.ROOT));
      }
    } else {
      try {
        tables = db.tablesRead(q.sql(), q.params());
      } catch (SQLException e) {
        throw new IllegalArgumentException(
            "cannot plan query " + q.sql() + ": " + e.getMessage(), e);
      }
    }
    Sub<T> sub = new Sub<>(q, tables, listener);
    subs.add(sub);
    submit(sub::refresh);
    return () -> {
      sub.cancelled = true;
      subs.remove(sub);
    };
  }

  /** Re-runs the subscriptions that read one of {@code tables}; all of them when {@code null}. */
  void tablesChanged(Set<String> tables) {
    if (tables != null && tables.isEmpty()) {
      return;
    }
    List<Sub<?>> affected = new ArrayList<>();
    for (Sub<?> s : subs) {
      if (tables == null
          || s.tables.isEmpty()
          || !java.util.Collections.disjoint(s.tables, tables)) {
        affected.add(s);
      }
    }
    if (!affected.isEmpty()) {
      submit(() -> affected.forEach(Sub::refresh));
    }
  }

  void close() {
    subs.forEach(s -> s.cancelled = true);
    subs.clear();
  }

  private void submit(Runnable r) {
    try {
      notifier.execute(r);
    } catch (RejectedExecutionException closing) {
      // the store is closing: no more deliveries
    }
  }

  private final class Sub<T> {
    final Query<T> query;
    final Set<String> tables;
    final Consumer<? super T> listener;
    volatile boolean cancelled;
    private boolean delivered;
    private T last;

    Sub(Query<T> query, Set<String> tables, Consumer<? super T> listener) {
      this.query = query;
      this.tables = Set.copyOf(tables);
      this.listener = listener;
    }

    void refresh() {
      if (cancelled) {
        return;
      }
      T now;
      try {
        now = run(query);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "subscription query failed: " + query.sql(), e);
        return;
      }
      if (delivered && Objects.equals(now, last)) {
        return;
      }
      delivered = true;
      last = now;
      try {
        listener.accept(now);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "subscription listener failed", e);
      }
    }
  }
}
