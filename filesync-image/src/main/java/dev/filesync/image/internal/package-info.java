/** Implementation classes of {@code filesync-image}; not an API, may change at any time. */
package dev.filesync.image.internal;
