package dev.filesync.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tables and events of a store. Applications add their own beside FileSync's.
 *
 * <p>The schema has a hash over its table statements, its event names and kinds, and a {@linkplain
 * Builder#stateVersion state version} that an application bumps when a materializer's logic
 * changes. When a store opens with a schema whose hash differs from the one it was built with, it
 * drops the state tables and replays the whole log into the new ones.
 */
public final class StoreSchema {
  private final List<TableDef> tables;
  private final Map<String, EventDef<?>> events;
  private final String stateVersion;
  private final String hash;

  private StoreSchema(Builder b) {
    this.tables = List.copyOf(b.tables.values());
    this.events = Collections.unmodifiableMap(new LinkedHashMap<>(b.events));
    this.stateVersion = b.stateVersion;
    this.hash = computeHash();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this schema's parts, to extend it. */
  public Builder toBuilder() {
    Builder b = new Builder();
    tables.forEach(b::table);
    events.values().forEach(b::event);
    return b.stateVersion(stateVersion);
  }

  /** The state tables, in the order they were added. */
  public List<TableDef> tables() {
    return tables;
  }

  /** The event definitions by name. */
  public Map<String, EventDef<?>> events() {
    return events;
  }

  /** The definition of the event called {@code name}, or {@code null}. */
  public EventDef<?> event(String name) {
    return events.get(name);
  }

  /** The hash that decides whether the state must be rebuilt, lowercase hex. */
  public String hash() {
    return hash;
  }

  private String computeHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (TableDef t : tables) {
        md.update(
            ("table\0" + t.name() + "\0" + t.createSql() + "\0").getBytes(StandardCharsets.UTF_8));
      }
      for (EventDef<?> e : events.values()) {
        md.update(
            ("event\0" + e.name() + "\0" + e.clientOnly() + "\0").getBytes(StandardCharsets.UTF_8));
      }
      md.update(("version\0" + stateVersion).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collects tables and events; {@link #build} checks they fit together. */
  public static final class Builder {
    private final Map<String, TableDef> tables = new LinkedHashMap<>();
    private final Map<String, EventDef<?>> events = new LinkedHashMap<>();
    private String stateVersion = "1";

    private Builder() {}

    /** Adds a state table; names must be unique. */
    public Builder table(TableDef table) {
      Objects.requireNonNull(table, "table");
      if (tables.putIfAbsent(table.name().toLowerCase(java.util.Locale.ROOT), table) != null) {
        throw new IllegalArgumentException("duplicate table: " + table.name());
      }
      return this;
    }

    /** Adds an event definition; names must be unique. */
    public Builder event(EventDef<?> event) {
      Objects.requireNonNull(event, "event");
      if (events.putIfAbsent(event.name(), event) != null) {
        throw new IllegalArgumentException("duplicate event: " + event.name());
      }
      return this;
    }

    /** Adds several event definitions. */
    public Builder events(List<? extends EventDef<?>> defs) {
      new ArrayList<>(defs).forEach(this::event);
      return this;
    }

    /**
     * Sets the state version, part of the schema hash: change it when a materializer's logic
     * changes so that every device rebuilds its state from the log.
     */
    public Builder stateVersion(String version) {
      if (version == null || version.isEmpty()) {
        throw new IllegalArgumentException("state version must not be empty");
      }
      this.stateVersion = version;
      return this;
    }

    /** The schema. */
    public StoreSchema build() {
      return new StoreSchema(this);
    }
  }
}
