package dev.filesync.store;

import dev.filesync.store.TaskSchema.TaskAdded;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A store in its own JVM, driven line by line on stdin, for tests with several processes on one
 * data directory. Arguments: data directory, store id, and optionally a server URL and token.
 * Commands: {@code commit ID}, {@code count}, {@code lock}, {@code synced}, {@code exit}. It prints
 * {@code lock HAS_LOCK|NO_LOCK} at start and whenever that changes.
 */
public final class StoreProcessMain {
  private StoreProcessMain() {}

  public static void main(String[] args) throws Exception {
    StoreConfig.Builder b =
        StoreConfig.builder(Path.of(args[0]), args[1], TaskSchema.SCHEMA)
            .lockRetryInterval(Duration.ofMillis(50))
            .externalChangePollInterval(Duration.ofMillis(50))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    if (args.length > 2) {
      b.syncBackend(HttpSyncBackend.builder(URI.create(args[2])).token(args[3]).build());
    }
    try (Store store = Store.open(b.build())) {
      System.out.println("lock " + store.lockStatus());
      store.onLockStatus(s -> System.out.println("lock " + s));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] cmd = line.trim().split(" ");
        switch (cmd[0]) {
          case "commit" -> {
            store.commit(
                TaskSchema.TASK_ADDED.of(
                    new TaskAdded(
                        cmd[1], "from pid " + ProcessHandle.current().pid(), Instant.EPOCH)));
            System.out.println("committed " + cmd[1]);
          }
          case "count" -> System.out.println("count " + store.query(TaskSchema.ALL_TASKS).size());
          case "lock" -> System.out.println("lock " + store.lockStatus());
          case "synced" ->
              System.out.println(
                  "synced " + store.awaitSynced(Duration.ofSeconds(30)) + " " + store.syncState());
          case "exit" -> {
            System.out.println("bye");
            return;
          }
          default -> System.out.println("unknown " + line);
        }
      }
    }
  }
}
