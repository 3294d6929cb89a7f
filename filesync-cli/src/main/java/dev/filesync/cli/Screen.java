package dev.filesync.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Output of the commands that show live progress ({@code demo}, {@code watch}): permanent lines,
 * and on a terminal a block of lines at the bottom that is redrawn in place (ANSI cursor moves).
 * When the output is not a terminal (a pipe, a file, a test) nothing is redrawn and nothing is
 * coloured: callers print plain lines only. Thread-safe.
 */
final class Screen {
  private static final String ESC = "\u001b[";

  private final PrintWriter out;
  private final boolean live;
  private final boolean color;
  private final boolean unicode;
  private final int width;
  private List<String> block = List.of();

  Screen(PrintWriter out, boolean live, boolean color, boolean unicode, int width) {
    this.out = out;
    this.live = live;
    this.color = color;
    this.unicode = unicode;
    this.width = Math.max(40, width);
  }

  /**
   * A screen for {@code out}: live and coloured when standard output is a terminal and {@code
   * plain} is not set; colours also off with {@code noColor} or the {@code NO_COLOR} variable.
   */
  static Screen forStdout(PrintWriter out, boolean plain, boolean noColor) {
    java.io.Console console = System.console();
    boolean terminal = !plain && console != null;
    if (!terminal) {
      return new Screen(out, false, false, false, 80);
    }
    String noColorEnv = System.getenv("NO_COLOR");
    boolean color = !noColor && (noColorEnv == null || noColorEnv.isEmpty());
    boolean unicode = StandardCharsets.UTF_8.equals(System.out.charset());
    return new Screen(out, true, color, unicode, terminalWidth());
  }

  /** Whether the bottom block is redrawn in place (a terminal). */
  boolean live() {
    return live;
  }

  /** Prints a permanent line (above the live block, on a terminal). */
  synchronized void line(String text) {
    if (live) {
      erase();
      out.println(fit(text));
      draw();
    } else {
      out.println(text);
    }
    out.flush();
  }

  /** Replaces the live block (does nothing when not live). */
  synchronized void block(List<String> lines) {
    if (!live || lines.equals(block)) {
      return;
    }
    erase();
    block = List.copyOf(lines);
    draw();
    out.flush();
  }

  /** Removes the live block, leaving the permanent lines. */
  synchronized void clearBlock() {
    if (!live) {
      return;
    }
    erase();
    block = List.of();
    out.flush();
  }

  private void erase() {
    if (!block.isEmpty()) {
      out.print("\r" + ESC + block.size() + "A" + ESC + "J");
    }
  }

  private void draw() {
    for (String l : block) {
      out.println(fit(l));
    }
  }

  /** Cuts a line to the terminal's width (a wrapped line would break the cursor arithmetic). */
  private String fit(String text) {
    if (!live) {
      return text;
    }
    int max = width - 1;
    StringBuilder b = new StringBuilder();
    int visible = 0;
    boolean cut = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u001b') {
        int end = text.indexOf('m', i);
        if (end < 0) {
          break;
        }
        b.append(text, i, end + 1);
        i = end;
        continue;
      }
      if (visible >= max) {
        cut = true;
        continue;
      }
      b.append(c);
      visible++;
    }
    if (cut && color) {
      b.append(ESC).append("0m");
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ styles and glyphs

  String bold(String s) {
    return style("1", s);
  }

  String dim(String s) {
    return style("2", s);
  }

  String green(String s) {
    return style("32", s);
  }

  String red(String s) {
    return style("31", s);
  }

  String yellow(String s) {
    return style("33", s);
  }

  String cyan(String s) {
    return style("36", s);
  }

  private String style(String code, String s) {
    return color ? ESC + code + "m" + s + ESC + "0m" : s;
  }

  /** A tick and a space on a UTF-8 terminal, else nothing. */
  String ok() {
    return unicode ? green("✓") + " " : "";
  }

  /**
   * The start of a line for a finished transfer: {@code ✓ ↑} on a UTF-8 terminal, else {@code
   * uploaded}/{@code downloaded} (padded to one width).
   */
  String completed(dev.filesync.core.FileSyncEvent.Direction d) {
    boolean up = d == dev.filesync.core.FileSyncEvent.Direction.UPLOAD;
    return unicode ? green("✓") + " " + (up ? "↑" : "↓") : up ? "uploaded  " : "downloaded";
  }

  /** A cross: {@code ✗} on a UTF-8 terminal, else {@code FAILED}. */
  String failed() {
    return red(unicode ? "✗" : "FAILED");
  }

  /** An arrow: {@code →} on a UTF-8 terminal, else {@code ->}. */
  String arrow() {
    return unicode ? "→" : "->";
  }

  /** The glyph of a direction: {@code ↑}/{@code ↓}, else {@code up}/{@code down}. */
  String direction(dev.filesync.core.FileSyncEvent.Direction d) {
    boolean up = d == dev.filesync.core.FileSyncEvent.Direction.UPLOAD;
    return unicode ? (up ? "↑" : "↓") : (up ? "up  " : "down");
  }

  /** One line of a transfer in flight: direction, name, bytes, percent and a bar. */
  String transfer(TransferTracker.Active t, String name) {
    String amount;
    String percent;
    String bar;
    if (t.total() > 0) {
      amount = Screen.bytes(t.bytes()) + " / " + Screen.bytes(t.total());
      percent = String.format(Locale.ROOT, "%3d%%", Math.min(100, t.bytes() * 100 / t.total()));
      bar = ProgressBar.bar(t.bytes(), t.total(), 20);
    } else {
      amount = Screen.bytes(t.bytes());
      percent = "    ";
      bar = "";
    }
    return String.format(
        Locale.ROOT,
        "   %s %-24s %23s %s %s%s",
        direction(t.direction()),
        Screen.clip(name, 24),
        amount,
        percent,
        bar,
        t.attempt() > 1 ? "  attempt " + t.attempt() : "");
  }

  // ------------------------------------------------------------------ formatting

  /** {@code 512 B}, {@code 3.0 KiB}, {@code 4.1 MiB}, {@code 1.20 GiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    if (n < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    }
    return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
  }

  /** Seconds with two decimals: {@code 0.42 s}. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  /** Bytes per second as {@code 12.3 MiB/s}, or {@code -} when too short to say. */
  static String rate(long bytes, long nanos) {
    if (nanos <= 0 || bytes <= 0) {
      return "-";
    }
    return bytes((long) (bytes / (nanos / 1e9))) + "/s";
  }

  /** Shortens {@code s} to {@code n} characters with a trailing {@code ~}. */
  static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }

  /** The terminal's width: {@code COLUMNS}, else {@code stty size}, else 80. */
  private static int terminalWidth() {
    String columns = System.getenv("COLUMNS");
    if (columns != null) {
      try {
        return Integer.parseInt(columns.trim());
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    try {
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(new File("/dev/tty"))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor(1, TimeUnit.SECONDS)) {
        String[] parts =
            new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                .trim()
                .split("\\s+");
        if (parts.length == 2) {
          return Integer.parseInt(parts[1]);
        }
      } else {
        p.destroy();
      }
    } catch (IOException | NumberFormatException e) {
      // not a Unix terminal: keep the default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 80;
  }
}
