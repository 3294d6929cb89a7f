package dev.filesync.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StorePatternsTest {

  @Test
  void prefixPatternsGrantOnlyTheirPrefix() {
    List<String> p = List.of("user-42/*");
    assertThat(StorePatterns.grants(p, "user-42/main")).isTrue();
    assertThat(StorePatterns.grants(p, "user-42/photos")).isTrue();
    assertThat(StorePatterns.grants(p, "user-420/x")).isFalse();
    assertThat(StorePatterns.grants(p, "user-42")).isFalse();
    assertThat(StorePatterns.grants(p, "user-42/")).isFalse();
  }

  @Test
  void exactAndStarPatterns() {
    assertThat(StorePatterns.grants(List.of("a:b/c"), "a:b/c")).isTrue();
    assertThat(StorePatterns.grants(List.of("a:b/c"), "a:b/cd")).isFalse();
    assertThat(StorePatterns.grants(List.of("*"), "anything")).isTrue();
    assertThat(StorePatterns.grants(List.of(), "anything")).isFalse();
  }

  @Test
  void malformedPatternsAreRefused() {
    assertThatThrownBy(() -> StorePatterns.checkPattern("a*b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a*b");
    assertThatThrownBy(() -> StorePatterns.checkPattern(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StorePatterns.checkPattern("x\ny"))
        .isInstanceOf(IllegalArgumentException.class);
    StorePatterns.checkPattern("*");
    StorePatterns.checkPattern("user-42/*");
    StorePatterns.checkPattern("exact");
  }

  @Test
  void storeIdRules() {
    assertThat(StorePatterns.whyInvalid("ok/with:colons and spaces")).isNull();
    assertThat(StorePatterns.whyInvalid(null)).contains("missing");
    assertThat(StorePatterns.whyInvalid("")).contains("empty");
    assertThat(StorePatterns.whyInvalid("x".repeat(256))).isNull();
    assertThat(StorePatterns.whyInvalid("x".repeat(257))).contains("256");
    assertThat(StorePatterns.whyInvalid("a\u007fb")).contains("control");
  }
}
