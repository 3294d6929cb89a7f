package dev.filesync.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when the command line does not give it: the environment
 * ({@code --s3-bucket} reads {@code FILESYNC_S3_BUCKET}), then the properties file named by {@code
 * --config FILE} or {@code FILESYNC_CONFIG} (key {@code s3-bucket}), then the option's default.
 */
final class Settings implements CommandLine.IDefaultValueProvider {
  /** Options whose environment and file values the commands read themselves. */
  private static final java.util.Set<String> MANUAL =
      java.util.Set.of("--config", "--token", "--cors-origin");

  private static final java.util.Set<String> TRUE = java.util.Set.of("1", "true", "yes", "on");

  private final Map<String, String> env;
  private final Properties file;

  private Settings(Map<String, String> env, Properties file) {
    this.env = env;
    this.file = file;
  }

  /** Reads the configuration file named on the command line or in the environment, if any. */
  static Settings load(String[] args, Map<String, String> env) throws BadSettingsException {
    String config = env.get("FILESYNC_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        config = args[i + 1];
      } else if (args[i].startsWith("--config=")) {
        config = args[i].substring("--config=".length());
      }
    }
    Properties p = new Properties();
    if (config != null && !config.isBlank()) {
      try (Reader r = Files.newBufferedReader(Path.of(config), StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new BadSettingsException(
            "cannot read the configuration file " + config + ": " + e.getMessage());
      }
    }
    return new Settings(env, p);
  }

  /** The environment variable of an option: {@code --s3-bucket} → {@code FILESYNC_S3_BUCKET}. */
  static String variable(String longName) {
    return "FILESYNC_" + key(longName).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The configuration-file key of an option: {@code --s3-bucket} → {@code s3-bucket}. */
  static String key(String longName) {
    return longName.replaceFirst("^--", "");
  }

  /** A raw setting by option name (environment first, then the file), or {@code null}. */
  String lookup(String longName) {
    String v = env.get(variable(longName));
    if (v != null && !v.isBlank()) {
      return v;
    }
    v = file.getProperty(key(longName));
    return v == null || v.isBlank() ? null : v.trim();
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)
        || ("server".equals(option.command().name()) && MANUAL.contains(option.longestName()))
        || option.longestName().equals("--config")) {
      return arg.defaultValue();
    }
    String v = lookup(option.longestName());
    if (v != null && (option.type() == boolean.class || option.type() == Boolean.class)) {
      v = Boolean.toString(TRUE.contains(v.toLowerCase(Locale.ROOT)));
    }
    return v != null ? v : arg.defaultValue();
  }

  /** The configuration file could not be read. */
  static final class BadSettingsException extends Exception {
    private static final long serialVersionUID = 1L;

    BadSettingsException(String message) {
      super(message);
    }
  }
}
