package dev.filesync.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the {@link LocalFileServer} finds thumbnails: the image module (or the application) plugs
 * its thumbnail store in here, so the core does not depend on it. All thumbnails of one source have
 * one media type, given with the source to {@link LocalFileServer.Builder#thumbnails}.
 *
 * {@snippet :
 * LocalFileServer server =
 *     LocalFileServer.builder(files)
 *         .thumbnails((fileId, size) -> thumbnails.find(fileId, size), "image/webp")
 *         .start();
 * }
 *
 * <p>Called on the server's request threads, possibly at once for several requests: implementations
 * must be thread-safe. They should not block for long (generate thumbnails ahead, not here).
 */
@FunctionalInterface
public interface ThumbnailSource {

  /**
   * The file holding the thumbnail of {@code fileId} at {@code size}, or empty when there is none
   * (yet). The file is read, never written, and must stay readable while it is served (replace it
   * by an atomic move, not by writing it in place).
   *
   * @param fileId a live file's id
   * @param size the size name of the URL ({@code [A-Za-z0-9._-]}, 1 to 64 characters), as the
   *     source defines them ({@code "small"}, {@code "256"}...)
   * @throws IOException when the thumbnail store cannot be read (the client gets a 500)
   */
  Optional<Path> thumbnail(String fileId, String size) throws IOException;
}
