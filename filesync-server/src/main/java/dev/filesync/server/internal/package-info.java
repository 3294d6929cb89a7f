/**
 * Internals of the sync server, not API: the HTTP handlers ({@link
 * dev.filesync.server.internal.SyncHandlers}), push validation, JSON writing, store id and pattern
 * rules, and the one {@link dev.filesync.server.internal.ErrorCode} table that maps error codes to
 * HTTP statuses. Classes here are public only so that {@code dev.filesync.server} can use them;
 * they may change at any time.
 */
package dev.filesync.server.internal;
