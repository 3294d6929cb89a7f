package dev.filesync.core.it;

import dev.filesync.core.FileSyncEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A device in its own JVM, driven on stdin, for tests that kill or share a data directory.
 * Arguments: data directory, server URL, token, store id. Commands: {@code save PATH}, {@code
 * settle}, {@code exit}. Prints {@code lock HAS_LOCK|NO_LOCK}, {@code saved ID}, {@code settled},
 * and {@code event <name> <direction> <bytes>} for every transfer event.
 */
public final class DeviceMain {
  private DeviceMain() {}

  public static void main(String[] args) throws Exception {
    try (RealDevice d = new RealDevice(Path.of(args[0]), URI.create(args[1]), args[2], args[3])) {
      System.out.println("lock " + d.store.lockStatus());
      d.files.addListener(
          e -> {
            switch (e) {
              case FileSyncEvent.TransferStarted s ->
                  System.out.println("event started " + s.direction() + " 0");
              case FileSyncEvent.TransferProgress p ->
                  System.out.println("event progress " + p.direction() + " " + p.bytes());
              case FileSyncEvent.TransferCompleted c ->
                  System.out.println("event completed " + c.direction() + " 0");
              default -> {}
            }
          });
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] cmd = line.trim().split(" ", 2);
        switch (cmd[0]) {
          case "save" -> System.out.println("saved " + d.files.save(Path.of(cmd[1])));
          case "settle" -> {
            d.awaitSettled(Duration.ofSeconds(120));
            System.out.println("settled");
          }
          case "exit" -> {
            return;
          }
          default -> System.out.println("unknown " + line);
        }
      }
    }
  }
}
