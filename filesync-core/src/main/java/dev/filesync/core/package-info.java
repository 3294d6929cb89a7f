/**
 * FileSync's file-sync library: the schema (files, local file state, cursor) registered into a
 * {@link dev.filesync.store.Store}, the local content store, remote storage, and the sync engine
 * ({@link dev.filesync.core.FileSync}); and {@link dev.filesync.core.LocalFileServer}, a loopback
 * HTTP endpoint that serves the files (and thumbnails, through a {@link
 * dev.filesync.core.ThumbnailSource}) to web views.
 */
package dev.filesync.core;
