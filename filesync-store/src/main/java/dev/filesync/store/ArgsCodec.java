package dev.filesync.store;

import dev.filesync.store.internal.Json;

/**
 * Turns an event's arguments into the JSON object that is stored and synced, and back.
 *
 * <p>The JSON must be what LiveStore's JavaScript clients encode for the same event, since both
 * share one log: dates as ISO-8601 strings in UTC with milliseconds ({@code
 * 2025-01-01T10:00:00.000Z}), absent keys distinct from {@code null} ({@link ArgField}). {@link
 * #forRecord} gives exactly that for a record.
 *
 * @param <A> the arguments type
 */
public interface ArgsCodec<A> {

  /** The JSON object text for {@code args}. */
  String encode(A args);

  /**
   * The arguments read from a JSON object.
   *
   * @throws IllegalArgumentException when the JSON does not fit
   */
  A decode(String json);

  /**
   * A codec for a record, whose components map to JSON keys in declaration order: {@link
   * java.time.Instant} as an ISO-8601 UTC string with milliseconds, {@link ArgField} written only
   * when present, other {@code null} components as {@code null}. Unknown keys are ignored when
   * decoding, as LiveStore does.
   */
  static <R extends Record> ArgsCodec<R> forRecord(Class<R> type) {
    return Json.recordCodec(type);
  }
}
