package dev.filesync.core;

import java.util.Map;

/**
 * A snapshot of the engine and of this device's files.
 *
 * @param uploads live files per upload status ({@code queued}, {@code inProgress}, {@code done},
 *     {@code error}, {@code pending})
 * @param downloads live files per download status
 * @param errors the last error per file, for files that have one
 * @param bytesStored bytes of content files on this device
 * @param leader whether this process runs the engine
 * @param online whether remote storage answers (always true in local-only mode)
 * @param paused whether transfers are paused by {@link FileSync#pause()}
 */
public record SyncReport(
    Map<String, Long> uploads,
    Map<String, Long> downloads,
    Map<String, String> errors,
    long bytesStored,
    boolean leader,
    boolean online,
    boolean paused) {
  /** Copies the maps. */
  public SyncReport {
    uploads = Map.copyOf(uploads);
    downloads = Map.copyOf(downloads);
    errors = Map.copyOf(errors);
  }
}
