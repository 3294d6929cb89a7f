package dev.filesync.store;

import java.util.Objects;

/**
 * An event to commit: a definition and its arguments. Made by {@link EventDef#of}.
 *
 * @param def the definition
 * @param args the arguments
 * @param <A> the arguments type
 */
public record Event<A>(EventDef<A> def, A args) {
  /** Checks that both parts are there. */
  public Event {
    Objects.requireNonNull(def, "def");
    Objects.requireNonNull(args, "args");
  }
}
