package dev.filesync.store;

import dev.filesync.store.internal.RealStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * An embedded, event-sourced store that follows LiveStore's event model: an append-only log of
 * events on SQLite, state tables materialized from it, and a sync client that pushes this device's
 * events to a {@link SyncBackend} and pulls everyone else's, rebasing local events when the backend
 * has moved on.
 *
 * {@snippet :
 * StoreSchema schema = StoreSchema.builder()
 *     .table(TableDef.of("todos", "CREATE TABLE todos (id TEXT PRIMARY KEY, text TEXT NOT NULL)"))
 *     .event(todoAdded)
 *     .build();
 * try (Store store = Store.open(StoreConfig.builder(dataDir, "my-store", schema)
 *     .syncBackend(HttpSyncBackend.builder(URI.create("http://127.0.0.1:8787")).token(token).build())
 *     .build())) {
 *   store.commit(todoAdded.of(new TodoAdded("t1", "buy milk", Instant.now())));
 *   List<String> texts = store.query(Query.list("SELECT text FROM todos", row -> row.getString("text")));
 * }
 * }
 *
 * <p>Instances are thread-safe. Several processes may open the same data directory; one of them
 * holds the store's writer lock ({@link #lockStatus()}) and runs the sync client, the others read
 * and commit through the same SQLite file and take the lock over when its holder exits.
 *
 * <p>{@link #close()} stops the sync threads, releases the lock, closes the database connections
 * and ends every subscription and event stream.
 */
public interface Store extends AutoCloseable {

  /**
   * Opens (creating if needed) the store described by {@code config}.
   *
   * @throws FileSyncException when the database cannot be opened or its log cannot be replayed
   */
  static Store open(StoreConfig config) throws FileSyncException {
    return RealStore.open(config);
  }

  /** The store id, shared by every device of this store. */
  String storeId();

  /** This device's client id, kept in the database across restarts. */
  String clientId();

  /** The session id of this open store (new at each open). */
  String sessionId();

  /**
   * Commits events atomically: they are materialized at once (so queries see them when this
   * returns), logged as pending, and queued for push when synced.
   *
   * @return the sequence number of the last event
   * @throws EventRejectedException when a materializer refuses an event; nothing is committed
   * @throws FileSyncException when the database cannot be written
   */
  SeqNum commit(Event<?>... events) throws FileSyncException;

  /** Runs a query on the current state. */
  <T> T query(Query<T> query);

  /**
   * Calls {@code listener} with the query's current result, then again each time a commit or a sync
   * changes a table the query reads and the result differs from the last one delivered. Listeners
   * run on the store's notification thread, one at a time, in order.
   */
  <T> Subscription subscribe(Query<T> query, Consumer<? super T> listener);

  /**
   * The same results as {@link #subscribe}, as a publisher; each subscriber has its own query run.
   */
  <T> Flow.Publisher<T> publisher(Query<T> query);

  /**
   * The events the sync backend has confirmed (a final position in the store's history), after
   * {@code after}, whose names are in {@code names} (all names when empty). A local-only store
   * confirms its own events as it commits them.
   */
  EventStream confirmedEvents(SeqNum after, Set<String> names);

  /** Where the log and the sync stand. */
  SyncState syncState();

  /**
   * Waits until every synced event committed so far is confirmed by the backend and the last pull
   * reached the backend's head.
   *
   * @return whether that happened within {@code timeout}
   */
  boolean awaitSynced(Duration timeout) throws InterruptedException;

  /** Wakes the sync client now (for example after the network came back), skipping its backoff. */
  void syncNow();

  /** Whether this process holds the store's writer lock, and so runs the sync client. */
  LockStatus lockStatus();

  /** Calls {@code listener} on each change of {@link #lockStatus()}. */
  Subscription onLockStatus(Consumer<LockStatus> listener);

  /** Stops syncing, releases the lock and closes the database. Idempotent. */
  @Override
  void close() throws IOException;
}
