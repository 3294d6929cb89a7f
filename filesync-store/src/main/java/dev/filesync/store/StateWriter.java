package dev.filesync.store;

import java.util.List;

/**
 * The state tables as a materializer sees them: inside the store's write transaction, with every
 * change recorded so that it can be undone on a rebase.
 */
public interface StateWriter {

  /**
   * Runs one SQL statement with positional parameters ({@code String}, {@code Long}, {@code
   * Integer}, {@code Double}, {@code Boolean}, {@code byte[]}, {@code Instant} as epoch
   * milliseconds, or {@code null}).
   *
   * @return the number of rows changed
   */
  int execute(String sql, Object... params);

  /** Runs a query and maps each row; for materializers that read before they write. */
  <R> List<R> query(String sql, RowMapper<R> mapper, Object... params);
}
