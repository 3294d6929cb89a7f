/**
 * Images for FileSync: {@link dev.filesync.image.ImagePreprocessor} bounds and re-encodes images
 * before they are saved (EXIF orientation applied, ICC profile kept or converted, metadata with the
 * pixel size synced with the file), and {@link dev.filesync.image.Thumbnails} makes local
 * thumbnails in the background for the process that holds the store's lock, tracked in the
 * client-only tables of {@link dev.filesync.image.ThumbnailSchema}.
 *
 * <p>Decoding and encoding go through an {@link dev.filesync.image.ImageBackend}: the pure-Java one
 * by default ({@link dev.filesync.image.ImageBackends#java()}), or libvips when the {@code
 * filesync-image-vips} module and the native library are present ({@link
 * dev.filesync.image.ImageBackends#best()}). Bad images (corrupt, truncated, unsupported, or
 * declaring more pixels than allowed) give an {@link dev.filesync.image.ImageException} with its
 * reason.
 */
package dev.filesync.image;
