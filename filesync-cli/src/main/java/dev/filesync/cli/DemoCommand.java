package dev.filesync.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filesync.core.FileSyncEvent;
import dev.filesync.core.FileSyncEvent.Direction;
import dev.filesync.core.Preprocessor;
import dev.filesync.image.ImageFormat;
import dev.filesync.image.ImagePreprocessor;
import dev.filesync.image.ThumbnailConfig;
import dev.filesync.image.ThumbnailState;
import dev.filesync.image.ThumbnailStatus;
import dev.filesync.image.Thumbnails;
import dev.filesync.server.FileSyncServer;
import dev.filesync.server.ServerConfig;
import dev.filesync.store.Query;
import dev.filesync.store.Subscription;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code filesync demo}: a server and two devices on this machine, in a temporary directory. It
 * draws sample images and writes a few other files, saves them on device A (resizing the large
 * image), shows them upload, shows device B download, verify and thumbnail them, then an update and
 * a delete on A reaching B; prints a summary and what to try next, and removes its directories
 * unless {@code --keep}. Needs nothing installed but the JDK.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a server and two devices on this machine and syncs sample files:",
      "device A saves them (resizing images) and uploads them; device B downloads,",
      "verifies and thumbnails them; then A updates and deletes a file and B follows.",
      "Works in a temporary directory, removed at the end unless --keep."
    })
final class DemoCommand implements Callable<Integer> {
  /** The store id the two devices share. */
  static final String STORE = "demo";

  /** The largest width or height device A keeps. */
  static final int MAX_DIMENSION = 1600;

  private static final String SERVER_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.filesync.server";

  /** Exit status after Ctrl-C. */
  static final int EXIT_INTERRUPTED = 130;

  @Option(
      names = "--keep",
      description = "Keep the server's and the devices' directories and print how to use them.")
  boolean keep;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "42",
      description = "Seed of the sample files (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--files",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "How many sample files, 3 to 200: N-2 images, a binary file and a text file"
              + " (default: ${DEFAULT-VALUE}).")
  int files;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to make the demo's directory (default: the system's temp directory).")
  Path parent;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "2m",
      description =
          "Give up when the demo has not finished after this long (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--plain",
      description = "Plain lines, no colours, no redrawing (the default when not a terminal).")
  boolean plain;

  @Option(names = "--no-color", description = "No colours (also with NO_COLOR set).")
  boolean noColor;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (files < 3 || files > 200) {
      throw new FileSyncCli.UsageError("--files must be 3 to 200: " + files);
    }
    Duration limit = ServerCommand.duration("--timeout", timeout);
    if (System.getProperty(SERVER_LOG_LEVEL) == null) {
      // The embedded server's start and stop lines would only clutter the demo's output.
      System.setProperty(SERVER_LOG_LEVEL, "warn");
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    PrintWriter out = spec.commandLine().getOut();
    Screen screen = Screen.forStdout(out, plain, noColor);
    Path base = parent == null ? Path.of(System.getProperty("java.io.tmpdir")) : parent;
    Files.createDirectories(base);
    Path root = Files.createTempDirectory(base.toAbsolutePath(), "filesync-demo-");
    try (StopSignal stop = StopSignal.install("filesync-demo-stop")) {
      Run run = new Run(screen, root, limit, stop);
      int status = 1;
      try {
        run.execute();
        status = 0;
      } catch (Stopped e) {
        status = EXIT_INTERRUPTED;
      } finally {
        run.close();
        screen.clearBlock();
        if (keep && status == 0) {
          run.printKept();
        } else {
          deleteTree(root);
          screen.line(
              (status == EXIT_INTERRUPTED ? "Stopped. " : "")
                  + "Closed the server and both devices; removed "
                  + root
                  + (keep ? " (--keep keeps a demo that succeeded)" : ""));
        }
        stop.finished(status);
      }
      return status;
    }
  }

  /** Ctrl-C during the demo. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super("stopped", null, false, false);
    }
  }

  /** One device: its store, FileSync, thumbnails and transfer tracker. */
  private static final class Device implements AutoCloseable {
    final String name;
    final Path data;
    final ClientOptions.Session session;
    final Thumbnails thumbs;
    final TransferTracker tracker;
    final List<Subscription> subscriptions = new ArrayList<>();

    private Device(
        String name,
        Path data,
        ClientOptions.Session session,
        Thumbnails thumbs,
        TransferTracker tracker) {
      this.name = name;
      this.data = data;
      this.session = session;
      this.thumbs = thumbs;
      this.tracker = tracker;
    }

    static Device open(
        String name, Path data, URI server, String token, Preprocessor pre, Runnable onChange)
        throws IOException {
      ClientOptions c = new ClientOptions();
      c.data = data;
      c.store = STORE;
      c.server = server;
      c.token = token;
      ClientOptions.Session s =
          c.open(
              fb -> {
                if (pre != null) {
                  fb.preprocessor("image/*", pre);
                }
              });
      TransferTracker tracker = null;
      try {
        tracker = new TransferTracker(s.files(), onChange);
        Thumbnails thumbs = ThumbnailConfig.builder(s.files()).start();
        Device d = new Device(name, data, s, thumbs, tracker);
        // Wake the waiting thread on every change of the rows and of this device's state.
        d.subscriptions.add(
            s.store()
                .subscribe(
                    Query.first(
                        "SELECT group_concat(id || contentHash || remoteKey"
                            + " || ifnull(deletedAt, ''), ',') AS v FROM files",
                        r -> String.valueOf(r.getString("v"))),
                    v -> onChange.run()));
        d.subscriptions.add(
            s.store()
                .subscribe(
                    Query.first(
                        "SELECT group_concat(fileId || uploadStatus || downloadStatus"
                            + " || localHash, ',') AS v FROM localFileState",
                        r -> String.valueOf(r.getString("v"))),
                    v -> onChange.run()));
        return d;
      } catch (IOException | RuntimeException e) {
        if (tracker != null) {
          tracker.close();
        }
        s.close();
        throw e;
      }
    }

    List<FileCommands.Row> rows() {
      return session.store().query(FileCommands.ROWS);
    }

    Optional<FileCommands.Row> row(String id) {
      return rows().stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** Images whose every thumbnail size is done for their current content. */
    int thumbnailsDone(Set<String> imageIds) {
      Map<String, String> hashes = new HashMap<>();
      for (FileCommands.Row r : rows()) {
        if (!r.deleted()) {
          hashes.put(r.id(), r.contentHash());
        }
      }
      int done = 0;
      for (ThumbnailState st : thumbs.states()) {
        if (!imageIds.contains(st.fileId()) || !st.contentHash().equals(hashes.get(st.fileId()))) {
          continue;
        }
        boolean all = !st.sizes().isEmpty();
        for (ThumbnailState.Size z : st.sizes().values()) {
          if (z.status() == ThumbnailStatus.ERROR) {
            throw new UncheckedIOException(
                new IOException(
                    "device "
                        + name
                        + " could not make a thumbnail of "
                        + st.fileId()
                        + ": "
                        + z.error()));
          }
          all &= z.status() == ThumbnailStatus.DONE;
        }
        if (all) {
          done++;
        }
      }
      return done;
    }

    @Override
    public void close() throws IOException {
      subscriptions.forEach(Subscription::cancel);
      try {
        thumbs.close();
        tracker.close();
      } finally {
        session.close();
      }
    }
  }

  /** Measured figures of one step. */
  private record Step(int files, long bytes, long nanos) {}

  /** One run of the demo; {@link #close()} stops everything it started. */
  private final class Run implements AutoCloseable {
    final Screen screen;
    final Path root;
    final Duration limit;
    final StopSignal stop;
    final long started = System.nanoTime();
    final long deadline;
    final String token;
    final Object monitor = new Object();
    final Map<String, String> names = new LinkedHashMap<>();
    final ScheduledExecutorService ticker;
    FileSyncServer server;
    Device a;
    Device b;
    volatile String phase = "starting";
    volatile Device shown;
    volatile int phaseDone;
    volatile int phaseTotal;
    volatile String current;
    Step save;
    Step upload;
    Step download;
    int saved;
    int deleted;
    int thumbsA;
    int thumbsB;
    int images;

    Run(Screen screen, Path root, Duration limit, StopSignal stop) {
      this.screen = screen;
      this.root = root;
      this.limit = limit;
      this.stop = stop;
      this.deadline = started + limit.toNanos();
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      this.token = "demo-" + HexFormat.of().formatHex(random);
      if (screen.live()) {
        ticker =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "filesync-demo-view");
                  t.setDaemon(true);
                  return t;
                });
        ticker.scheduleAtFixedRate(this::redraw, 100, 100, TimeUnit.MILLISECONDS);
      } else {
        ticker = null;
      }
    }

    void execute() throws IOException, InterruptedException {
      screen.line(
          screen.bold("FileSync demo") + ": a server and two devices on this machine, in " + root);
      screen.line("");

      server =
          FileSyncServer.create(
                  ServerConfig.builder()
                      .host("127.0.0.1")
                      .port(0)
                      .dataDirectory(root.resolve("server"))
                      .token(token, List.of("*"))
                      .build())
              .start();
      URI uri = server.baseUri();
      screen.line(
          "  server    "
              + uri
              + "  (event log in SQLite, file bytes on the local disk, a random token)");
      Preprocessor pre =
          ImagePreprocessor.builder().maxDimension(MAX_DIMENSION).format(ImageFormat.JPEG).build();
      a = Device.open("A", root.resolve("device-a"), uri, token, pre, this::changed);
      screen.line(
          "  device A  " + a.data + "  (saves images at most " + MAX_DIMENSION + " px, as JPEG)");
      screen.line("  device B  " + root.resolve("device-b") + "  (starts in step 4)");
      screen.line(
          "  both use store id \""
              + STORE
              + "\" and make thumbnails (small 128, medium 256, large 512 px)");
      screen.line("");

      List<SampleFiles.Sample> samples = samples();
      Map<String, SampleFiles.Sample> byId = saveOnA(samples);
      uploadFromA(byId);
      downloadToB(byId);
      changes(samples, byId);
      summary();
    }

    // ---------------------------------------------------------------- 1. samples

    private List<SampleFiles.Sample> samples() throws IOException {
      phase = "drawing sample files";
      long t = System.nanoTime();
      List<SampleFiles.Sample> samples = SampleFiles.generate(root.resolve("samples"), seed, files);
      long total = samples.stream().mapToLong(SampleFiles.Sample::size).sum();
      images = (int) samples.stream().filter(SampleFiles.Sample::image).count();
      screen.line(
          screen.bold("1. Sample files")
              + String.format(
                  Locale.ROOT,
                  ": %d images drawn with Java2D, a binary and a text file (seed %d)",
                  images,
                  seed));
      screen.line(
          String.format(
              Locale.ROOT,
              "   %d files, %s, made in %s",
              samples.size(),
              Screen.bytes(total),
              Screen.seconds(System.nanoTime() - t)));
      screen.line("");
      return samples;
    }

    // ---------------------------------------------------------------- 2. save on A

    private Map<String, SampleFiles.Sample> saveOnA(List<SampleFiles.Sample> samples)
        throws IOException {
      screen.line(
          screen.bold("2. Device A saves them")
              + " with its engine paused, as if offline: saving needs no network");
      a.session.files().pause();
      phase = "saving on A";
      shown = a;
      phaseTotal = samples.size();
      phaseDone = 0;
      Map<String, SampleFiles.Sample> byId = new LinkedHashMap<>();
      long in = 0;
      long stored = 0;
      long t = System.nanoTime();
      for (SampleFiles.Sample s : samples) {
        checkStop();
        current = s.name();
        String id = ImageCommands.saveImage(a.session.files(), s.path());
        byId.put(id, s);
        phaseDone++;
        FileCommands.Row row = a.row(id).orElseThrow();
        ObjectNode d = FileCommands.describe(row);
        String name = d.path("name").asText(s.name());
        names.put(id, name);
        long size = d.path("size").asLong();
        in += s.size();
        stored += size;
        String line;
        if (s.image()) {
          String type = d.path("mimeType").asText("?");
          int w = d.path("width").asInt();
          int h = d.path("height").asInt();
          String note =
              w != s.width() || h != s.height()
                  ? "resized"
                  : type.equals(s.mimeType()) ? "kept as is" : "re-encoded";
          line =
              String.format(
                  Locale.ROOT,
                  "   %-18s %s %10s %s %s %10s  %s",
                  Screen.clip(s.name(), 18),
                  dimensions(s.width(), s.height(), s.mimeType()),
                  Screen.bytes(s.size()),
                  screen.arrow(),
                  dimensions(w, h, type),
                  Screen.bytes(size),
                  note);
        } else {
          line =
              String.format(
                  Locale.ROOT,
                  "   %-18s %14s %10s %s kept as is",
                  Screen.clip(s.name(), 18),
                  "",
                  Screen.bytes(s.size()),
                  screen.arrow());
        }
        screen.line(line);
      }
      long nanos = System.nanoTime() - t;
      current = null;
      saved = byId.size();
      save = new Step(saved, in, nanos);
      screen.line(
          String.format(
              Locale.ROOT,
              "   saved %d files (%s) in %s; %s stored after resizing",
              saved,
              Screen.bytes(in),
              Screen.seconds(nanos),
              Screen.bytes(stored)));
      screen.line("");
      return byId;
    }

    // ---------------------------------------------------------------- 3. upload from A

    private void uploadFromA(Map<String, SampleFiles.Sample> byId)
        throws IOException, InterruptedException {
      screen.line(
          screen.bold("3. Device A's engine resumes")
              + " and uploads them in the background ("
              + a.session.files().config().uploadConcurrency()
              + " at a time)");
      a.session.files().resume();
      phase = "uploads from A";
      shown = a;
      phaseTotal = byId.size();
      waitFor(
          a,
          Direction.UPLOAD,
          "device A's uploads",
          () -> {
            phaseDone = uploaded(a, byId.keySet());
            return phaseDone == byId.size() && a.session.store().syncState().pendingEvents() == 0;
          });
      awaitCompletionLines(a, Direction.UPLOAD, byId.keySet());
      long bytes = storedBytes(a, byId.keySet());
      TransferTracker.Totals tot = a.tracker.totals(Direction.UPLOAD);
      upload = new Step(byId.size(), bytes, tot.elapsedNanos());
      screen.line(
          String.format(
              Locale.ROOT,
              "   uploaded %d files, %s in %s (%s)",
              byId.size(),
              Screen.bytes(bytes),
              Screen.seconds(upload.nanos()),
              Screen.rate(bytes, upload.nanos())));
      screen.line("");
    }

    private static String dimensions(int w, int h, String mimeType) {
      String type = mimeType.replace("image/", "").toUpperCase(Locale.ROOT);
      return String.format(Locale.ROOT, "%9s %-4s", w + "x" + h, type);
    }

    private int uploaded(Device d, Set<String> ids) {
      int n = 0;
      for (FileCommands.Row r : d.rows()) {
        if (ids.contains(r.id()) && !r.remoteKey().isEmpty() && "done".equals(r.uploadStatus())) {
          n++;
        }
        if ("error".equals(r.uploadStatus())) {
          throw new UncheckedIOException(
              new IOException(
                  "device "
                      + d.name
                      + " could not upload "
                      + names.getOrDefault(r.id(), r.id())
                      + ": "
                      + r.lastSyncError()));
        }
      }
      return n;
    }

    private long storedBytes(Device d, Set<String> ids) {
      long bytes = 0;
      for (FileCommands.Row r : d.rows()) {
        if (ids.contains(r.id()) && !r.deleted()) {
          bytes += FileCommands.describe(r).path("size").asLong();
        }
      }
      return bytes;
    }

    // ---------------------------------------------------------------- 4. B downloads

    private void downloadToB(Map<String, SampleFiles.Sample> byId)
        throws IOException, InterruptedException {
      screen.line(
          screen.bold("4. Device B starts")
              + " (an empty data directory, the same store id) and catches up");
      phase = "B catching up";
      long t = System.nanoTime();
      b = Device.open("B", root.resolve("device-b"), server.baseUri(), token, null, this::changed);
      shown = b;
      phaseTotal = byId.size();
      phaseDone = 0;
      waitFor(
          b,
          Direction.DOWNLOAD,
          "device B's pull of the file rows",
          () -> rowsOn(b, byId.keySet()) == byId.size());
      screen.line(
          String.format(
              Locale.ROOT,
              "   B has the %d file rows after %s",
              byId.size(),
              Screen.seconds(System.nanoTime() - t)));
      phase = "downloads to B";
      waitFor(
          b,
          Direction.DOWNLOAD,
          "device B's downloads",
          () -> {
            phaseDone = downloaded(b, byId.keySet());
            return phaseDone == byId.size();
          });
      awaitCompletionLines(b, Direction.DOWNLOAD, byId.keySet());
      long nanos = System.nanoTime() - t;
      long bytes = storedBytes(b, byId.keySet());
      download = new Step(byId.size(), bytes, nanos);
      screen.line(
          String.format(
              Locale.ROOT,
              "   downloaded %d files, %s in %s from B's start (%s)",
              byId.size(),
              Screen.bytes(bytes),
              Screen.seconds(nanos),
              Screen.rate(bytes, nanos)));

      int verified = 0;
      for (FileCommands.Row r : b.rows()) {
        if (byId.containsKey(r.id())) {
          verify(b, r);
          verified++;
        }
      }
      screen.line(
          String.format(
              Locale.ROOT,
              "   %sverified on B: %d of %d files hash to their row's SHA-256",
              screen.ok(),
              verified,
              byId.size()));

      Set<String> imageIds = new LinkedHashSet<>();
      byId.forEach(
          (id, s) -> {
            if (s.image()) {
              imageIds.add(id);
            }
          });
      phase = "thumbnails";
      phaseTotal = imageIds.size() * 2;
      long tt = System.nanoTime();
      waitFor(
          b,
          null,
          "the thumbnails",
          () -> {
            thumbsA = a.thumbnailsDone(imageIds);
            thumbsB = b.thumbnailsDone(imageIds);
            phaseDone = thumbsA + thumbsB;
            return thumbsA == imageIds.size() && thumbsB == imageIds.size();
          });
      screen.line(
          String.format(
              Locale.ROOT,
              "   %sthumbnails on B: %d of %d images, 3 sizes each (%s after the downloads;"
                  + " A made its own: %d)",
              screen.ok(),
              thumbsB,
              imageIds.size(),
              Screen.seconds(System.nanoTime() - tt),
              thumbsA));
      screen.line("");
    }

    private int rowsOn(Device d, Set<String> ids) {
      int n = 0;
      for (FileCommands.Row r : d.rows()) {
        if (ids.contains(r.id())) {
          n++;
        }
      }
      return n;
    }

    private int downloaded(Device d, Set<String> ids) {
      int n = 0;
      for (FileCommands.Row r : d.rows()) {
        if (!ids.contains(r.id())) {
          continue;
        }
        if ("error".equals(r.downloadStatus())) {
          throw new UncheckedIOException(
              new IOException(
                  "device "
                      + d.name
                      + " could not download "
                      + names.getOrDefault(r.id(), r.id())
                      + ": "
                      + r.lastSyncError()));
        }
        if ("done".equals(r.downloadStatus()) && d.session.files().localPath(r.id()).isPresent()) {
          n++;
        }
      }
      return n;
    }

    /** Hashes the device's local copy of the row's file and compares it with the row. */
    private void verify(Device d, FileCommands.Row r) throws IOException {
      Path p =
          d.session
              .files()
              .localPath(r.id())
              .orElseThrow(
                  () ->
                      new IOException(
                          names.getOrDefault(r.id(), r.id()) + " is not on device " + d.name));
      String hash = sha256(p);
      if (!hash.equals(r.contentHash())) {
        throw new IOException(
            "the copy of "
                + names.getOrDefault(r.id(), r.id())
                + " on device "
                + d.name
                + " hashes to "
                + hash
                + ", not "
                + r.contentHash());
      }
    }

    // ---------------------------------------------------------------- 5. update and delete

    private void changes(List<SampleFiles.Sample> samples, Map<String, SampleFiles.Sample> byId)
        throws IOException, InterruptedException {
      screen.line(screen.bold("5. Device A changes two files; B follows"));
      String notesId = idOf(byId, "notes.txt");
      String goneId = null;
      for (Map.Entry<String, SampleFiles.Sample> e : byId.entrySet()) {
        if (e.getValue().image()) {
          goneId = e.getKey();
        }
      }
      String gone = names.get(goneId);
      Path goneCopy = b.session.files().localPath(goneId).orElseThrow();
      byte[] v2 = SampleFiles.notes(seed, samples, 2).getBytes(StandardCharsets.UTF_8);
      long oldSize = Files.size(byId.get(notesId).path());

      phase = "changes reaching B";
      phaseTotal = 2;
      phaseDone = 0;
      long tUpdate = System.nanoTime();
      a.session.files().update(notesId, new ByteArrayInputStream(v2), "notes.txt", "text/plain");
      String newHash = a.row(notesId).orElseThrow().contentHash();
      long tDelete = System.nanoTime();
      a.session.files().delete(goneId);
      deleted = 1;
      screen.line(
          String.format(
              Locale.ROOT,
              "   A updates notes.txt (%s %s %s) and deletes %s",
              Screen.bytes(oldSize),
              screen.arrow(),
              Screen.bytes(v2.length),
              gone));
      long[] seenUpdate = {-1};
      long[] seenDelete = {-1};
      String goneFinal = goneId;
      waitFor(
          b,
          Direction.DOWNLOAD,
          "the update and the delete on device B",
          () -> {
            if (seenUpdate[0] < 0) {
              Optional<FileCommands.Row> r = b.row(notesId);
              if (r.isPresent()
                  && r.get().contentHash().equals(newHash)
                  && "done".equals(r.get().downloadStatus())
                  && b.session.files().localPath(notesId).isPresent()) {
                seenUpdate[0] = System.nanoTime();
              }
            }
            if (seenDelete[0] < 0) {
              Optional<FileCommands.Row> r = b.row(goneFinal);
              if (r.isPresent()
                  && r.get().deleted()
                  && b.session.files().localPath(goneFinal).isEmpty()
                  && !Files.exists(goneCopy)) {
                seenDelete[0] = System.nanoTime();
              }
            }
            phaseDone = (seenUpdate[0] < 0 ? 0 : 1) + (seenDelete[0] < 0 ? 0 : 1);
            return phaseDone == 2;
          });
      awaitCompletionLines(b, Direction.DOWNLOAD, Set.of(notesId));
      verify(b, b.row(notesId).orElseThrow());
      screen.line(
          String.format(
              Locale.ROOT,
              "   %sB has the new notes.txt, downloaded and verified, %s after the edit",
              screen.ok(),
              Screen.seconds(seenUpdate[0] - tUpdate)));
      screen.line(
          String.format(
              Locale.ROOT,
              "   %sB no longer lists %s and removed its local copy, %s after the delete",
              screen.ok(),
              gone,
              Screen.seconds(seenDelete[0] - tDelete)));
      screen.line("");
    }

    private static String idOf(Map<String, SampleFiles.Sample> byId, String name) {
      return byId.entrySet().stream()
          .filter(e -> e.getValue().name().equals(name))
          .findFirst()
          .orElseThrow()
          .getKey();
    }

    // ---------------------------------------------------------------- summary

    private void summary() throws IOException {
      int live = 0;
      for (FileCommands.Row r : b.rows()) {
        if (!r.deleted()) {
          verify(b, r);
          live++;
        }
      }
      if (live != saved - deleted) {
        throw new IOException("device B has " + live + " files, expected " + (saved - deleted));
      }
      phase = "done";
      shown = null;
      screen.clearBlock();
      screen.line(screen.bold("Summary"));
      screen.line(
          String.format(
              Locale.ROOT,
              "   %-16s %5s %11s %9s %13s",
              "",
              "files",
              "bytes",
              "time",
              "throughput"));
      row("save on A", save);
      row("upload from A", upload);
      row("download to B", download);
      screen.line(
          String.format(
              Locale.ROOT,
              "   files on B: %d (%d saved, %d deleted), all verified",
              live,
              saved,
              deleted));
      screen.line(
          String.format(
              Locale.ROOT,
              "   thumbnails on B: %d of %d images (A: %d), 3 sizes each",
              thumbsB,
              images,
              thumbsA));
      screen.line("   the demo took " + Screen.seconds(System.nanoTime() - started));
      screen.line("");
      if (!keep) {
        screen.line(screen.bold("What next"));
        next("bin/filesync server --dev", "in another terminal; prints a token");
        next(
            "export FILESYNC_SERVER=http://127.0.0.1:8787 FILESYNC_STORE=demo"
                + " FILESYNC_TOKEN=<token>",
            null);
        next("bin/filesync add photo.jpg --data device-a", "save a file on \"device A\"");
        next("bin/filesync watch --data device-b", "device B, live (Ctrl-C stops)");
        next("bin/filesync ls --data device-b", "its files and their sync state");
        next("bin/filesync get <id> -o copy.jpg --data device-b", null);
        next("bin/filesync demo --keep", "keep the demo's directories");
        screen.line("   docs/getting-started.md walks through all of it");
        screen.line("");
      }
    }

    private void next(String command, String comment) {
      screen.line(
          comment == null
              ? "   " + command
              : String.format(Locale.ROOT, "   %-44s %s", command, screen.dim("# " + comment)));
    }

    private void row(String label, Step s) {
      screen.line(
          String.format(
              Locale.ROOT,
              "   %-16s %5d %11s %9s %13s",
              label,
              s.files(),
              Screen.bytes(s.bytes()),
              Screen.seconds(s.nanos()),
              Screen.rate(s.bytes(), s.nanos())));
    }

    void printKept() {
      String data = root.toString();
      screen.line(screen.bold("Kept") + " in " + data + " (remove it with: rm -r " + data + ")");
      screen.line("   server/    the server's SQLite event log (sync.db) and file bytes (blobs/)");
      screen.line("   device-a/  device-b/  the two devices' data directories (store id demo)");
      screen.line("   samples/   the generated files");
      screen.line("   Without a server (reads work, changes wait for the next sync):");
      screen.line("   bin/filesync ls --store demo --data " + data + "/device-b");
      screen.line("   bin/filesync status --store demo --data " + data + "/device-a");
      screen.line("   The same server again, then the devices against it:");
      screen.line("   bin/filesync server --data " + data + "/server --port 8787 --token " + token);
      screen.line(
          "   export FILESYNC_SERVER=http://127.0.0.1:8787 FILESYNC_TOKEN="
              + token
              + " FILESYNC_STORE=demo");
      screen.line("   bin/filesync watch --data " + data + "/device-b");
      screen.line("   bin/filesync add photo.jpg --data " + data + "/device-a");
      screen.line("Closed the server and both devices.");
    }

    // ---------------------------------------------------------------- waiting and drawing

    private void changed() {
      synchronized (monitor) {
        monitor.notifyAll();
      }
    }

    private void checkStop() {
      if (stop.requested()) {
        throw new Stopped();
      }
    }

    /**
     * Waits until {@code done} holds, printing the completed transfers of {@code direction} on
     * {@code d} as they come.
     */
    private void waitFor(Device d, Direction direction, String what, BooleanSupplier done)
        throws IOException, InterruptedException {
      try {
        while (true) {
          boolean ok = done.getAsBoolean();
          printTransfers(d, direction);
          if (ok) {
            return;
          }
          checkStop();
          if (System.nanoTime() > deadline) {
            throw new IOException(what + " did not finish within " + timeout + " (--timeout)");
          }
          synchronized (monitor) {
            monitor.wait(50);
          }
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }

    /**
     * The state can show a transfer done a moment before its completion event reaches the tracker:
     * waits (up to 2 s) until each of {@code ids} has had its line, so none is dropped.
     */
    private void awaitCompletionLines(Device d, Direction direction, Set<String> ids)
        throws InterruptedException {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
      while (!printed.getOrDefault(direction, Set.of()).containsAll(ids)
          && System.nanoTime() < deadline) {
        synchronized (monitor) {
          monitor.wait(20);
        }
        printTransfers(d, direction);
      }
      // Consumed: a later phase moving the same file waits for its own line.
      printed.getOrDefault(direction, new java.util.HashSet<>()).removeAll(ids);
    }

    private final Map<Direction, Set<String>> printed = new java.util.EnumMap<>(Direction.class);

    private void printTransfers(Device d, Direction direction) {
      for (TransferTracker.Logged l : d.tracker.drain()) {
        if (direction == null) {
          continue;
        }
        switch (l.event()) {
          case FileSyncEvent.TransferCompleted c when c.direction() == direction -> {
            String id = c.fileId();
            printed.computeIfAbsent(direction, k -> new java.util.HashSet<>()).add(id);
            long size =
                d.row(id).map(r -> FileCommands.describe(r).path("size").asLong()).orElse(0L);
            screen.line(
                String.format(
                    Locale.ROOT,
                    "   %s %-18s %10s",
                    screen.completed(direction),
                    Screen.clip(names.getOrDefault(id, id), 18),
                    Screen.bytes(size)));
          }
          case FileSyncEvent.TransferFailed f when f.direction() == direction ->
              screen.line(
                  String.format(
                      Locale.ROOT,
                      "   %s %s %-18s attempt %d failed%s: %s",
                      screen.failed(),
                      screen.direction(direction),
                      Screen.clip(names.getOrDefault(f.fileId(), f.fileId()), 18),
                      f.attempt(),
                      f.retryable() ? " (will retry)" : "",
                      f.message()));
          case FileSyncEvent.Offline o ->
              screen.line("   device " + d.name + " is offline: remote storage does not answer");
          case FileSyncEvent.Online o -> {}
          default -> {}
        }
      }
    }

    private void redraw() {
      try {
        List<String> lines = new ArrayList<>();
        Device d = shown;
        if (d != null) {
          for (TransferTracker.Active t : d.tracker.active()) {
            String name = names.getOrDefault(t.fileId(), shortId(t.fileId()));
            lines.add(screen.transfer(t, name));
          }
        }
        if (!phase.equals("done")) {
          String item = current;
          lines.add(
              "   "
                  + screen.cyan(phase)
                  + (phaseTotal == 0
                      ? " ..."
                      : String.format(
                          Locale.ROOT,
                          " %s %d/%d",
                          ProgressBar.bar(phaseDone, phaseTotal, 20),
                          phaseDone,
                          phaseTotal))
                  + (item == null ? "" : "  " + item));
        }
        screen.block(lines);
      } catch (RuntimeException e) {
        // a redraw racing with close: the next one (or the final output) wins
      }
    }

    @Override
    public void close() throws IOException {
      if (ticker != null) {
        ticker.shutdownNow();
        try {
          ticker.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      IOException failure = null;
      for (AutoCloseable c : new AutoCloseable[] {b, a, server}) {
        if (c == null) {
          continue;
        }
        try {
          c.close();
        } catch (Exception e) {
          if (failure == null) {
            failure = new IOException("closing the demo: " + e.getMessage(), e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  static String sha256(Path p) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
