package dev.filesync.store;

/**
 * Maps the current row of a query result to a value.
 *
 * @param <R> the value type
 */
@FunctionalInterface
public interface RowMapper<R> {
  /** The value for {@code row}. */
  R map(Row row);
}
