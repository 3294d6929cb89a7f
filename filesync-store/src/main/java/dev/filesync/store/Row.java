package dev.filesync.store;

/**
 * One row of a query result, read by column label. The accessors follow SQLite's conversions: a
 * {@code NULL} reads as {@code null} from {@link #getString} and {@link #getBytes}, as {@code 0}
 * from the numeric ones (check {@link #isNull} first when that matters).
 */
public interface Row {
  /** The column as text, or {@code null}. */
  String getString(String column);

  /** The column as a 64-bit integer. */
  long getLong(String column);

  /** The column as a 32-bit integer. */
  int getInt(String column);

  /** The column as a double. */
  double getDouble(String column);

  /** The column as bytes, or {@code null}. */
  byte[] getBytes(String column);

  /** The column at {@code index} (1-based) as text, or {@code null}. */
  String getString(int index);

  /** The column at {@code index} (1-based) as a 64-bit integer. */
  long getLong(int index);

  /** Whether the column is {@code NULL}. */
  boolean isNull(String column);
}
