package dev.filesync.examples.gallery;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the gallery runs on: a data directory and store id, a server (or none: local-only), the
 * gallery page's port, and a directory to import.
 *
 * @param data the data directory of this device (the store's database, content files, thumbnails)
 * @param storeId the store id, the same on every device that shares the photos
 * @param server the FileSync server's base URL, or empty for a local-only gallery
 * @param token the bearer token for the server (required with a server, else empty)
 * @param port the gallery page's port on 127.0.0.1, 0 for a free one
 * @param importDirectory a directory whose images are saved at start, if any
 */
public record Options(
    Path data,
    String storeId,
    Optional<URI> server,
    Optional<String> token,
    int port,
    Optional<Path> importDirectory) {

  /** The command line, for error messages. */
  public static final String USAGE =
      "usage: gallery --data DIR --store ID [--server URL --token T] [--port N] [--import DIR]\n"
          + "  --token may also come from FILESYNC_TOKEN (flags show up in ps)";

  /** Checks the values; the messages name the bad one. */
  public Options {
    Objects.requireNonNull(data, "--data is required");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(importDirectory, "importDirectory");
    if (storeId == null || storeId.isBlank()) {
      throw new IllegalArgumentException("--store is required");
    }
    if (server.isPresent() && token.isEmpty()) {
      throw new IllegalArgumentException("--server needs --token (or FILESYNC_TOKEN)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0 to 65535: " + port);
    }
  }

  /**
   * Parses the command line; the token may come from {@code FILESYNC_TOKEN}.
   *
   * @throws IllegalArgumentException naming the bad or missing option
   */
  public static Options parse(String... args) {
    return parse(args, System.getenv());
  }

  static Options parse(String[] args, Map<String, String> env) {
    Path data = null;
    String store = null;
    URI server = null;
    String token = env.get("FILESYNC_TOKEN");
    int port = 0;
    Path importDirectory = null;
    for (int i = 0; i < args.length; i++) {
      // --name value, or --name=value
      String name = args[i];
      String value;
      int eq = name.indexOf('=');
      if (name.startsWith("--") && eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException(name + " needs a value");
      }
      switch (name) {
        case "--data" -> data = Path.of(value);
        case "--store" -> store = value;
        case "--server" -> server = serverUri(value);
        case "--token" -> token = value;
        case "--port" -> port = number("--port", value);
        case "--import" -> importDirectory = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option: " + name);
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data is required");
    }
    return new Options(
        data,
        store,
        Optional.ofNullable(server),
        // the token is only used with a server; never echo it in a message
        server == null ? Optional.empty() : Optional.ofNullable(token),
        port,
        Optional.ofNullable(importDirectory));
  }

  private static URI serverUri(String value) {
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--server is not a URL: " + value);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw new IllegalArgumentException("--server must be an http(s) URL: " + value);
    }
    return uri;
  }

  private static int number(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " is not a number: " + value);
    }
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "Options[data="
        + data
        + ", storeId="
        + storeId
        + ", server="
        + server
        + ", port="
        + port
        + ", importDirectory="
        + importDirectory
        + "]";
  }
}
