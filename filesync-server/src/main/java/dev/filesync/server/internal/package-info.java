/**
 * Internals of the server, not API: the HTTP handlers of the sync service ({@link
 * dev.filesync.server.internal.SyncHandlers}) and of the storage service ({@link
 * dev.filesync.server.internal.StorageHandlers}, with the gateway's {@link
 * dev.filesync.server.internal.GatewayBackend} and {@link
 * dev.filesync.server.internal.GatewaySignature}), push validation, JSON writing, store id, key
 * ({@link dev.filesync.server.internal.Keys}) and grant ({@link
 * dev.filesync.server.internal.KeyGrants}) rules, HTTP {@link
 * dev.filesync.server.internal.Metrics}, and the one {@link dev.filesync.server.internal.ErrorCode}
 * table that maps error codes to HTTP statuses ({@link dev.filesync.server.internal.HttpErrors}
 * writes them). Classes here are public only so that {@code dev.filesync.server} can use them; they
 * may change at any time.
 */
package dev.filesync.server.internal;
