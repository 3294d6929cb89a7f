package dev.filesync.store;

/**
 * Applies one event to the state tables. It must be deterministic: the same arguments on the same
 * state give the same changes, on every device and at every replay (no clock, no randomness, no I/O
 * outside {@code db}), because the store rolls events back and applies them again when it rebases,
 * and rebuilds the whole state from the log when the schema changes.
 *
 * @param <A> the arguments type
 */
@FunctionalInterface
public interface Materializer<A> {

  /**
   * Applies the event. Throwing rejects the event: a local commit fails with {@link
   * EventRejectedException} and changes nothing.
   *
   * @param args the decoded arguments
   * @param db the state tables, inside the store's transaction
   */
  void materialize(A args, StateWriter db);
}
