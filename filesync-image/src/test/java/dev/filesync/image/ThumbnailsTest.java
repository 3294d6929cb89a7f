package dev.filesync.image;

import static dev.filesync.image.ImageDevice.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filesync.image.ImageDevice.CountingBackend;
import dev.filesync.store.LockStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailsTest {
  @TempDir Path dir;
  private ImageDevice device;
  private ImageDevice other;

  @AfterEach
  void close() throws IOException {
    if (other != null) {
      other.close();
    }
    if (device != null) {
      device.close();
    }
  }

  private ImageDevice open() throws IOException {
    device = new ImageDevice(dir, new CountingBackend(), b -> {});
    return device;
  }

  private static byte[] jpeg(int w, int h) {
    return TestImages.jpeg(TestImages.photo(w, h), 90);
  }

  /** Waits (on the store's notifications, not a timer) until the file has no state row. */
  private static void awaitNoState(ImageDevice d, String id) throws InterruptedException {
    CountDownLatch gone = new CountDownLatch(1);
    var sub =
        d.store.subscribe(
            Thumbnails.stateQuery(id),
            st -> {
              if (st.isEmpty()) {
                gone.countDown();
              }
            });
    try {
      assertThat(gone.await(30, TimeUnit.SECONDS)).as("state of " + id + " removed").isTrue();
    } finally {
      sub.cancel();
    }
  }

  @Test
  void everyConfiguredSizeIsMadeForImagesAndOtherFilesAreSkipped() throws Exception {
    ImageDevice d = open();
    String photo = d.files.save(jpeg(400, 300), "photo.jpg", "image/jpeg");
    String alpha = d.files.save(TestImages.pngWithAlpha(300, 600), "a.png", "image/png");
    String gif = d.files.save(TestImages.animatedGif(50, 40), "anim.gif", "image/gif");
    String text = d.files.save("hello".getBytes(StandardCharsets.UTF_8), "t.txt", "text/plain");

    Path small = d.await(photo, "small");
    assertThat(TestImages.read(small).getWidth()).isEqualTo(128);
    assertThat(TestImages.read(small).getHeight()).isEqualTo(96);
    assertThat(TestImages.read(d.await(photo, "large")).getWidth()).isEqualTo(400);
    assertThat(dev.filesync.image.internal.ImageSniffer.sniff(small)).contains("image/webp");
    assertThat(TestImages.read(d.await(alpha, "medium")).getHeight()).isEqualTo(256);
    assertThat(TestImages.read(d.await(alpha, "medium")).getColorModel().hasAlpha()).isTrue();
    assertThat(TestImages.read(d.await(gif, "small")).getWidth()).isEqualTo(50);

    assertThatThrownBy(() -> d.await(text, "small"))
        .isInstanceOfSatisfying(
            ThumbnailException.class,
            e -> assertThat(e.status()).isEqualTo(ThumbnailStatus.SKIPPED));

    ThumbnailState st = d.thumbs.state(photo).orElseThrow();
    assertThat(st.mimeType()).isEqualTo("image/jpeg");
    assertThat(st.sizes().keySet()).containsExactly("small", "medium", "large");
    assertThat(st.sizes().values()).allMatch(s -> s.status() == ThumbnailStatus.DONE);
    assertThat(d.root.resolve(st.sizes().get("small").path())).isEqualTo(small);
    assertThat(d.thumbs.state(text).orElseThrow().mimeType()).isEqualTo("text/plain");
    assertThat(d.thumbs.resolve(photo, "small")).contains(small);
    assertThat(d.thumbs.resolveOrFile(text, "small"))
        .contains(d.files.localPath(text).orElseThrow().toUri());
    // Thumbnails live under the data directory, never in the synced content.
    assertThat(small.startsWith(d.root.resolve("thumbnails"))).isTrue();
  }

  @Test
  void badImagesGetAnErrorAtOnceAndDoNotBlockOthers() throws Exception {
    ImageDevice d = open();
    String cut = d.files.save(TestImages.truncated(jpeg(400, 300), 0.4), "cut.jpg", "image/jpeg");
    String bomb = d.files.save(TestImages.pngDeclaring(60_000, 60_000), "bomb.png", "image/png");
    String good = d.files.save(jpeg(200, 100), "good.jpg", "image/jpeg");

    assertThat(d.await(good, "small")).exists();
    assertThatThrownBy(() -> d.await(cut, "small"))
        .isInstanceOf(ThumbnailException.class)
        .hasMessageContaining("corrupt or truncated");
    assertThatThrownBy(() -> d.await(bomb, "small"))
        .isInstanceOf(ThumbnailException.class)
        .hasMessageContaining("over the limit");
    // Bad images are not retried: one render each.
    assertThat(d.backend.renders.get()).isEqualTo(3);
    assertThat(d.thumbs.state(cut).orElseThrow().sizes().get("large").error())
        .contains("corrupt or truncated");
  }

  @Test
  void passingFailuresAreRetriedABoundedNumberOfTimes() throws Exception {
    ImageDevice d = open();
    d.backend.failure = new IOException("disk hiccup");
    d.backend.failuresLeft.set(2);
    String a = d.files.save(jpeg(100, 80), "a.jpg", "image/jpeg");
    assertThat(d.await(a, "small")).exists();
    assertThat(d.backend.renders.get()).isEqualTo(3);

    d.backend.failuresLeft.set(1000);
    String b = d.files.save(jpeg(101, 80), "b.jpg", "image/jpeg");
    assertThatThrownBy(() -> d.await(b, "small"))
        .isInstanceOf(ThumbnailException.class)
        .hasMessageContaining("failed after 3 attempts: disk hiccup");
    assertThat(d.backend.renders.get()).isEqualTo(6);

    // The error sticks (no endless retries) until regenerate.
    d.backend.failuresLeft.set(0);
    String c = d.files.save(jpeg(102, 80), "c.jpg", "image/jpeg");
    d.await(c, "small");
    assertThat(d.backend.renders.get()).isEqualTo(7);
    d.thumbs.regenerate(b);
    assertThat(d.await(b, "small")).exists();
    assertThat(d.backend.renders.get()).isEqualTo(8);
  }

  @Test
  void sameContentSharesThumbnailsWhichGoWhenTheLastFileGoes() throws Exception {
    ImageDevice d = open();
    byte[] bytes = jpeg(300, 200);
    String one = d.files.save(bytes, "one.jpg", "image/jpeg");
    Path t1 = d.await(one, "small");
    String two = d.files.save(bytes, "two.jpg", "image/jpeg");
    assertThat(d.await(two, "small")).isEqualTo(t1);
    assertThat(d.backend.renders.get()).isEqualTo(1);

    d.files.delete(one);
    awaitNoState(d, one);
    assertThat(t1).exists();
    d.files.delete(two);
    awaitNoState(d, two);
    assertThat(t1.getParent().getParent()).doesNotExist();
  }

  @Test
  void anUpdateMakesNewThumbnailsAndRemovesTheOldOnes() throws Exception {
    ImageDevice d = open();
    String id = d.files.save(jpeg(300, 200), "p.jpg", "image/jpeg");
    Path before = d.await(id, "small");
    Path newFile = dir.resolve("new.jpg");
    Files.write(newFile, jpeg(200, 300));
    d.files.update(id, newFile);
    Path after = d.await(id, "small");
    assertThat(after).isNotEqualTo(before);
    assertThat(TestImages.read(after).getHeight()).isEqualTo(128);
    // The old content's directory goes in the same pass that recorded the new state.
    assertThat(before.getParent().getParent()).doesNotExist();
  }

  @Test
  void aRestartKeepsThumbnailsAndResumesInterruptedWork() throws Exception {
    ImageDevice d = open();
    String a = d.files.save(jpeg(300, 200), "a.jpg", "image/jpeg");
    String b = d.files.save(jpeg(301, 200), "b.jpg", "image/jpeg");
    Path ta = d.await(a, "small");
    Path tb = d.await(b, "small");
    d.close();
    device = null;

    // Restarted: nothing is made again.
    ImageDevice again = new ImageDevice(dir, new CountingBackend(), x -> {});
    device = again;
    assertThat(again.await(a, "small")).isEqualTo(ta);
    // Simulate a crash in the middle of b: its files are gone and its state says generating.
    again.thumbs.close();
    again.thumbs = null;
    Files.walk(tb.getParent())
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(p -> p.toFile().delete());
    again.store.commit(
        ThumbnailSchema.STATE_UPSERT.of(
            new ThumbnailSchema.ThumbnailStateUpsert(
                b,
                again
                    .files
                    .config()
                    .store()
                    .query(
                        dev.filesync.store.Query.first(
                            "SELECT contentHash FROM files WHERE id = ?", r -> r.getString(1), b))
                    .orElseThrow(),
                "image/jpeg",
                "{\"small\":{\"status\":\"generating\"},\"medium\":{\"status\":\"generating\"},"
                    + "\"large\":{\"status\":\"generating\"}}")));
    again.startThumbnails(x -> {});
    assertThat(again.await(b, "small")).isEqualTo(tb).exists();
    assertThat(again.backend.renders.get()).isEqualTo(1);
  }

  @Test
  void aSettingsChangeClearsAndRegenerates() throws Exception {
    ImageDevice d = open();
    String a = d.files.save(jpeg(300, 200), "a.jpg", "image/jpeg");
    Path old = d.await(a, "small");
    d.thumbs.close();
    d.startThumbnails(b -> b.sizes(sizes("tiny", 64)).format(ImageFormat.JPEG));
    Path tiny = d.await(a, "tiny");
    assertThat(tiny.getFileName().toString()).isEqualTo("tiny.jpg");
    assertThat(TestImages.read(tiny).getWidth()).isEqualTo(64);
    assertThat(old.getParent()).doesNotExist();
    assertThat(d.thumbs.state(a).orElseThrow().sizes().keySet()).containsExactly("tiny");
    assertThat(d.thumbs.config().configHash())
        .isNotEqualTo(ThumbnailConfig.builder(d.files).build().configHash());
  }

  @Test
  void onlyTheLockHolderGeneratesAndAnotherTakesOverWhenItExits() throws Exception {
    ImageDevice leader = open();
    other = new ImageDevice(dir, new CountingBackend(), b -> {});
    assertThat(leader.store.lockStatus()).isEqualTo(LockStatus.HAS_LOCK);
    assertThat(other.store.lockStatus()).isEqualTo(LockStatus.NO_LOCK);

    String a = other.files.save(jpeg(300, 200), "a.jpg", "image/jpeg");
    assertThat(other.await(a, "small")).exists();
    assertThat(leader.backend.renders.get()).isEqualTo(1);
    assertThat(other.backend.renders.get()).isZero();

    // Any process can make one on demand.
    String b = other.files.save(jpeg(100, 50), "b.jpg", "image/jpeg");
    Path now = other.thumbs.generate(b, "medium");
    assertThat(TestImages.read(now).getWidth()).isEqualTo(100);

    leader.close();
    device = null;
    int before = other.backend.renders.get();
    String c = other.files.save(jpeg(302, 200), "c.jpg", "image/jpeg");
    assertThat(other.await(c, "small")).exists();
    assertThat(other.store.lockStatus()).isEqualTo(LockStatus.HAS_LOCK);
    assertThat(other.backend.renders.get()).as("the new lock holder made c").isGreaterThan(before);
  }

  @Test
  void generateOnDemandRefusesWhatIsNotAnImage() throws Exception {
    ImageDevice d = open();
    String text = d.files.save("plain".getBytes(StandardCharsets.UTF_8), "t.txt", "text/plain");
    assertThatThrownBy(() -> d.thumbs.generate(text, "small"))
        .isInstanceOfSatisfying(
            ThumbnailException.class,
            e -> assertThat(e.status()).isEqualTo(ThumbnailStatus.SKIPPED))
        .hasMessageContaining("not an image");
    String cut = d.files.save(TestImages.truncated(jpeg(300, 200), 0.3), "c.jpg", "image/jpeg");
    assertThatThrownBy(() -> d.thumbs.generate(cut, "small"))
        .isInstanceOfSatisfying(
            ThumbnailException.class, e -> assertThat(e.status()).isEqualTo(ThumbnailStatus.ERROR));
    assertThatThrownBy(() -> d.thumbs.generate("nope", "small"))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
    assertThatThrownBy(() -> d.thumbs.resolve(text, "huge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown thumbnail size 'huge'");
    assertThatThrownBy(() -> d.thumbs.await(text, "small", Duration.ofSeconds(30)))
        .isInstanceOf(ThumbnailException.class);
  }

  @Test
  void theLocalEndpointServesThumbnailsThroughTheSource() throws Exception {
    ImageDevice d = open();
    String id = d.files.save(jpeg(400, 200), "p.jpg", "image/jpeg");
    Path small = d.await(id, "small");
    try (dev.filesync.core.LocalFileServer server =
        dev.filesync.core.LocalFileServer.builder(d.files)
            .thumbnails(d.thumbs.source(), d.thumbs.config().format().mimeType())
            .start()) {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      var ok =
          http.send(
              java.net.http.HttpRequest.newBuilder(server.thumbnailUrl(id, "small")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).contains("image/webp");
      assertThat(ok.body()).isEqualTo(Files.readAllBytes(small));
      var unknownSize =
          http.send(
              java.net.http.HttpRequest.newBuilder(server.thumbnailUrl(id, "huge")).build(),
              java.net.http.HttpResponse.BodyHandlers.discarding());
      assertThat(unknownSize.statusCode()).isEqualTo(404);
    }
  }

  @Test
  void regenerateWhileItsContentIsBeingMadeEndsDone() throws Exception {
    ImageDevice d = open();
    d.backend.gate = new CountDownLatch(1);
    String id = d.files.save(jpeg(300, 200), "p.jpg", "image/jpeg");
    assertThat(d.backend.entered.await(30, TimeUnit.SECONDS)).isTrue();
    d.thumbs.regenerate(id);
    d.backend.gate.countDown();
    assertThat(d.await(id, "small")).exists();
    assertThat(d.thumbs.state(id).orElseThrow().sizes().values())
        .allMatch(s -> s.status() == ThumbnailStatus.DONE);
  }

  @Test
  void aCodecErrorFailsThatFileAndGivesItsSlotBack() throws Exception {
    ImageDevice d = device = new ImageDevice(dir, new CountingBackend(), b -> b.concurrency(1));
    d.backend.error = new LinkageError("native codec missing");
    String bad = d.files.save(jpeg(300, 200), "bad.jpg", "image/jpeg");
    assertThatThrownBy(() -> d.await(bad, "small"))
        .isInstanceOf(ThumbnailException.class)
        .hasMessageContaining("native codec missing");
    String good = d.files.save(jpeg(301, 200), "good.jpg", "image/jpeg");
    assertThat(d.await(good, "small")).exists();
  }

  @Test
  void anOnDemandInstanceLeavesTheBackgroundSettingsAlone() throws Exception {
    ImageDevice d = open();
    String id = d.files.save(jpeg(300, 200), "p.jpg", "image/jpeg");
    Path small = d.await(id, "small");
    String hash = d.thumbs.config().configHash();
    d.thumbs.close();
    // A one-off tool with other settings, in the process that holds the lock.
    try (Thumbnails oneOff =
        ThumbnailConfig.builder(d.files)
            .backend(d.backend)
            .sizes(sizes("tiny", 32))
            .generateInBackground(false)
            .start()) {
      Path tiny = oneOff.generate(id, "tiny");
      assertThat(TestImages.read(tiny).getWidth()).isEqualTo(32);
    }
    assertThat(small).exists();
    assertThat(d.thumbs.state(id).orElseThrow().sizes().keySet())
        .contains("small", "medium", "large", "tiny");
    d.startThumbnails(b -> {});
    assertThat(d.await(id, "small")).isEqualTo(small);
    assertThat(
            d.store.query(
                dev.filesync.store.Query.first(
                    "SELECT configHash FROM thumbnailConfig", r -> r.getString(1))))
        .contains(hash);
  }

  @Test
  void aFileThatOnlyLooksLikeAnImageIsSkipped() throws Exception {
    ImageDevice d = open();
    String csv =
        d.files.save("BM,2024,not a bitmap".getBytes(StandardCharsets.UTF_8), "b.csv", null);
    assertThatThrownBy(() -> d.await(csv, "small"))
        .isInstanceOfSatisfying(
            ThumbnailException.class,
            e -> assertThat(e.status()).isEqualTo(ThumbnailStatus.SKIPPED));
    assertThat(d.thumbs.state(csv).orElseThrow().sizes().get("small").status())
        .isEqualTo(ThumbnailStatus.SKIPPED);
  }

  @Test
  void configurationIsCheckedAndHashedLikeTheReference() throws Exception {
    ImageDevice d = open();
    assertThatThrownBy(() -> ThumbnailConfig.parseSizes("small=128,,big"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ThumbnailConfig.parseSizes("small=128, medium=256"))
        .containsExactly(Map.entry("small", 128), Map.entry("medium", 256));
    assertThatThrownBy(() -> ThumbnailConfig.builder(d.files).sizes(sizes("Big!", 10)))
        .hasMessageContaining("bad thumbnail size name");
    assertThatThrownBy(() -> ThumbnailConfig.builder(d.files).format(ImageFormat.KEEP))
        .isInstanceOf(IllegalArgumentException.class);
    // The reference's hash function (Java's String.hashCode in signed hex) over its JSON.
    assertThat(
            Integer.toString(
                "{\"sizes\":{\"small\":128,\"medium\":256,\"large\":512},\"format\":\"webp\"}"
                    .hashCode(),
                16))
        .isEqualTo("-52f05ae2");
    assertThat(ThumbnailConfig.builder(d.files).build().settingsJson())
        .isEqualTo(
            "{\"sizes\":{\"small\":128,\"medium\":256,\"large\":512},\"format\":\"webp\","
                + "\"quality\":80,\"color\":\"srgb\"}");
    Optional<ThumbnailState> none = d.thumbs.state("missing");
    assertThat(none).isEmpty();
  }
}
