package dev.filesync.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to open a {@link Store}: where, which store, with which schema, and how it syncs. Immutable;
 * {@link #toBuilder()} makes a changed copy.
 *
 * <p>The store's files live in {@code <dataDirectory>/stores/<sanitized store id>/}: {@code
 * store.db} (log and state) and {@code writer.lock}. Sanitizing replaces every character outside
 * {@code [A-Za-z0-9._-]} with {@code _}, as livestore-filesync does.
 */
public final class StoreConfig {
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final Path dataDirectory;
  private final String storeId;
  private final StoreSchema schema;
  private final SyncBackend syncBackend;
  private final String clientId;
  private final int pushBatchSize;
  private final int pullPageSize;
  private final Duration pullWait;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration lockRetryInterval;
  private final Duration externalChangePollInterval;
  private final BackendResetPolicy backendResetPolicy;

  private StoreConfig(Builder b) {
    this.dataDirectory = b.dataDirectory;
    this.storeId = b.storeId;
    this.schema = b.schema;
    this.syncBackend = b.syncBackend;
    this.clientId = b.clientId;
    this.pushBatchSize = b.pushBatchSize;
    this.pullPageSize = b.pullPageSize;
    this.pullWait = b.pullWait;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.lockRetryInterval = b.lockRetryInterval;
    this.externalChangePollInterval = b.externalChangePollInterval;
    this.backendResetPolicy = b.backendResetPolicy;
  }

  /** A builder for the store {@code storeId} under {@code dataDirectory} with {@code schema}. */
  public static Builder builder(Path dataDirectory, String storeId, StoreSchema schema) {
    return new Builder(dataDirectory, storeId, schema);
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder(dataDirectory, storeId, schema);
    b.syncBackend = syncBackend;
    b.clientId = clientId;
    b.pushBatchSize = pushBatchSize;
    b.pullPageSize = pullPageSize;
    b.pullWait = pullWait;
    b.minBackoff = minBackoff;
    b.maxBackoff = maxBackoff;
    b.lockRetryInterval = lockRetryInterval;
    b.externalChangePollInterval = externalChangePollInterval;
    b.backendResetPolicy = backendResetPolicy;
    return b;
  }

  /** Replaces every character outside {@code [A-Za-z0-9._-]} with {@code _}. */
  public static String sanitizeStoreId(String storeId) {
    return storeId.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  /** The data directory. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The directory of this store's files. */
  public Path storeDirectory() {
    return dataDirectory.resolve("stores").resolve(sanitizeStoreId(storeId));
  }

  /** The store id. */
  public String storeId() {
    return storeId;
  }

  /** The schema. */
  public StoreSchema schema() {
    return schema;
  }

  /** The sync backend, or {@code null} for a local-only store. */
  public SyncBackend syncBackend() {
    return syncBackend;
  }

  /** The client id to use, or {@code null} to keep (or make) the one stored in the database. */
  public String clientId() {
    return clientId;
  }

  /** The most events pushed in one request. */
  public int pushBatchSize() {
    return pushBatchSize;
  }

  /** The most events asked for in one pull. */
  public int pullPageSize() {
    return pullPageSize;
  }

  /** How long a pull waits on the backend for new events. */
  public Duration pullWait() {
    return pullWait;
  }

  /** The first delay after a failed exchange. */
  public Duration minBackoff() {
    return minBackoff;
  }

  /** The longest delay between retries while offline. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How often a process without the writer lock tries to take it. */
  public Duration lockRetryInterval() {
    return lockRetryInterval;
  }

  /** How often the store checks whether another process changed the database. */
  public Duration externalChangePollInterval() {
    return externalChangePollInterval;
  }

  /** What to do when the backend's identity changes. */
  public BackendResetPolicy backendResetPolicy() {
    return backendResetPolicy;
  }

  /** Builds a {@link StoreConfig}; every setter checks its argument at once. */
  public static final class Builder {
    private final Path dataDirectory;
    private final String storeId;
    private final StoreSchema schema;
    private SyncBackend syncBackend;
    private String clientId;
    private int pushBatchSize = 100;
    private int pullPageSize = 500;
    private Duration pullWait = Duration.ofSeconds(20);
    private Duration minBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration lockRetryInterval = Duration.ofMillis(500);
    private Duration externalChangePollInterval = Duration.ofMillis(200);
    private BackendResetPolicy backendResetPolicy = BackendResetPolicy.RESET_TO_BACKEND;

    private Builder(Path dataDirectory, String storeId, StoreSchema schema) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      if (storeId == null
          || storeId.isEmpty()
          || storeId.length() > 256
          || storeId.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(
            "store id must be 1 to 256 printable characters: " + storeId);
      }
      this.storeId = storeId;
      this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** Syncs through {@code backend}; without one the store is local-only. */
    public Builder syncBackend(SyncBackend backend) {
      this.syncBackend = backend;
      return this;
    }

    /** Uses this client id instead of the one kept in the database. */
    public Builder clientId(String id) {
      if (id != null && !CLIENT_ID.matcher(id).matches()) {
        throw new IllegalArgumentException("client id must match " + CLIENT_ID + ": " + id);
      }
      this.clientId = id;
      return this;
    }

    /** The most events pushed in one request, 1 to 1000 (default 100). */
    public Builder pushBatchSize(int n) {
      this.pushBatchSize = checkRange("pushBatchSize", n, 1, 1000);
      return this;
    }

    /** The most events asked for in one pull, 1 to 1000 (default 500). */
    public Builder pullPageSize(int n) {
      this.pullPageSize = checkRange("pullPageSize", n, 1, 1000);
      return this;
    }

    /** How long a pull waits on the backend for new events, 0 to 30 s (default 20 s). */
    public Builder pullWait(Duration d) {
      this.pullWait = checkDuration("pullWait", d, Duration.ZERO, Duration.ofSeconds(30));
      return this;
    }

    /** The first and the longest delay between retries while offline (default 500 ms and 30 s). */
    public Builder backoff(Duration min, Duration max) {
      checkDuration("minBackoff", min, Duration.ofMillis(1), Duration.ofHours(1));
      checkDuration("maxBackoff", max, min, Duration.ofHours(1));
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** How often a process without the writer lock tries to take it (default 500 ms). */
    public Builder lockRetryInterval(Duration d) {
      this.lockRetryInterval =
          checkDuration("lockRetryInterval", d, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /** How often to check whether another process changed the database (default 200 ms). */
    public Builder externalChangePollInterval(Duration d) {
      this.externalChangePollInterval =
          checkDuration(
              "externalChangePollInterval", d, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /**
     * What to do when the backend's identity changes (default {@link
     * BackendResetPolicy#RESET_TO_BACKEND}).
     */
    public Builder backendResetPolicy(BackendResetPolicy policy) {
      this.backendResetPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The configuration. */
    public StoreConfig build() {
      return new StoreConfig(this);
    }

    private static int checkRange(String what, int n, int min, int max) {
      if (n < min || n > max) {
        throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]: " + n);
      }
      return n;
    }

    private static Duration checkDuration(String what, Duration d, Duration min, Duration max) {
      Objects.requireNonNull(d, what);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]: " + d);
      }
      return d;
    }
  }
}
