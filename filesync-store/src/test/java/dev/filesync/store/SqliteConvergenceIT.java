package dev.filesync.store;

import dev.filesync.server.ServerConfig;
import java.nio.file.Path;
import java.util.List;

/** Convergence through a server whose event log is SQLite (the embedded default). */
class SqliteConvergenceIT extends ConvergenceContract {
  @Override
  ServerConfig.Builder serverConfig(Path dataDirectory, String storeIdSalt) {
    return ServerConfig.builder().dataDirectory(dataDirectory).token(TOKEN, List.of("*"));
  }
}
