package dev.filesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filesync.core.FileSync;
import dev.filesync.core.SyncReport;
import dev.filesync.store.Query;
import dev.filesync.store.Store;
import dev.filesync.store.SyncStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The client commands over a data directory: add, ls, get, update, rm, retry, status, sync. */
final class FileCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Exit status of {@code sync --until-idle} when something failed or the time ran out. */
  static final int EXIT_INCOMPLETE = 3;

  private FileCommands() {}

  /** A file row, as {@code ls} shows it. */
  record Row(
      String id,
      String path,
      String contentHash,
      String remoteKey,
      String metadataJson,
      boolean deleted,
      String localHash,
      String uploadStatus,
      String downloadStatus,
      String lastSyncError) {}

  private static final String SELECT_ROWS =
      "SELECT f.id, f.path, f.contentHash, f.remoteKey, f.metadataJson, f.deletedAt,"
          + " s.localHash, s.uploadStatus, s.downloadStatus, s.lastSyncError"
          + " FROM files f LEFT JOIN localFileState s ON s.fileId = f.id";

  private static final dev.filesync.store.RowMapper<Row> ROW =
      r ->
          new Row(
              r.getString("id"),
              r.getString("path"),
              r.getString("contentHash"),
              r.getString("remoteKey"),
              r.getString("metadataJson"),
              !r.isNull("deletedAt"),
              r.getString("localHash"),
              r.getString("uploadStatus"),
              r.getString("downloadStatus"),
              r.getString("lastSyncError"));

  static final Query<List<Row>> ROWS = Query.list(SELECT_ROWS + " ORDER BY f.createdAt, f.id", ROW);

  static JsonNode metadata(Row row) {
    try {
      return row.metadataJson() == null
          ? JSON.createObjectNode()
          : JSON.readTree(row.metadataJson());
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  static ObjectNode describe(Row row) {
    JsonNode meta = metadata(row);
    ObjectNode o = JSON.createObjectNode();
    o.put("id", row.id());
    o.put("name", textOrNull(meta.path("custom").path("name")));
    if (meta.has("sizeBytes")) {
      o.put("size", meta.path("sizeBytes").asLong());
    } else {
      o.putNull("size");
    }
    o.put("mimeType", textOrNull(meta.path("mimeType")));
    if (meta.path("image").isObject()) {
      o.put("width", meta.path("image").path("width").asInt());
      o.put("height", meta.path("image").path("height").asInt());
    }
    o.put("contentHash", row.contentHash());
    o.put("remoteKey", row.remoteKey());
    o.put("localHash", row.localHash() == null ? "" : row.localHash());
    o.put("uploadStatus", row.uploadStatus() == null ? "pending" : row.uploadStatus());
    o.put("downloadStatus", row.downloadStatus() == null ? "pending" : row.downloadStatus());
    o.put("deleted", row.deleted());
    o.put("lastSyncError", row.lastSyncError() == null ? "" : row.lastSyncError());
    return o;
  }

  private static String textOrNull(JsonNode n) {
    return n.isTextual() ? n.textValue() : null;
  }

  /**
   * The row of {@code id}; when this device does not know it yet and syncs with a server, after
   * catching up with the server (within {@code limit}).
   */
  static Row rowAfterSync(Store store, String id, Duration limit) throws InterruptedException {
    Optional<Row> r = store.query(Query.first(SELECT_ROWS + " WHERE f.id = ?", ROW, id));
    if (r.isEmpty()) {
      store.awaitSynced(limit);
      r = store.query(Query.first(SELECT_ROWS + " WHERE f.id = ?", ROW, id));
    }
    return r.orElseThrow(() -> new FileSyncCli.UsageError("no file with id " + id));
  }

  static Row row(Store store, String id) {
    return store
        .query(Query.first(SELECT_ROWS + " WHERE f.id = ?", ROW, id))
        .orElseThrow(() -> new FileSyncCli.UsageError("no file with id " + id));
  }

  /** {@code add FILE...}: saves files; prints one id per line, or a JSON array. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Save files on this device (they sync in the background); prints their ids.")
  static final class Add implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--json", description = "Print a JSON array of {id, contentHash, size}.")
    boolean json;

    @Mixin ImageCommands.ImageOptions image;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      for (Path f : files) {
        if (!Files.isRegularFile(f)) {
          throw new FileSyncCli.UsageError("not a readable file: " + f);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      ArrayNode array = JSON.createArrayNode();
      dev.filesync.core.Preprocessor pre = image.preprocessor();
      try (ClientOptions.Session s =
          client.open(
              fb -> {
                if (pre != null) {
                  fb.preprocessor("image/*", pre);
                }
              })) {
        for (Path f : files) {
          String id = pre == null ? s.files().save(f) : ImageCommands.saveImage(s.files(), f);
          Row r = row(s.store(), id);
          if (json) {
            ObjectNode o = array.addObject();
            o.put("id", id);
            o.put("contentHash", r.contentHash());
            o.put("size", Files.size(client.data.resolve(r.path())));
          } else {
            out.println(id);
          }
        }
      }
      if (json) {
        out.println(array.toPrettyString());
      }
      return 0;
    }
  }

  /** {@code ls}: every file of the store with its sync state. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List the store's files and their sync state.")
  static final class Ls implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Option(names = "--all", description = "Include deleted files (always in --json).")
    boolean all;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      try (ClientOptions.Session s = client.open()) {
        List<Row> rows = s.store().query(ROWS);
        if (json) {
          ArrayNode array = JSON.createArrayNode();
          rows.forEach(r -> array.add(describe(r)));
          out.println(array.toPrettyString());
          return 0;
        }
        out.printf(
            Locale.ROOT,
            "%-36s  %-24s %10s  %-10s %-10s%n",
            "ID",
            "NAME",
            "SIZE",
            "UPLOAD",
            "DOWNLOAD");
        for (Row r : rows) {
          if (r.deleted() && !all) {
            continue;
          }
          ObjectNode d = describe(r);
          out.printf(
              Locale.ROOT,
              "%-36s  %-24s %10s  %-10s %-10s%s%n",
              r.id(),
              clip(d.path("name").asText("-"), 24),
              d.path("size").isNull() ? "-" : Long.toString(d.path("size").asLong()),
              d.path("uploadStatus").asText(),
              d.path("downloadStatus").asText(),
              r.deleted() ? "  (deleted)" : "");
        }
      }
      return 0;
    }
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  /** {@code get ID -o OUT}: the file's verified bytes, downloading them first if needed. */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Write a file's bytes to OUT, downloading and verifying them first if needed.")
  static final class Get implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(
        names = {"-o", "--output"},
        required = true,
        paramLabel = "OUT")
    Path output;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "5m",
        description = "How long to wait for the download (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
      Duration limit = ServerCommand.duration("--timeout", timeout);
      try (ClientOptions.Session s = client.open()) {
        Row r = client.server == null ? row(s.store(), id) : rowAfterSync(s.store(), id, limit);
        if (r.deleted()) {
          throw new FileSyncCli.UsageError("file " + id + " is deleted");
        }
        FileSync fs = s.files();
        awaitLocal(fs, id, limit, timeout);
        try (InputStream in = fs.open(id)) {
          writeAtomically(in, output);
        }
      }
      return 0;
    }
  }

  /** Writes {@code in} to {@code output} through a temp file beside it: whole or not at all. */
  static void writeAtomically(InputStream in, Path output) throws IOException {
    Path temp = Files.createTempFile(output.toAbsolutePath().getParent(), ".filesync-", ".tmp");
    try {
      Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Waits until {@code id}'s bytes are on this device, moving its download to the front. */
  static void awaitLocal(FileSync fs, String id, Duration limit, String limitText)
      throws IOException, InterruptedException {
    fs.prioritize(id);
    long deadline = System.nanoTime() + limit.toNanos();
    while (!fs.displayState(id).hasLocalCopy()) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "file "
                + id
                + " is not on this device and did not arrive within "
                + limitText
                + " (state: "
                + fs.displayState(id)
                + ")");
      }
      fs.awaitIdle(Duration.ofMillis(200));
    }
  }

  /** {@code update ID FILE}: new bytes for a file. */
  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = "Replace a file's bytes.")
  static final class Update implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(file)) {
        throw new FileSyncCli.UsageError("not a readable file: " + file);
      }
      try (ClientOptions.Session s = client.open()) {
        row(s.store(), id);
        s.files().update(id, file);
      }
      return 0;
    }
  }

  /** {@code rm ID...}: deletes files. */
  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = "Delete files (on every device).")
  static final class Rm implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(arity = "1..*", paramLabel = "ID")
    List<String> ids;

    @Override
    public Integer call() throws IOException {
      try (ClientOptions.Session s = client.open()) {
        for (String id : ids) {
          row(s.store(), id);
          s.files().delete(id);
        }
      }
      return 0;
    }
  }

  /** {@code retry}: re-queues transfers that ran out of attempts. */
  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "Queue failed transfers again; prints their ids.")
  static final class Retry implements Callable<Integer> {
    @Mixin ClientOptions client;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      try (ClientOptions.Session s = client.open()) {
        s.files().retryErrors().forEach(spec.commandLine().getOut()::println);
      }
      return 0;
    }
  }

  /** {@code status}: counts per state, errors, bytes stored. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show transfer counts per state, errors and bytes stored.")
  static final class Status implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      try (ClientOptions.Session s = client.open()) {
        SyncReport r = s.files().status();
        var sync = s.store().syncState();
        if (json) {
          ObjectNode o = JSON.createObjectNode();
          o.set("uploads", JSON.valueToTree(r.uploads()));
          o.set("downloads", JSON.valueToTree(r.downloads()));
          o.set("errors", JSON.valueToTree(r.errors()));
          o.put("bytesStored", r.bytesStored());
          o.put("pendingEvents", sync.pendingEvents());
          o.put("sync", sync.status().name());
          out.println(o.toPrettyString());
          return 0;
        }
        out.println("uploads:   " + counts(r.uploads()));
        out.println("downloads: " + counts(r.downloads()));
        out.println("stored:    " + r.bytesStored() + " bytes");
        out.println(
            "sync:      " + sync.status() + ", " + sync.pendingEvents() + " events to push");
        r.errors().forEach((id, msg) -> out.println("error:     " + id + ": " + msg));
      }
      return 0;
    }
  }

  static String counts(Map<String, Long> m) {
    StringBuilder b = new StringBuilder();
    m.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                b.append(b.isEmpty() ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(e.getValue()));
    return b.isEmpty() ? "none" : b.toString();
  }

  /** {@code sync --until-idle}: runs the engine until nothing is pending. */
  @Command(
      name = "sync",
      mixinStandardHelpOptions = true,
      description = "Run the sync engine until every event and transfer is done.")
  static final class Sync implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Option(
        names = "--until-idle",
        required = true,
        description = "Return once nothing is pending.")
    boolean untilIdle;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "10m",
        description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    String timeout;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
      Duration limit = ServerCommand.duration("--timeout", timeout);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (ClientOptions.Session s = client.open();
          ProgressBar bar = ProgressBar.forTerminal(err, s.files())) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
          // Idle first: a finished upload commits its remote key before the engine is idle, so
          // the synced check that follows covers that event too.
          boolean idle = s.files().awaitIdle(Duration.ofMillis(100));
          boolean synced = s.store().awaitSynced(Duration.ofMillis(100));
          SyncReport r = s.files().status();
          if (synced && idle && nothingQueued(r)) {
            bar.finish();
            if (!r.errors().isEmpty()) {
              err.println(
                  "filesync: "
                      + r.errors().size()
                      + " transfer(s) failed; see 'filesync status', then 'filesync retry'");
              return EXIT_INCOMPLETE;
            }
            out.println(
                "in sync: " + counts(r.uploads()) + " up, " + counts(r.downloads()) + " down");
            return 0;
          }
          if (s.store().syncState().status() == SyncStatus.HALTED) {
            bar.finish();
            err.println("filesync: sync halted: " + s.store().syncState().lastError());
            return EXIT_INCOMPLETE;
          }
          if (System.nanoTime() > deadline) {
            bar.finish();
            err.println(
                "filesync: not in sync after "
                    + timeout
                    + ": "
                    + counts(r.uploads())
                    + " up, "
                    + counts(r.downloads())
                    + " down, "
                    + s.store().syncState().pendingEvents()
                    + " events to push");
            return EXIT_INCOMPLETE;
          }
        }
      }
    }

    private static boolean nothingQueued(SyncReport r) {
      for (String state : List.of("queued", "inProgress")) {
        if (r.uploads().getOrDefault(state, 0L) > 0 || r.downloads().getOrDefault(state, 0L) > 0) {
          return false;
        }
      }
      return true;
    }
  }
}
