package dev.filesync.store;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A typed read of the state tables: SQL, its parameters, and how rows become a result.
 *
 * <p>For {@linkplain Store#subscribe subscriptions} the store needs to know which tables a query
 * reads. It finds them itself from SQLite's query plan; {@link #dependsOn} names them instead.
 * Results are compared with {@code equals} to decide whether subscribers are told, so map rows to
 * records or other values with a meaningful {@code equals}.
 *
 * @param <T> the result type
 */
public final class Query<T> {
  private final String sql;
  private final Object[] params;
  private final RowMapper<?> mapper;
  private final Function<List<?>, T> finisher;
  private final Set<String> tables;

  private Query(
      String sql,
      Object[] params,
      RowMapper<?> mapper,
      Function<List<?>, T> finisher,
      Set<String> tables) {
    this.sql = Objects.requireNonNull(sql, "sql");
    this.params = params.clone();
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.finisher = finisher;
    this.tables = tables;
  }

  /** Every row, mapped. */
  public static <R> Query<List<R>> list(String sql, RowMapper<R> mapper, Object... params) {
    return new Query<>(sql, params, mapper, Query::copyList, null);
  }

  /** The first row, mapped, if any. */
  public static <R> Query<Optional<R>> first(String sql, RowMapper<R> mapper, Object... params) {
    return new Query<>(sql, params, mapper, rows -> firstOf(rows), null);
  }

  /** A single number: the first column of the first row, 0 when there is no row. */
  public static Query<Long> scalar(String sql, Object... params) {
    RowMapper<Long> m = row -> row.getLong(1);
    return new Query<>(sql, params, m, rows -> rows.isEmpty() ? 0L : (Long) rows.get(0), null);
  }

  /** The same query, declaring the tables it reads instead of letting the store find them. */
  public Query<T> dependsOn(String... tableNames) {
    return new Query<>(sql, params, mapper, finisher, Set.of(tableNames));
  }

  /** The SQL text. */
  public String sql() {
    return sql;
  }

  /** A copy of the parameters. */
  public Object[] params() {
    return params.clone();
  }

  /** The tables named by {@link #dependsOn}, or {@code null} when the store should find them. */
  public Set<String> declaredTables() {
    return tables;
  }

  /** The row mapper. */
  public RowMapper<?> mapper() {
    return mapper;
  }

  /** Turns the mapped rows into the result. */
  public T finish(List<?> rows) {
    return finisher.apply(rows);
  }

  @SuppressWarnings("unchecked")
  private static <R> List<R> copyList(List<?> rows) {
    return (List<R>) List.copyOf(rows);
  }

  @SuppressWarnings("unchecked")
  private static <R> Optional<R> firstOf(List<?> rows) {
    return rows.isEmpty() ? Optional.empty() : Optional.of((R) rows.get(0));
  }

  @Override
  public String toString() {
    return "Query[" + sql + ", params=" + Arrays.toString(params) + "]";
  }
}
