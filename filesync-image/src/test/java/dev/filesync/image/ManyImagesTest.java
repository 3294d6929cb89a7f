package dev.filesync.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.image.ImageDevice.CountingBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store of 200 images: every thumbnail is made, kept across a restart, cleaned up on delete and
 * made again after a settings change.
 */
class ManyImagesTest {
  @TempDir Path dir;

  @Test
  void twoHundredImages() throws Exception {
    long seed = Long.getLong("filesync.seed", System.nanoTime());
    System.out.println("ManyImagesTest -Dfilesync.seed=" + seed);
    Random random = new Random(seed);
    List<String> ids = new ArrayList<>();
    CountingBackend backend = new CountingBackend();
    try (ImageDevice d = new ImageDevice(dir, backend, b -> b.concurrency(2))) {
      for (int i = 0; i < 200; i++) {
        int w = 40 + random.nextInt(600);
        int h = 40 + random.nextInt(600);
        java.awt.image.BufferedImage img = TestImages.photo(w, h);
        // A mark of its own, so that no two images share their bytes (and their thumbnails).
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(java.awt.Color.BLACK);
        g.fillRect(0, 0, 1 + i % 32, 1 + i / 32);
        g.dispose();
        byte[] bytes =
            switch (i % 3) {
              case 0 -> TestImages.jpeg(img, 80);
              case 1 -> TestImages.png(img);
              default -> TestImages.webp(img);
            };
        ids.add(d.files.save(bytes, "img-" + i, null));
      }
      for (String id : ids) {
        for (String size : List.of("small", "medium", "large")) {
          Path p = d.await(id, size);
          assertThat(p).isRegularFile();
        }
      }
      assertThat(backend.renders.get()).isEqualTo(200);
      assertThat(thumbnailFiles(d)).hasSize(600);
    }

    // Restarted: every thumbnail is still there, none is made again.
    CountingBackend second = new CountingBackend();
    try (ImageDevice d = new ImageDevice(dir, second, b -> {})) {
      for (String id : ids) {
        assertThat(d.await(id, "medium")).isRegularFile();
      }
      assertThat(second.renders.get()).isZero();

      // Deleting 50 files removes their thumbnails and state rows.
      List<String> deleted = ids.subList(0, 50);
      for (String id : deleted) {
        d.files.delete(id);
      }
      CountDownLatch cleaned = new CountDownLatch(1);
      var sub =
          d.store.subscribe(
              dev.filesync.store.Query.scalar("SELECT count(*) FROM thumbnailState")
                  .dependsOn("thumbnailState"),
              n -> {
                if (n == 150) {
                  cleaned.countDown();
                }
              });
      assertThat(cleaned.await(30, TimeUnit.SECONDS)).isTrue();
      sub.cancel();
      assertThat(thumbnailFiles(d)).hasSize(450);
      for (String id : deleted) {
        assertThat(d.thumbs.state(id)).isEmpty();
      }

      // New settings: everything is made again with them, and the old files go.
      d.thumbs.close();
      d.startThumbnails(b -> b.sizes(ImageDevice.sizes("thumb", 96)).format(ImageFormat.JPEG));
      for (String id : ids.subList(50, 200)) {
        Path p = d.await(id, "thumb");
        assertThat(p.getFileName().toString()).isEqualTo("thumb.jpg");
      }
      assertThat(second.renders.get()).isEqualTo(150);
      assertThat(thumbnailFiles(d)).hasSize(150).allMatch(p -> p.toString().endsWith(".jpg"));
    }
  }

  private static List<Path> thumbnailFiles(ImageDevice d) throws IOException {
    try (Stream<Path> s = Files.walk(d.root.resolve("thumbnails"))) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
