package dev.filesync.core;

import dev.filesync.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Immutable configuration of a {@link FileSync}: the store, the local root, remote storage (or
 * none, for local-only mode), concurrency, retry, health checks, time and threads, preprocessors.
 * Build one with {@link FileSync#builder} and change a copy with {@link #toBuilder()}.
 */
public final class FileSyncConfig {
  private final Store store;
  private final Path localRoot;
  private final RemoteStorage remote;
  private final int uploadConcurrency;
  private final int downloadConcurrency;
  private final int maxAttempts;
  private final Duration retryBaseDelay;
  private final Duration retryMaxDelay;
  private final Duration healthCheckInterval;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor transferExecutor;
  private final RandomGenerator random;
  private final Map<String, Preprocessor> preprocessors;

  private FileSyncConfig(Builder b) {
    this.store = b.store;
    this.localRoot = b.localRoot;
    this.remote = b.remote;
    this.uploadConcurrency = b.uploadConcurrency;
    this.downloadConcurrency = b.downloadConcurrency;
    this.maxAttempts = b.maxAttempts;
    this.retryBaseDelay = b.retryBaseDelay;
    this.retryMaxDelay = b.retryMaxDelay;
    this.healthCheckInterval = b.healthCheckInterval;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.transferExecutor = b.transferExecutor;
    this.random = b.random;
    this.preprocessors =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.preprocessors));
  }

  static Builder builder(Store store, Path localRoot) {
    return new Builder(store, localRoot);
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder(store, localRoot);
    b.remote = remote;
    b.uploadConcurrency = uploadConcurrency;
    b.downloadConcurrency = downloadConcurrency;
    b.maxAttempts = maxAttempts;
    b.retryBaseDelay = retryBaseDelay;
    b.retryMaxDelay = retryMaxDelay;
    b.healthCheckInterval = healthCheckInterval;
    b.clock = clock;
    b.scheduler = scheduler;
    b.transferExecutor = transferExecutor;
    b.random = random;
    b.preprocessors.putAll(preprocessors);
    return b;
  }

  /** The store holding the file rows. */
  public Store store() {
    return store;
  }

  /** The root under which the content files live. */
  public Path localRoot() {
    return localRoot;
  }

  /** Remote storage, or empty in local-only mode. */
  public Optional<RemoteStorage> remote() {
    return Optional.ofNullable(remote);
  }

  /**
   * Uploads running at once (default 4, chosen by {@code bin/bench core}; see docs/benchmarks.md).
   */
  public int uploadConcurrency() {
    return uploadConcurrency;
  }

  /** Downloads running at once (default 4, chosen by {@code bin/bench core}). */
  public int downloadConcurrency() {
    return downloadConcurrency;
  }

  /** Attempts per transfer before it is marked {@code error} (default 6). */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The delay after the first failed attempt (default 1 s); doubles after each. */
  public Duration retryBaseDelay() {
    return retryBaseDelay;
  }

  /** The longest delay between attempts (default 60 s). */
  public Duration retryMaxDelay() {
    return retryMaxDelay;
  }

  /** How often remote storage is checked (default 10 s). */
  public Duration healthCheckInterval() {
    return healthCheckInterval;
  }

  /** The clock for timestamps (default the system UTC clock). */
  public Clock clock() {
    return clock;
  }

  /** The scheduler for delays, or empty for a daemon thread of FileSync's own. */
  public Optional<Scheduler> scheduler() {
    return Optional.ofNullable(scheduler);
  }

  /** Where transfers run, or empty for a virtual thread per transfer. */
  public Optional<Executor> transferExecutor() {
    return Optional.ofNullable(transferExecutor);
  }

  /** The source of retry jitter. */
  public RandomGenerator random() {
    return random;
  }

  /** Preprocessors by MIME pattern, in registration order. */
  public Map<String, Preprocessor> preprocessors() {
    return preprocessors;
  }

  /** A builder of {@link FileSyncConfig}; setters check their argument at once. */
  public static final class Builder {
    private final Store store;
    private final Path localRoot;
    private RemoteStorage remote;
    private int uploadConcurrency = 4;
    private int downloadConcurrency = 4;
    private int maxAttempts = 6;
    private Duration retryBaseDelay = Duration.ofSeconds(1);
    private Duration retryMaxDelay = Duration.ofSeconds(60);
    private Duration healthCheckInterval = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private Executor transferExecutor;
    private RandomGenerator random = RandomGenerator.getDefault();
    private final Map<String, Preprocessor> preprocessors = new LinkedHashMap<>();

    private Builder(Store store, Path localRoot) {
      this.store = Objects.requireNonNull(store, "store");
      this.localRoot = Objects.requireNonNull(localRoot, "localRoot");
    }

    /** Remote storage; {@code null} for local-only mode (the default). */
    public Builder remote(RemoteStorage remote) {
      this.remote = remote;
      return this;
    }

    /** Uploads and downloads running at once, each at least 1. */
    public Builder concurrency(int uploads, int downloads) {
      if (uploads < 1 || downloads < 1) {
        throw new IllegalArgumentException(
            "concurrency must be >= 1: uploads=" + uploads + ", downloads=" + downloads);
      }
      this.uploadConcurrency = uploads;
      this.downloadConcurrency = downloads;
      return this;
    }

    /** Retry: attempts (at least 1), the first delay and the longest delay. */
    public Builder retry(int maxAttempts, Duration baseDelay, Duration maxDelay) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
      }
      if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
        throw new IllegalArgumentException(
            "need 0 <= baseDelay <= maxDelay: " + baseDelay + ", " + maxDelay);
      }
      this.maxAttempts = maxAttempts;
      this.retryBaseDelay = baseDelay;
      this.retryMaxDelay = maxDelay;
      return this;
    }

    /** How often remote storage is checked; positive. */
    public Builder healthCheckInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("healthCheckInterval must be positive: " + interval);
      }
      this.healthCheckInterval = interval;
      return this;
    }

    /** The clock for timestamps. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The scheduler for retry delays and health checks. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where transfers run (FileSync does not shut it down). */
    public Builder transferExecutor(Executor executor) {
      this.transferExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** The source of retry jitter (a seeded one makes delays reproducible). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Adds a preprocessor for a MIME pattern: an exact type ({@code image/png}), a family ({@code
     * image/*}) or everything ({@code *}).
     */
    public Builder preprocessor(String mimePattern, Preprocessor preprocessor) {
      Objects.requireNonNull(preprocessor, "preprocessor");
      if (!mimePattern.equals("*")
          && !mimePattern.matches("[A-Za-z0-9!#$&^_.+-]+/([A-Za-z0-9!#$&^_.+-]+|\\*)")) {
        throw new IllegalArgumentException("not a MIME pattern: " + mimePattern);
      }
      preprocessors.put(mimePattern.toLowerCase(java.util.Locale.ROOT), preprocessor);
      return this;
    }

    /** The configuration. */
    public FileSyncConfig build() {
      return new FileSyncConfig(this);
    }

    /** Builds the configuration and starts a {@link FileSync} with it. */
    public FileSync start() throws java.io.IOException {
      return FileSync.start(build());
    }
  }
}
