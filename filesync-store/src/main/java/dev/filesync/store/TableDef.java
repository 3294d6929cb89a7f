package dev.filesync.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A state table: its name and the {@code CREATE TABLE} statement that makes it. State tables are
 * derived from the log, so the store may drop and rebuild them; they must be ordinary rowid tables
 * (not {@code WITHOUT ROWID}), since the undo log restores rows by rowid.
 *
 * @param name the table name: letters, digits and {@code _}, not starting with {@code __}
 * @param createSql the {@code CREATE TABLE} statement, plus optional {@code ;}-separated {@code
 *     CREATE INDEX} statements
 */
public record TableDef(String name, String createSql) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

  /** Validates the name and the statement. */
  public TableDef {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("table name must match " + NAME + ": " + name);
    }
    Objects.requireNonNull(createSql, "createSql");
    if (!createSql.stripLeading().regionMatches(true, 0, "CREATE TABLE", 0, 12)) {
      throw new IllegalArgumentException(
          "createSql of table " + name + " must start with CREATE TABLE");
    }
    String upper = createSql.toUpperCase(java.util.Locale.ROOT);
    if (upper.contains("WITHOUT ROWID")) {
      throw new IllegalArgumentException(
          "table " + name + " must be a rowid table (no WITHOUT ROWID)");
    }
    if (upper.contains("AUTOINCREMENT")) {
      // sqlite_sequence is outside the undo log: a rebase would not give the ids a replay gives
      throw new IllegalArgumentException(
          "table " + name + " must not use AUTOINCREMENT (ids must replay identically)");
    }
  }

  /** A table from its name and statement. */
  public static TableDef of(String name, String createSql) {
    return new TableDef(name, createSql);
  }
}
