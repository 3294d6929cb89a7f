package dev.filesync.store;

/**
 * Where a store's log and sync stand.
 *
 * @param localHead the newest event in the local log
 * @param upstreamHead the newest global sequence number confirmed by the backend
 * @param pendingEvents synced events committed here and not yet confirmed
 * @param backendHead the backend's head as last seen, or -1 before the first exchange
 * @param backendId the backend's identity as last seen, or {@code null}
 * @param status what the sync client is doing
 * @param lastError the last sync failure, or {@code null}
 */
public record SyncState(
    SeqNum localHead,
    long upstreamHead,
    int pendingEvents,
    long backendHead,
    String backendId,
    SyncStatus status,
    String lastError) {}
