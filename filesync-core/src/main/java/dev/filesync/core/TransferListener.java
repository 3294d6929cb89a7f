package dev.filesync.core;

/**
 * Told how far a transfer has come. Called on a thread that moves the transfer's bytes: the
 * caller's, or one of the HTTP client's while an upload's body is sent. Calls for one transfer
 * never overlap, and the last one, made before the transfer method returns normally, reports the
 * whole size. Keep it quick and do not block.
 */
@FunctionalInterface
public interface TransferListener {
  /** Does nothing. */
  TransferListener NONE = (done, total) -> {};

  /**
   * Progress so far.
   *
   * @param bytesDone bytes moved so far
   * @param bytesTotal the whole size, or -1 when unknown
   */
  void progress(long bytesDone, long bytesTotal);
}
