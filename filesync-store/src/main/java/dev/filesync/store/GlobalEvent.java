package dev.filesync.store;

/**
 * An event on the wire, LiveStore's {@code LiveStoreEvent.Global.Encoded}: {@code {name, args,
 * seqNum, parentSeqNum, clientId, sessionId}} with integer sequence numbers.
 *
 * @param name the event name
 * @param argsJson the encoded arguments, a JSON object
 * @param seqNum the global sequence number
 * @param parentSeqNum {@code seqNum - 1}
 * @param clientId the device that committed it
 * @param sessionId the session that committed it
 */
public record GlobalEvent(
    String name,
    String argsJson,
    long seqNum,
    long parentSeqNum,
    String clientId,
    String sessionId) {}
