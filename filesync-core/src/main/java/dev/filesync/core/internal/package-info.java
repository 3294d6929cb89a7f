/** Implementation of {@code dev.filesync.core}; not API. */
package dev.filesync.core.internal;
