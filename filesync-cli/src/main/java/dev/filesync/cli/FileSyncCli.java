package dev.filesync.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code filesync} command. Exit codes: 0 success, 1 failure (the message says why), 2 a bad
 * command line. Errors print one line; {@code --debug} prints the stack trace as well.
 */
@Command(
    name = "filesync",
    mixinStandardHelpOptions = true,
    version = "FileSync 0.1.0-SNAPSHOT",
    description = "Local-first file sync: the server, and client commands over a data directory.",
    subcommands = {
      ServerCommand.class,
      FileCommands.Add.class,
      FileCommands.Ls.class,
      FileCommands.Get.class,
      FileCommands.Update.class,
      FileCommands.Rm.class,
      FileCommands.Retry.class,
      FileCommands.Status.class,
      FileCommands.Sync.class,
      ImageCommands.Thumbnail.class,
      WatchCommand.class,
      DemoCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failure (one line says why; --debug shows the stack trace)",
      "2:bad command line"
    })
public final class FileSyncCli implements Runnable {
  /** Exit status of a failure. */
  public static final int EXIT_FAILURE = 1;

  /** Exit status of a bad command line. */
  public static final int EXIT_USAGE = 2;

  @Option(
      names = "--debug",
      description = "Print stack traces of errors.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status (unless a server keeps running). */
  public static void main(String[] args) {
    int status =
        run(
            args,
            System.getenv(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true));
    if (status != ServerCommand.RUNNING) {
      System.exit(status);
    }
  }

  /**
   * Runs the command line with this environment and these streams; returns the exit status, or
   * {@link ServerCommand#RUNNING} when a server was started and keeps the JVM alive.
   */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new FileSyncCli());
    cli.setOut(out);
    cli.setErr(err);
    Settings settings;
    try {
      settings = Settings.load(args, env);
    } catch (Settings.BadSettingsException e) {
      err.println("filesync: " + e.getMessage());
      return EXIT_USAGE;
    }
    cli.setDefaultValueProvider(settings);
    cli.setExitCodeExceptionMapper(e -> EXIT_FAILURE);
    cli.setParameterExceptionHandler(
        (e, a) -> {
          err.println("filesync: " + e.getMessage() + " (try --help)");
          return EXIT_USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          boolean debug = parseResult.hasMatchedOption("--debug");
          if (e instanceof UsageError) {
            err.println("filesync: " + e.getMessage() + " (try --help)");
            return EXIT_USAGE;
          }
          err.println("filesync: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
          if (debug) {
            e.printStackTrace(err);
          }
          err.flush();
          return EXIT_FAILURE;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command line that parsed but does not make sense (a bad value, a missing companion flag). */
  static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }
}
