package dev.filesync.server;

/**
 * The outcome of {@link EventLog#append}: the batch was either admitted on top of the head, or
 * refused because the log has events the client has not pulled yet.
 */
public sealed interface AppendResult {

  /**
   * The store's head after the call.
   *
   * @return the sequence number of the last event of the store, 0 if it has none
   */
  long head();

  /**
   * The store's backend id.
   *
   * @return the backend id, fixed when the store was first used
   */
  String backendId();

  /**
   * The batch was appended.
   *
   * @param head the new head, the {@code seqNum} of the batch's last event
   * @param backendId the store's backend id
   */
  record Admitted(long head, String backendId) implements AppendResult {}

  /**
   * Nothing was appended: {@code batch[0].parentSeqNum} was not the head.
   *
   * @param head the current head, which the client must pull up to before pushing again
   * @param backendId the store's backend id
   */
  record ServerAhead(long head, String backendId) implements AppendResult {}
}
