/**
 * FileSync's file-sync library: the schema (files, local file state, cursor) registered into a
 * {@link dev.filesync.store.Store}, the local content store, remote storage, and the sync engine.
 */
package dev.filesync.core;
