package dev.filesync.core;

/** Told how far a transfer has come. Called on the transfer's thread; keep it quick. */
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
