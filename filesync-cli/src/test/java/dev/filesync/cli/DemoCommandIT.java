package dev.filesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code filesync demo} run in-process, as the README shows it (plain output). */
class DemoCommandIT {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        FileSyncCli.run(args, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  private List<Path> demoDirectories() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("filesync-demo-")).toList();
    }
  }

  /** Threads that keep a JVM alive, by name. */
  private static Set<String> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  @Test
  void syncsSavesUpdatesAndDeletesBetweenTwoDevicesThenCleansUp() throws Exception {
    Set<String> before = liveThreads();
    Result r = run("demo", "--dir", dir.toString());

    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).isEmpty();
    String out = r.out();
    assertThat(out)
        .contains("1. Sample files: 8 images drawn with Java2D, a binary and a text file (seed 42)")
        .contains("saved 10 files")
        .contains("uploaded 10 files")
        .contains("downloaded 10 files")
        .contains("verified on B: 10 of 10 files hash to their row's SHA-256")
        .contains("thumbnails on B: 8 of 8 images")
        .contains("B has the new notes.txt, downloaded and verified")
        .contains("B no longer lists 08-postcard.jpg and removed its local copy")
        .contains("files on B: 9 (10 saved, 1 deleted), all verified")
        .contains("thumbnails on B: 8 of 8 images (A: 8), 3 sizes each")
        .contains("What next")
        .contains("Closed the server and both devices; removed ");
    // The large image is resized by device A's preprocessor; the PNGs become JPEGs.
    assertThat(out)
        .containsPattern("01-harbour\\.jpg +4032x3024 JPEG .* -> 1600x1200 JPEG .* resized");
    assertThat(out)
        .containsPattern("03-portrait\\.png +1080x1440 PNG .* -> 1080x1440 JPEG .* re-encoded");
    // One line per upload and per download, plain (no colours, no redrawing) when not a terminal.
    String size = "[0-9.]+ (B|KiB|MiB)";
    assertThat(out.lines().filter(l -> l.matches("   uploaded   \\S+ +" + size))).hasSize(10);
    // ten downloads, then notes.txt again after its update
    assertThat(out.lines().filter(l -> l.matches("   downloaded \\S+ +" + size))).hasSize(11);
    assertThat(out).doesNotContain("\u001b[");
    assertThat(out.lines().filter(l -> l.matches("   (save on A|upload from A|download to B) .*")))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).matches(".* \\d+ +" + size + " +[0-9.]+ s +" + size + "/s"));

    assertThat(demoDirectories()).as("the demo removes its directories").isEmpty();
    // Every thread the demo started (server, stores, engines, thumbnails) has ended.
    long deadline = System.nanoTime() + 5_000_000_000L;
    Set<String> left = liveThreads();
    left.removeAll(before);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      left = liveThreads();
      left.removeAll(before);
    }
    assertThat(left).as("threads left running").isEmpty();
  }

  @Test
  void keepLeavesTheServerAndTheDevicesUsable() throws Exception {
    Result r = run("demo", "--keep", "--files", "4", "--seed", "7", "--dir", dir.toString());

    assertThat(r.status()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("(seed 7)")
        .contains("files on B: 3 (4 saved, 1 deleted), all verified")
        .contains("thumbnails on B: 2 of 2 images");
    List<Path> kept = demoDirectories();
    assertThat(kept).hasSize(1);
    Path root = kept.get(0);
    assertThat(r.out()).contains("Kept in " + root);
    assertThat(root.resolve("server/sync.db")).isRegularFile();
    assertThat(root.resolve("server/blobs")).isDirectory();
    assertThat(root.resolve("device-a/stores")).isDirectory();
    assertThat(root.resolve("device-b/stores")).isDirectory();
    assertThat(root.resolve("samples/notes.txt")).isRegularFile();

    // The printed offline command works on the kept device B: its three files are there.
    Result ls =
        run("ls", "--json", "--store", "demo", "--data", root.resolve("device-b").toString());
    assertThat(ls.status()).as(ls.err()).isZero();
    JsonNode files = new ObjectMapper().readTree(ls.out());
    assertThat(files).hasSize(4);
    assertThat(files).filteredOn(f -> !f.path("deleted").asBoolean()).hasSize(3);
    assertThat(files)
        .filteredOn(f -> !f.path("deleted").asBoolean())
        .allSatisfy(f -> assertThat(f.path("downloadStatus").asText()).isEqualTo("done"));
    DemoCommand.deleteTree(root);
  }

  @Test
  void badOptionsAreUsageErrors() {
    Result r = run("demo", "--files", "2", "--dir", dir.toString());
    assertThat(r.status()).isEqualTo(FileSyncCli.EXIT_USAGE);
    assertThat(r.err()).isEqualTo("filesync: --files must be 3 to 200: 2 (try --help)\n");
    Result t = run("demo", "--timeout", "soon", "--dir", dir.toString());
    assertThat(t.status()).isEqualTo(FileSyncCli.EXIT_USAGE);
  }

  @Test
  void aTimeoutTooShortFailsWithOneLineAndCleansUp() throws Exception {
    Result r = run("demo", "--timeout", "1ms", "--files", "3", "--dir", dir.toString());
    assertThat(r.status()).isEqualTo(FileSyncCli.EXIT_FAILURE);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("filesync: ").contains("did not finish within 1ms");
    assertThat(demoDirectories()).isEmpty();
  }
}
