package dev.filesync.image;

import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncSchema;
import dev.filesync.store.Store;
import dev.filesync.store.StoreConfig;
import dev.filesync.store.StoreSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A local-only device with thumbnails: a store, a FileSync and a Thumbnails on one directory. */
final class ImageDevice implements AutoCloseable {
  static final StoreSchema SCHEMA =
      ThumbnailSchema.addTo(FileSyncSchema.addTo(StoreSchema.builder())).build();

  final Path root;
  final Store store;
  final FileSync files;
  final CountingBackend backend;
  Thumbnails thumbs;

  ImageDevice(Path root, CountingBackend backend, Consumer<ThumbnailConfig.Builder> settings)
      throws IOException {
    this.root = root;
    this.backend = backend;
    this.store =
        Store.open(
            StoreConfig.builder(root, "photos", SCHEMA)
                .lockRetryInterval(Duration.ofMillis(20))
                .build());
    this.files = FileSync.builder(store, root).start();
    startThumbnails(settings);
  }

  void startThumbnails(Consumer<ThumbnailConfig.Builder> settings) throws IOException {
    ThumbnailConfig.Builder b =
        ThumbnailConfig.builder(files).backend(backend).retry(3, Duration.ofMillis(10));
    settings.accept(b);
    thumbs = b.start();
  }

  Path await(String id, String size) throws Exception {
    return thumbs
        .await(id, size, Duration.ofSeconds(30))
        .orElseThrow(() -> new AssertionError("no " + size + " thumbnail of " + id + " in 30 s"));
  }

  @Override
  public void close() throws IOException {
    if (thumbs != null) {
      thumbs.close();
    }
    files.close();
    store.close();
  }

  /** The Java backend, counting renders, with a hook to fail them. */
  static final class CountingBackend implements ImageBackend {
    final AtomicInteger renders = new AtomicInteger();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile IOException failure;
    volatile Error error;
    volatile java.util.concurrent.CountDownLatch gate;
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);

    @Override
    public String name() {
      return "counting java";
    }

    @Override
    public ImageInfo probe(Path source, long maxPixels) throws IOException {
      return ImageBackends.java().probe(source, maxPixels);
    }

    @Override
    public List<ImageInfo> render(
        Path source, List<Target> targets, Encoding encoding, long maxPixels) throws IOException {
      renders.incrementAndGet();
      entered.countDown();
      java.util.concurrent.CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
      Error e = error;
      if (e != null) {
        error = null;
        throw e;
      }
      if (failure != null && failuresLeft.getAndDecrement() > 0) {
        throw failure;
      }
      return ImageBackends.java().render(source, targets, encoding, maxPixels);
    }
  }

  static Map<String, Integer> sizes(Object... nameAndPixels) {
    java.util.LinkedHashMap<String, Integer> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameAndPixels.length; i += 2) {
      m.put((String) nameAndPixels[i], (Integer) nameAndPixels[i + 1]);
    }
    return m;
  }
}
