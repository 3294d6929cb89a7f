package dev.filesync.store.internal;

import dev.filesync.store.Row;
import java.sql.ResultSet;
import java.sql.SQLException;

/** A {@link Row} over the current row of a JDBC result set; valid only during the mapping call. */
final class SqlRow implements Row {
  private final ResultSet rs;

  SqlRow(ResultSet rs) {
    this.rs = rs;
  }

  @Override
  public String getString(String column) {
    try {
      return rs.getString(column);
    } catch (SQLException e) {
      throw badColumn(column, e);
    }
  }

  @Override
  public long getLong(String column) {
    try {
      return rs.getLong(column);
    } catch (SQLException e) {
      throw badColumn(column, e);
    }
  }

  @Override
  public int getInt(String column) {
    try {
      return rs.getInt(column);
    } catch (SQLException e) {
      throw badColumn(column, e);
    }
  }

  @Override
  public double getDouble(String column) {
    try {
      return rs.getDouble(column);
    } catch (SQLException e) {
      throw badColumn(column, e);
    }
  }

  @Override
  public byte[] getBytes(String column) {
    try {
      return rs.getBytes(column);
    } catch (SQLException e) {
      throw badColumn(column, e);
    }
  }

  @Override
  public String getString(int index) {
    try {
      return rs.getString(index);
    } catch (SQLException e) {
      throw badColumn("#" + index, e);
    }
  }

  @Override
  public long getLong(int index) {
    try {
      return rs.getLong(index);
    } catch (SQLException e) {
      throw badColumn("#" + index, e);
    }
  }

  @Override
  public boolean isNull(String column) {
    try {
      rs.getObject(column);
      return rs.wasNull();
    } catch (SQLException e) {
      throw badColumn(column, e);
    }
  }

  private static IllegalArgumentException badColumn(String column, SQLException e) {
    return new IllegalArgumentException("cannot read column " + column + ": " + e.getMessage(), e);
  }
}
