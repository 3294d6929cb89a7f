package dev.filesync.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in a store's event log, in LiveStore's notation {@code e{global}[.{client}][r{gen}]}.
 *
 * <p>{@code global} is the position in the backend's total order; {@code client} counts client-only
 * events committed after that global event; {@code rebaseGeneration} grows each time this client
 * rebases its pending events. {@link #ROOT} ({@code e0}) is the parent of the first event. Ordering
 * compares {@code global}, then {@code client}, then {@code rebaseGeneration}.
 *
 * @param global the global sequence number, at least 0
 * @param client the client-only counter after {@code global}, at least 0
 * @param rebaseGeneration how many times the client had rebased when it numbered this event
 */
public record SeqNum(long global, int client, int rebaseGeneration) implements Comparable<SeqNum> {

  /** The root, {@code e0}: the parent of the first event of every store. */
  public static final SeqNum ROOT = new SeqNum(0, 0, 0);

  private static final Pattern FORMAT =
      Pattern.compile("e(\\d{1,18})(?:\\.(\\d{1,9}))?(?:r(\\d{1,9}))?");

  /** Validates the components. */
  public SeqNum {
    if (global < 0 || client < 0 || rebaseGeneration < 0) {
      throw new IllegalArgumentException(
          "sequence number components must be >= 0: "
              + global
              + ","
              + client
              + ","
              + rebaseGeneration);
    }
  }

  /** The sequence number of a global (synced) event, {@code e{global}}. */
  public static SeqNum global(long global) {
    return new SeqNum(global, 0, 0);
  }

  /**
   * Parses LiveStore's string form: {@code e12}, {@code e12.3}, {@code e12r1}, {@code e12.3r1}.
   *
   * @throws IllegalArgumentException when {@code text} is not in that form
   */
  public static SeqNum parse(String text) {
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a sequence number (e{global}[.{client}][r{gen}]): " + text);
    }
    long global = Long.parseLong(m.group(1));
    int client = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    int gen = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return new SeqNum(global, client, gen);
  }

  /** Whether this numbers a client-only event ({@code client > 0}). */
  public boolean isClientOnly() {
    return client > 0;
  }

  /**
   * The number of the event that follows this one, as LiveStore's {@code nextPair} gives it: a
   * client-only event keeps {@code global} and counts up {@code client}; a synced event takes
   * {@code global + 1} and {@code client = 0}. The rebase generation is carried over.
   */
  public SeqNum next(boolean clientOnly) {
    return clientOnly
        ? new SeqNum(global, client + 1, rebaseGeneration)
        : new SeqNum(global + 1, 0, rebaseGeneration);
  }

  /**
   * The parent that an event numbered {@code this} records: the previous number for a client-only
   * event, {@code e{global-1}} for a synced one (a global event's parent always has {@code client =
   * 0}).
   */
  public SeqNum parentOf(SeqNum previous) {
    return isClientOnly() ? previous : new SeqNum(global - 1, 0, previous.rebaseGeneration);
  }

  /** This number with another rebase generation. */
  public SeqNum withRebaseGeneration(int generation) {
    return new SeqNum(global, client, generation);
  }

  @Override
  public int compareTo(SeqNum o) {
    int c = Long.compare(global, o.global);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(client, o.client);
    return c != 0 ? c : Integer.compare(rebaseGeneration, o.rebaseGeneration);
  }

  /** LiveStore's string form, e.g. {@code e12}, {@code e12.3}, {@code e12r1}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append('e').append(global);
    if (client > 0) {
      sb.append('.').append(client);
    }
    if (rebaseGeneration > 0) {
      sb.append('r').append(rebaseGeneration);
    }
    return sb.toString();
  }
}
