package dev.filesync.server;

import dev.filesync.server.internal.FileSystemBlobStore;
import dev.filesync.server.internal.S3BlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens the {@link BlobStore} implementations.
 *
 * {@snippet :
 * try (BlobStore store = BlobStores.filesystem(Path.of("filesync-data/blobs"))) {
 *   store.put("user-42/9f86d0", body, length, 64 << 20, "image/png", sha256Hex);
 * }
 * }
 */
public final class BlobStores {
  private BlobStores() {}

  /**
   * A store on the local filesystem under {@code root} (created if missing): objects in {@code
   * root/objects/<key>}, their metadata in {@code root/meta/}, multipart uploads in {@code
   * root/multipart/}, files being written in {@code root/tmp/}. One process owns a root at a time.
   * {@code root} may be on any {@link java.nio.file.FileSystem}.
   *
   * @throws IOException when the directories cannot be created
   */
  public static BlobStore filesystem(Path root) throws IOException {
    return new FileSystemBlobStore(Objects.requireNonNull(root, "root"));
  }

  /**
   * A store in one bucket of an S3-compatible service. It does not create the bucket, and it makes
   * no request until it is used. {@link BlobStore#close()} closes its HTTP client.
   */
  public static BlobStore s3(S3Settings settings) {
    return S3BlobStore.create(Objects.requireNonNull(settings, "settings"));
  }
}
