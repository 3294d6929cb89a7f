package dev.filesync.store;

/** A materializer refused an event, so the commit that carried it changed nothing. */
public class EventRejectedException extends FileSyncException {
  private static final long serialVersionUID = 1L;

  private final String eventName;

  /** An exception naming the event and the materializer's failure. */
  public EventRejectedException(String eventName, Throwable cause) {
    super(
        "event "
            + eventName
            + " was rejected by its materializer"
            + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()),
        cause);
    this.eventName = eventName;
  }

  /** The name of the refused event. */
  public String eventName() {
    return eventName;
  }
}
