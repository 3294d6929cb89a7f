/**
 * A photo gallery of one device, the example of {@code docs/embedding.md}: {@link
 * dev.filesync.examples.gallery.GalleryApp} opens a store with FileSync's and the thumbnail tables,
 * FileSync (synced through a server, or local-only), thumbnails and the loopback file endpoint, and
 * serves a page that lists the store's images and refreshes itself when they change.
 *
 * <pre>
 * filesync-examples/run-gallery --data photos --store me --import ~/Pictures
 * filesync-examples/run-gallery --data photos --store me --server http://127.0.0.1:8787 --token T
 * </pre>
 *
 * <p>It uses the public API of {@code filesync-store}, {@code filesync-core} and {@code
 * filesync-image} only, and the JDK's {@code com.sun.net.httpserver} for its page.
 */
package dev.filesync.examples.gallery;
