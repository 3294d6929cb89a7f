package dev.filesync.server;

import java.util.Objects;

/**
 * One event of a store's log, as the sync protocol carries it: LiveStore's {@code
 * LiveStoreEvent.Global.Encoded}.
 *
 * <p>{@code argsJson} is the raw JSON text of the event's {@code args} object exactly as the client
 * sent it; the server stores and serves it byte for byte, so key order and number formatting
 * survive the round trip.
 *
 * @param name the event name, for example {@code v1.FileCreated}
 * @param argsJson the raw JSON text of the {@code args} object
 * @param seqNum the global sequence number, at least 1
 * @param parentSeqNum the global sequence number of the previous event, {@code seqNum - 1}
 * @param clientId the id of the client that created the event
 * @param sessionId the id of the client session that created the event
 */
public record LogEvent(
    String name,
    String argsJson,
    long seqNum,
    long parentSeqNum,
    String clientId,
    String sessionId) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if a field is null
   * @throws IllegalArgumentException if {@code seqNum < 1} or {@code parentSeqNum != seqNum - 1}
   */
  public LogEvent {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(argsJson, "argsJson");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(sessionId, "sessionId");
    if (seqNum < 1) {
      throw new IllegalArgumentException("seqNum must be >= 1: " + seqNum);
    }
    if (parentSeqNum != seqNum - 1) {
      throw new IllegalArgumentException(
          "parentSeqNum must be seqNum - 1: seqNum=" + seqNum + ", parentSeqNum=" + parentSeqNum);
    }
  }
}
