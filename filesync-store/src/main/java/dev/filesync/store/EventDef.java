package dev.filesync.store;

import java.util.Objects;

/**
 * The definition of one kind of event: its name, how its arguments encode, whether it is synced,
 * and how it changes the state tables.
 *
 * {@snippet :
 * record TodoAdded(String id, String text, Instant createdAt) {}
 *
 * EventDef<TodoAdded> todoAdded = EventDef.synced("v1.TodoAdded", ArgsCodec.forRecord(TodoAdded.class),
 *     (args, db) -> db.execute("INSERT INTO todos(id, text, created_at) VALUES (?, ?, ?)",
 *         args.id(), args.text(), args.createdAt().toEpochMilli()));
 *
 * store.commit(todoAdded.of(new TodoAdded("t1", "buy milk", Instant.now())));
 * }
 *
 * @param <A> the arguments type
 */
public final class EventDef<A> {
  private final String name;
  private final ArgsCodec<A> codec;
  private final boolean clientOnly;
  private final Materializer<A> materializer;

  private EventDef(
      String name, ArgsCodec<A> codec, boolean clientOnly, Materializer<A> materializer) {
    if (name == null
        || name.isBlank()
        || name.length() > 256
        || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "event name must be 1 to 256 printable characters: " + name);
    }
    this.name = name;
    this.codec = Objects.requireNonNull(codec, "codec");
    this.clientOnly = clientOnly;
    this.materializer = Objects.requireNonNull(materializer, "materializer");
  }

  /** An event that is pushed to the sync backend and reaches every device of the store. */
  public static <A> EventDef<A> synced(
      String name, ArgsCodec<A> codec, Materializer<A> materializer) {
    return new EventDef<>(name, codec, false, materializer);
  }

  /** An event that stays on this device: it is logged and materialized, never pushed. */
  public static <A> EventDef<A> clientOnly(
      String name, ArgsCodec<A> codec, Materializer<A> materializer) {
    return new EventDef<>(name, codec, true, materializer);
  }

  /** The event with these arguments, ready for {@link Store#commit}. */
  public Event<A> of(A args) {
    return new Event<>(this, Objects.requireNonNull(args, "args"));
  }

  /** The event name, e.g. {@code v1.FileCreated}. */
  public String name() {
    return name;
  }

  /** The arguments codec. */
  public ArgsCodec<A> codec() {
    return codec;
  }

  /** Whether the event stays on this device. */
  public boolean clientOnly() {
    return clientOnly;
  }

  /** How the event changes the state tables. */
  public Materializer<A> materializer() {
    return materializer;
  }

  @Override
  public String toString() {
    return "EventDef[" + name + (clientOnly ? ", client-only]" : "]");
  }
}
