package dev.filesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filesync.core.FileSync;
import dev.filesync.core.FileSyncEvent;
import dev.filesync.core.FileSyncEvent.Direction;
import dev.filesync.core.LocalFileServer;
import dev.filesync.core.SyncReport;
import dev.filesync.image.ThumbnailConfig;
import dev.filesync.image.ThumbnailState;
import dev.filesync.image.ThumbnailStatus;
import dev.filesync.image.Thumbnails;
import dev.filesync.store.LockStatus;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.SyncState;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code filesync watch}: runs the sync engine and thumbnails for a data directory until Ctrl-C (or
 * {@code --duration}), showing transfers as they happen: on a terminal a block redrawn in place
 * (one line per transfer in flight, totals per direction, online and leadership state), otherwise
 * one plain line per event. {@code --serve} also starts the local file endpoint.
 *
 * <p>Stopping closes, in order, the endpoint, the thumbnails, FileSync (running transfers are
 * persisted as queued, so the next run resumes them) and the store, which releases the data
 * directory's lock; the exit status is then 0.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the sync engine for this data directory and show its transfers live,",
      "until Ctrl-C or --duration. Also makes thumbnails of images; --serve runs",
      "the local file endpoint too."
    })
final class WatchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final long POLL_NANOS = 500_000_000L;

  @Mixin ClientOptions client;

  @Option(
      names = "--serve",
      arity = "0..1",
      paramLabel = "PORT",
      fallbackValue = "0",
      description =
          "Start the local file endpoint on 127.0.0.1 (on PORT; without one, any free port).")
  Integer serve;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "Stop after this long, e.g. 30s, 10m (default: until Ctrl-C).")
  String duration;

  @Option(names = "--no-thumbnails", description = "Do not make thumbnails.")
  boolean noThumbnails;

  @Option(
      names = "--plain",
      description = "One plain line per event, no redrawing (the default when not a terminal).")
  boolean plain;

  @Option(names = "--no-color", description = "No colours (also with NO_COLOR set).")
  boolean noColor;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Duration limit = duration == null ? null : ServerCommand.duration("--duration", duration);
    if (serve != null && (serve < 0 || serve > 65535)) {
      throw new FileSyncCli.UsageError("--serve needs a port from 0 to 65535: " + serve);
    }
    PrintWriter out = spec.commandLine().getOut();
    Screen screen = Screen.forStdout(out, plain, noColor);
    try (StopSignal stop = StopSignal.install("filesync-watch-stop")) {
      int status = 1;
      try {
        status = watch(screen, limit, stop);
      } finally {
        stop.finished(status);
      }
      return status;
    }
  }

  private int watch(Screen screen, Duration limit, StopSignal stop)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    ClientOptions.Session session = client.open();
    FileSync files = session.files();
    Map<String, String> names = new ConcurrentHashMap<>();
    Object wake = new Object();
    TransferTracker tracker = null;
    Thumbnails thumbs = null;
    LocalFileServer endpoint = null;
    View view = null;
    try {
      tracker =
          new TransferTracker(
              files,
              () -> {
                synchronized (wake) {
                  wake.notifyAll();
                }
              });
      if (!noThumbnails) {
        thumbs = ThumbnailConfig.builder(files).start();
      }
      screen.line(
          stamp()
              + "watching store "
              + client.store
              + " in "
              + client.data
              + (client.server == null
                  ? " (local-only: no --server, nothing to transfer)"
                  : ", server " + client.server)
              + (limit == null ? "; Ctrl-C stops" : "; stopping after " + duration));
      if (serve != null) {
        endpoint = startEndpoint(files, thumbs);
        screen.line(
            stamp() + "local endpoint " + endpoint.baseUri() + "  token " + endpoint.token());
        screen.line(
            stamp()
                + "  a file: "
                + endpoint.baseUri()
                + "files/<id>?token=<token>   its thumbnail: "
                + endpoint.baseUri()
                + "files/<id>/thumbnails/small?token=<token>");
      }
      SyncReport first = files.status();
      // The lock is taken when the store opens; the engine learns of it a moment later.
      boolean leader = session.store().lockStatus() == LockStatus.HAS_LOCK;
      screen.line(
          stamp()
              + (leader
                  ? "engine: this process runs it"
                  : "engine: another process holds this data directory's lock; watching only")
              + (client.server == null ? "" : first.online() ? ", online" : ", offline")
              + "; queued: "
              + first.uploads().getOrDefault("queued", 0L)
              + " up, "
              + first.downloads().getOrDefault("queued", 0L)
              + " down");
      view = new View(screen, session.store(), tracker, thumbs, names, first.online(), leader);
      long deadline = limit == null ? Long.MAX_VALUE : started + limit.toNanos();
      long nextPoll = 0;
      while (!stop.requested()) {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          break;
        }
        if (now - nextPoll >= 0) {
          view.poll();
          nextPoll = now + POLL_NANOS;
        }
        view.printEvents();
        view.draw(now - started);
        long waitMillis = Math.max(1, Math.min(REDRAW_NANOS, deadline - now) / 1_000_000);
        synchronized (wake) {
          // an event wakes us at once (its line goes out now); else we look again in 100 ms
          wake.wait(waitMillis);
        }
      }
      view.poll();
      view.printEvents();
      screen.clearBlock();
    } finally {
      // Each part is closed while the parts it uses are still open: the endpoint and the
      // thumbnails use FileSync, FileSync uses the store.
      try {
        closeAll(endpoint, thumbs, files, tracker);
        if (view != null) {
          view.stopping = true;
          view.printEvents(); // what happened while stopping
          view.countTransfers(); // after FileSync closed: running transfers are queued again
        }
      } finally {
        session.close();
      }
    }
    screen.line(
        stamp()
            + (stop.requested() ? "stopped" : "done")
            + " after "
            + Screen.seconds(System.nanoTime() - started)
            + ": "
            + view.sessionSummary());
    return 0;
  }

  private static void closeAll(AutoCloseable... parts) throws IOException {
    IOException failure = null;
    for (AutoCloseable c : parts) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IOException("while stopping: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private LocalFileServer startEndpoint(FileSync files, Thumbnails thumbs) throws IOException {
    LocalFileServer.Builder b = LocalFileServer.builder(files).port(serve);
    if (thumbs != null) {
      Thumbnails t = thumbs;
      b.thumbnails(
          (id, size) ->
              t.config().sizes().containsKey(size) ? t.resolve(id, size) : Optional.empty(),
          t.config().format().mimeType());
    }
    try {
      return b.start();
    } catch (IOException e) {
      throw new IOException(
          "cannot start the local endpoint on port " + serve + ": " + e.getMessage(), e);
    }
  }

  private static String stamp() {
    return LocalTime.now(ZoneId.systemDefault()).format(TIME) + " ";
  }

  /** The counts, event lines and live block of one watch. */
  private static final class View {
    final Screen screen;
    final Store store;
    final TransferTracker tracker;
    final Thumbnails thumbs;
    final Map<String, String> names;
    final Map<Direction, Map<String, Long>> counts = new EnumMap<>(Direction.class);
    final Map<String, String> thumbSeen = new HashMap<>();
    int thumbsDone;
    int thumbsWaiting;
    int thumbsSkipped;
    int thumbsFailed;
    Boolean online;
    Boolean leader;
    boolean stopping;
    SyncState sync;
    long lastDraw;

    View(
        Screen screen,
        Store store,
        TransferTracker tracker,
        Thumbnails thumbs,
        Map<String, String> names,
        boolean online,
        boolean leader) {
      this.screen = screen;
      this.store = store;
      this.tracker = tracker;
      this.thumbs = thumbs;
      this.names = names;
      this.online = online;
      this.leader = leader;
      if (thumbs != null) {
        // Thumbnails made before this watch are not news.
        for (ThumbnailState st : thumbs.states()) {
          thumbSeen.put(st.fileId(), st.contentHash() + ":" + summary(st));
        }
      }
    }

    /** Re-reads the persisted counts, sync state and thumbnails; prints thumbnail news. */
    void poll() {
      countTransfers();
      sync = store.syncState();
      if (thumbs == null) {
        return;
      }
      pollThumbnails();
    }

    /** Re-reads the number of files per transfer status and direction. */
    void countTransfers() {
      for (Direction d : Direction.values()) {
        String column = d == Direction.UPLOAD ? "uploadStatus" : "downloadStatus";
        Map<String, Long> m = new HashMap<>();
        for (Object[] r :
            store.query(
                Query.list(
                    "SELECT " + column + " AS s, count(*) AS n FROM localFileState GROUP BY s",
                    row -> new Object[] {row.getString("s"), row.getLong("n")}))) {
          m.put((String) r[0], (Long) r[1]);
        }
        counts.put(d, m);
      }
    }

    private void pollThumbnails() {
      int done = 0;
      int waiting = 0;
      int skipped = 0;
      int failed = 0;
      for (ThumbnailState st : thumbs.states()) {
        String s = summary(st);
        switch (s) {
          case "done" -> done++;
          case "skipped" -> skipped++;
          case "error" -> failed++;
          default -> waiting++;
        }
        String key = st.contentHash() + ":" + s;
        String before = thumbSeen.put(st.fileId(), key);
        if (!key.equals(before)) {
          if (s.equals("done")) {
            event(
                screen.ok()
                    + "thumbnails "
                    + name(st.fileId())
                    + " ("
                    + String.join(", ", st.sizes().keySet())
                    + ")");
          } else if (s.equals("error")) {
            String why =
                st.sizes().values().stream()
                    .filter(z -> z.status() == ThumbnailStatus.ERROR)
                    .map(ThumbnailState.Size::error)
                    .findFirst()
                    .orElse("?");
            event(screen.failed() + " thumbnails of " + name(st.fileId()) + ": " + why);
          }
        }
      }
      thumbsDone = done;
      thumbsWaiting = waiting;
      thumbsSkipped = skipped;
      thumbsFailed = failed;
    }

    private static String summary(ThumbnailState st) {
      boolean all = true;
      for (ThumbnailState.Size z : st.sizes().values()) {
        switch (z.status()) {
          case ERROR -> {
            return "error";
          }
          case SKIPPED -> {
            return "skipped";
          }
          case DONE -> {}
          default -> all = false;
        }
      }
      return all && !st.sizes().isEmpty() ? "done" : "waiting";
    }

    /** Prints one line per event seen since the last call. */
    void printEvents() {
      for (TransferTracker.Logged l : tracker.drain()) {
        String dir;
        switch (l.event()) {
          case FileSyncEvent.TransferStarted s -> {
            if (!screen.live()) {
              dir = word(s.direction());
              event(
                  dir
                      + " started  "
                      + name(s.fileId())
                      + (s.attempt() > 1 ? " (attempt " + s.attempt() + ")" : ""));
            }
          }
          case FileSyncEvent.TransferCompleted c ->
              event(
                  screen.ok()
                      + word(c.direction())
                      + " done     "
                      + name(c.fileId())
                      + (l.bytes() > 0 ? " (" + Screen.bytes(l.bytes()) + ")" : ""));
          case FileSyncEvent.TransferFailed f ->
              event(
                  screen.yellow(word(f.direction()) + " failed   ")
                      + name(f.fileId())
                      + ", attempt "
                      + f.attempt()
                      + (f.retryable() ? ", will retry: " : ", will not retry: ")
                      + f.message());
          case FileSyncEvent.TransferExhausted x ->
              event(
                  screen.failed()
                      + " "
                      + word(x.direction())
                      + " gave up  "
                      + name(x.fileId())
                      + " after "
                      + x.attempts()
                      + " attempts: "
                      + x.message()
                      + " ('filesync retry' queues it again)");
          case FileSyncEvent.Online o -> {
            if (!Boolean.TRUE.equals(online)) {
              event("online: remote storage answers; transfers run");
            }
            online = true;
          }
          case FileSyncEvent.Offline o -> {
            if (!Boolean.FALSE.equals(online)) {
              event(screen.yellow("offline") + ": remote storage does not answer; transfers wait");
            }
            online = false;
          }
          case FileSyncEvent.LeadershipChanged c -> {
            // (closing FileSync gives up the engine: that is not news)
            if (!stopping && !Boolean.valueOf(c.leader()).equals(leader)) {
              event(
                  c.leader()
                      ? "engine: this process runs it now (it holds the data directory's lock)"
                      : "engine: another process holds the lock now; watching only");
            }
            leader = c.leader();
          }
          case FileSyncEvent.TransferProgress p -> {}
        }
      }
    }

    private static String word(Direction d) {
      return d == Direction.UPLOAD ? "upload  " : "download";
    }

    private void event(String text) {
      screen.line(stamp() + text);
    }

    /** Redraws the live block, at most every 100 ms. */
    void draw(long elapsedNanos) {
      if (!screen.live()) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastDraw < REDRAW_NANOS) {
        return;
      }
      lastDraw = now;
      List<String> lines = new ArrayList<>();
      String state =
          (Boolean.FALSE.equals(leader)
                  ? screen.yellow("follower") + " (another process holds the lock and transfers)"
                  : screen.green("leader"))
              + ", "
              + (Boolean.FALSE.equals(online) ? screen.red("offline") : screen.green("online"));
      String syncText =
          sync == null
              ? ""
              : "   sync "
                  + sync.status().name().toLowerCase(Locale.ROOT).replace('_', '-')
                  + (sync.pendingEvents() > 0
                      ? ", " + sync.pendingEvents() + " events to push"
                      : "");
      lines.add(
          screen.bold("engine ")
              + state
              + syncText
              + screen.dim(
                  String.format(
                      Locale.ROOT, "   %ds, Ctrl-C stops", elapsedNanos / 1_000_000_000L)));
      for (TransferTracker.Active t : tracker.active()) {
        lines.add(screen.transfer(t, name(t.fileId())));
      }
      for (Direction d : Direction.values()) {
        Map<String, Long> m = counts.getOrDefault(d, Map.of());
        TransferTracker.Totals tot = tracker.totals(d);
        lines.add(
            String.format(
                Locale.ROOT,
                "%-10s queued %-4d running %-3d done %-5d failed %-3d  (this run: %d done%s)",
                d == Direction.UPLOAD ? "uploads" : "downloads",
                m.getOrDefault("queued", 0L),
                m.getOrDefault("inProgress", 0L),
                m.getOrDefault("done", 0L),
                m.getOrDefault("error", 0L),
                tot.completed(),
                tot.failedAttempts() > 0 ? ", " + tot.failedAttempts() + " failed attempts" : ""));
      }
      if (thumbs != null) {
        lines.add(
            String.format(
                Locale.ROOT,
                "%-10s done %-6d waiting %-3d not images %-3d failed %d",
                "thumbnails",
                thumbsDone,
                thumbsWaiting,
                thumbsSkipped,
                thumbsFailed));
      }
      screen.block(lines);
    }

    String sessionSummary() {
      TransferTracker.Totals up = tracker.totals(Direction.UPLOAD);
      TransferTracker.Totals down = tracker.totals(Direction.DOWNLOAD);
      long queued =
          counts.getOrDefault(Direction.UPLOAD, Map.of()).getOrDefault("queued", 0L)
              + counts.getOrDefault(Direction.UPLOAD, Map.of()).getOrDefault("inProgress", 0L)
              + counts.getOrDefault(Direction.DOWNLOAD, Map.of()).getOrDefault("queued", 0L)
              + counts.getOrDefault(Direction.DOWNLOAD, Map.of()).getOrDefault("inProgress", 0L);
      return count(up.completed(), "upload")
          + " and "
          + count(down.completed(), "download")
          + " done, "
          + (up.exhausted() + down.exhausted())
          + " gave up; "
          + (queued == 0
              ? "nothing left queued"
              : count(queued, "transfer") + " left queued for the next run");
    }

    private static String count(long n, String noun) {
      return n + " " + noun + (n == 1 ? "" : "s");
    }

    String name(String fileId) {
      return names.computeIfAbsent(fileId, this::lookUpName);
    }

    private String lookUpName(String fileId) {
      Optional<String> meta =
          store.query(
              Query.first(
                  "SELECT metadataJson FROM files WHERE id = ?",
                  r -> String.valueOf(r.getString("metadataJson")),
                  fileId));
      String shortId = DemoCommand.shortId(fileId);
      if (meta.isEmpty()) {
        return shortId;
      }
      try {
        JsonNode n = JSON.readTree(meta.get());
        String name = n.path("custom").path("name").asText("");
        return name.isEmpty() ? shortId : name + " " + shortId;
      } catch (IOException e) {
        return shortId;
      }
    }
  }
}
