package dev.filesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SeqNumTest {
  @Test
  void rootIsE0() {
    assertThat(SeqNum.ROOT.toString()).isEqualTo("e0");
    assertThat(SeqNum.parse("e0")).isEqualTo(SeqNum.ROOT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"e0", "e1", "e12", "e12.3", "e12r1", "e12.3r2", "e9007199254740991"})
  void formatsAndParsesBackTheSame(String text) {
    assertThat(SeqNum.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void parsesComponents() {
    assertThat(SeqNum.parse("e12.3r2")).isEqualTo(new SeqNum(12, 3, 2));
    assertThat(SeqNum.parse("e8r1")).isEqualTo(new SeqNum(8, 0, 1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "e", "12", "e-1", "e1.", "e1r", "E1", "e1.2.3", "e1 ", "x1", "e1r1.2"})
  void refusesMalformedText(String text) {
    assertThatThrownBy(() -> SeqNum.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text);
  }

  @Test
  void ordersByGlobalThenClientThenGeneration() {
    List<SeqNum> sorted =
        new ArrayList<>(
            List.of(
                SeqNum.parse("e2"),
                SeqNum.parse("e1.2"),
                SeqNum.parse("e1"),
                SeqNum.parse("e1.1"),
                SeqNum.parse("e1r1"),
                SeqNum.parse("e0")));
    sorted.sort(null);
    assertThat(sorted)
        .extracting(SeqNum::toString)
        .containsExactly("e0", "e1", "e1r1", "e1.1", "e1.2", "e2");
  }

  @Test
  void nextFollowsLiveStoresNextPair() {
    SeqNum e5 = SeqNum.parse("e5");
    SeqNum e51 = e5.next(true);
    assertThat(e51.toString()).isEqualTo("e5.1");
    assertThat(e51.parentOf(e5)).isEqualTo(e5);
    SeqNum e52 = e51.next(true);
    assertThat(e52.toString()).isEqualTo("e5.2");
    SeqNum e6 = e52.next(false);
    assertThat(e6.toString()).isEqualTo("e6");
    assertThat(e6.parentOf(e52))
        .as("a global event's parent has client 0")
        .isEqualTo(SeqNum.parse("e5"));
    assertThat(SeqNum.parse("e3r2").next(false)).isEqualTo(new SeqNum(4, 0, 2));
  }

  @Test
  void refusesNegativeComponents() {
    assertThatThrownBy(() -> new SeqNum(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
