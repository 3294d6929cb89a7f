package dev.filesync.store;

/**
 * An event as the log holds it.
 *
 * @param name the event name
 * @param argsJson the encoded arguments, a JSON object
 * @param seqNum its position
 * @param parentSeqNum the position of the event it follows
 * @param clientId the device that committed it
 * @param sessionId the session that committed it
 */
public record StoredEvent(
    String name,
    String argsJson,
    SeqNum seqNum,
    SeqNum parentSeqNum,
    String clientId,
    String sessionId) {

  /**
   * The arguments decoded with {@code def}'s codec.
   *
   * @throws IllegalArgumentException when {@code def} is for another event or the JSON does not fit
   */
  public <A> A args(EventDef<A> def) {
    if (!def.name().equals(name)) {
      throw new IllegalArgumentException("event " + name + " is not a " + def.name());
    }
    return def.codec().decode(argsJson);
  }
}
