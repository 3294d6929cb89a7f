package dev.filesync.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

  static final String HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "my-store/" + HASH,
        "user_42_main/" + HASH,
        "a",
        "a/b/c",
        "a/.hidden",
        "a/..b",
        "a/b..",
        "ünïcödé/ключ",
        "emoji/\uD83D\uDE00",
        "a b/c+d%20"
      })
  void safeKeysPass(String key) {
    assertThat(Keys.whyUnsafe(key)).isNull();
    assertThat(Keys.check(key)).isEqualTo(key);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/a",
        "//a",
        "a//b",
        "a/",
        "a/b/",
        ".",
        "..",
        "./a",
        "../a",
        "a/./b",
        "a/../b",
        "a/..",
        "a/.",
        "a\\b",
        "..\\a",
        "a\u0000b",
        "a\nb",
        "a\tb",
        "a\u007fb",
        "a\u0085b",
        "lone\uD800surrogate",
        "lone\uDC00low"
      })
  void unsafeKeysFail(String key) {
    assertThat(Keys.whyUnsafe(key)).isNotNull();
    assertThatThrownBy(() -> Keys.check(key))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY));
  }

  @Test
  void nullIsUnsafe() {
    assertThat(Keys.whyUnsafe(null)).isEqualTo("key is missing");
  }

  @Test
  void lengthIsCountedInUtf8Bytes() {
    assertThat(Keys.whyUnsafe("a".repeat(1024))).isNull();
    assertThat(Keys.whyUnsafe("a".repeat(1025))).contains("1024");
    // é is two bytes: 512 of them are 1024 bytes, 513 are too many.
    assertThat(Keys.whyUnsafe("é".repeat(512))).isNull();
    assertThat(Keys.whyUnsafe("é".repeat(513))).contains("1024");
    // a surrogate pair is four bytes
    assertThat(Keys.whyUnsafe("\uD83D\uDE00".repeat(256))).isNull();
    assertThat(Keys.whyUnsafe("\uD83D\uDE00".repeat(256) + "a")).isNotNull();
  }

  @Test
  void decodedTraversalIsCaught() {
    assertThat(Keys.decodePath("%2e%2e/x")).isEqualTo("../x");
    assertThat(Keys.whyUnsafe(Keys.decodePath("%2e%2e/x"))).isNotNull();
    assertThat(Keys.whyUnsafe(Keys.decodePath("a/%2E/b"))).isNotNull();
    assertThat(Keys.whyUnsafe(Keys.decodePath("a%2F%2Fb"))).isNotNull();
    assertThat(Keys.whyUnsafe(Keys.decodePath("a%5Cb"))).isNotNull();
    assertThat(Keys.whyUnsafe(Keys.decodePath("a%00b"))).isNotNull();
    assertThat(Keys.whyUnsafe(Keys.decodePath("%2Fa"))).isNotNull();
  }

  @Test
  void decodeKeepsPlusAndRejectsMalformedEscapes() {
    assertThat(Keys.decodePath("a+b/%C3%A9")).isEqualTo("a+b/é");
    for (String bad : new String[] {"a%", "a%2", "a%zz", "%C3", "%FF"}) {
      assertThatThrownBy(() -> Keys.decodePath(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY));
    }
  }

  @Test
  void encodeRoundTrips() {
    for (String key :
        new String[] {"my-store/" + HASH, "a b/c+d", "é/ü?#&=", "x/%41", "emoji/\uD83D\uDE00"}) {
      String encoded = Keys.encodePath(key);
      assertThat(encoded).doesNotContain(" ", "?", "#", "&", "+", "=");
      assertThat(Keys.decodePath(encoded)).isEqualTo(key);
    }
    assertThat(Keys.encodePath("my-store/" + HASH)).isEqualTo("my-store/" + HASH);
  }
}
