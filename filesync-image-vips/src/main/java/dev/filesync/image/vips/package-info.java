/**
 * An optional libvips backend for {@code filesync-image}: put this module on the class path,
 * install libvips ({@code apt-get install libvips42}) and run with {@code
 * --enable-native-access=ALL-UNNAMED}, and {@link dev.filesync.image.ImageBackends#best()} picks
 * it. The only public type is the {@link java.util.ServiceLoader} provider, {@link
 * dev.filesync.image.vips.VipsImageBackendProvider}; the backend itself is used through {@link
 * dev.filesync.image.ImageBackend}.
 */
package dev.filesync.image.vips;
