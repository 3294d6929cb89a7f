package dev.filesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filesync.core.FileSyncEvent.Direction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScreenTest {
  private final StringWriter text = new StringWriter();

  @Test
  void plainScreenPrintsLinesAndIgnoresTheBlock() {
    Screen s = new Screen(new PrintWriter(text), false, false, false, 80);
    s.block(List.of("progress"));
    s.line(s.bold("Summary") + " " + s.ok() + s.green("done"));
    s.clearBlock();
    assertThat(text.toString()).isEqualTo("Summary done" + System.lineSeparator());
    assertThat(s.completed(Direction.UPLOAD)).isEqualTo("uploaded  ");
    assertThat(s.completed(Direction.DOWNLOAD)).isEqualTo("downloaded");
    assertThat(s.arrow()).isEqualTo("->");
  }

  @Test
  void liveScreenRedrawsTheBlockInPlaceBelowPermanentLines() {
    Screen s = new Screen(new PrintWriter(text), true, false, true, 80);
    s.block(List.of("a1", "a2"));
    s.block(List.of("a1", "a2")); // unchanged: nothing drawn
    s.line("event");
    s.block(List.of("b1"));
    s.clearBlock();
    String nl = System.lineSeparator();
    String up2 = "\r\u001b[2A\u001b[J";
    String up1 = "\r\u001b[1A\u001b[J";
    assertThat(text.toString())
        .isEqualTo(
            "a1" + nl + "a2" + nl + up2 + "event" + nl + "a1" + nl + "a2" + nl + up2 + "b1" + nl
                + up1);
  }

  @Test
  void liveLinesAreCutToTheWidthKeepingColourCodesBalanced() {
    Screen s = new Screen(new PrintWriter(text), true, true, true, 40);
    s.line(s.red("x".repeat(60)));
    String out = text.toString().strip();
    assertThat(out.replaceAll("\u001b\\[[0-9;]*m", "")).hasSize(39);
    assertThat(out).startsWith("\u001b[31m").endsWith("\u001b[0m");
  }

  @Test
  void transferLinesShowBytesPercentAndABar() {
    Screen s = new Screen(new PrintWriter(text), false, false, false, 80);
    String line =
        s.transfer(
            new TransferTracker.Active(Direction.DOWNLOAD, "id", 1, 512 * 1024, 1 << 20), "a.jpg");
    assertThat(line).contains("down a.jpg").contains("512.0 KiB / 1.0 MiB").contains(" 50% ");
    assertThat(line).contains("[##########..........]");
    String unknown =
        s.transfer(new TransferTracker.Active(Direction.UPLOAD, "id", 2, 100, -1), "b.bin");
    assertThat(unknown).contains("up   b.bin").contains("100 B").contains("attempt 2");
  }

  @Test
  void formatsSizesDurationsAndRates() {
    assertThat(Screen.bytes(0)).isEqualTo("0 B");
    assertThat(Screen.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(Screen.bytes(3 * 1024 * 1024)).isEqualTo("3.0 MiB");
    assertThat(Screen.seconds(1_234_000_000L)).isEqualTo("1.23 s");
    assertThat(Screen.rate(10 * 1024 * 1024, 2_000_000_000L)).isEqualTo("5.0 MiB/s");
    assertThat(Screen.rate(0, 0)).isEqualTo("-");
    assertThat(ProgressBar.bar(1, 4, 8)).isEqualTo("[##......]");
  }
}
