package dev.filesync.store.internal;

import dev.filesync.store.RowMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Small JDBC helpers: parameter binding, updates, mapped queries. */
final class Sql {
  private Sql() {}

  static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      int at = i + 1;
      if (p == null) {
        ps.setObject(at, null);
      } else if (p instanceof String s) {
        ps.setString(at, s);
      } else if (p instanceof Long l) {
        ps.setLong(at, l);
      } else if (p instanceof Integer n) {
        ps.setInt(at, n);
      } else if (p instanceof Short n) {
        ps.setInt(at, n);
      } else if (p instanceof Double d) {
        ps.setDouble(at, d);
      } else if (p instanceof Float f) {
        ps.setDouble(at, f);
      } else if (p instanceof Boolean b) {
        ps.setInt(at, b ? 1 : 0);
      } else if (p instanceof byte[] bytes) {
        ps.setBytes(at, bytes);
      } else if (p instanceof Instant t) {
        ps.setLong(at, t.toEpochMilli());
      } else if (p instanceof Enum<?> e) {
        ps.setString(at, e.name());
      } else {
        throw new IllegalArgumentException(
            "unsupported SQL parameter type " + p.getClass().getName() + " at position " + at);
      }
    }
  }

  static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static <R> List<R> query(Connection c, String sql, RowMapper<R> mapper, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return mapAll(ps, mapper);
    }
  }

  /** Runs a bound statement and maps every row. */
  static <R> List<R> mapAll(PreparedStatement ps, RowMapper<R> mapper) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<R> out = new ArrayList<>();
      SqlRow row = new SqlRow(rs);
      while (rs.next()) {
        out.add(mapper.map(row));
      }
      return out;
    }
  }

  static long scalar(Connection c, String sql, Object... params) throws SQLException {
    List<Long> r = query(c, sql, row -> row.getLong(1), params);
    return r.isEmpty() ? 0 : r.get(0);
  }

  static String quoteIdent(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
